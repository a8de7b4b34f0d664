// The dispatcher's life cycle and what it writes to the log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { maskEmail } from '../../src/courier/mask.ts';
import type { MailSender } from '../../src/courier/smtp-transport.ts';
import { testDialects } from '../harness/databases.ts';
import { freePort } from '../harness/free-port.ts';
import { courierKit, senderFor, STORE } from './courier-kit.ts';

for (const kind of testDialects) {
  describe(`dispatcher (${kind})`, () => {
    test('log lines never contain the code or the full address', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const deadPort = await freePort();
      // One server that refuses the recipient and echoes it (and the code) back in its reply.
      const echoing = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onRcptTo(rcpt, _session, callback) {
          callback(Object.assign(new Error(`<${rcpt.address}> unknown; last code seen 582043`), { responseCode: 550 }));
        },
      });
      await new Promise<void>((resolve) => echoing.listen(0, '127.0.0.1', () => resolve()));
      kit.onCleanup(() => new Promise<void>((resolve) => echoing.close(() => resolve())));
      const echoPort = (echoing.server.address() as { port: number }).port;

      const scenarios = [
        { to: 'delivered.person@example.com', code: '582041', port: catcher.port },
        { to: 'unreachable.person@example.com', code: '582042', port: deadPort },
        { to: 'rejected.person@example.com', code: '582043', port: echoPort },
      ];
      for (const s of scenarios) {
        await enqueueEmail(kit.db, kit.deps, { template: 'registration_code', locale: 'en', to: s.to, data: { code: s.code, storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
        const dispatcher = kit.dispatcher({ sender: senderFor(s.port) });
        await dispatcher.deliverDueMessages();
        kit.clock.advance(60_000);
        await dispatcher.deliverDueMessages(); // the unreachable one fails again and is parked
      }

      const logged = kit.logger.text();
      assert.ok(kit.logger.calls.length >= 4, `expected several log lines, got ${kit.logger.calls.length}`);
      for (const s of scenarios) {
        assert.equal(logged.includes(s.to), false, `a log line contains ${s.to}`);
        assert.equal(logged.includes(s.to.split('@')[0]), false, `a log line contains the mailbox of ${s.to}`);
        assert.equal(logged.includes(s.code), false, `a log line contains the code ${s.code}`);
      }
      // What is logged is still useful: which message, which (masked) recipient, what happened.
      assert.ok(logged.includes(maskEmail('delivered.person@example.com')));
      assert.ok(logged.includes('d***@e***.com'));
      assert.ok(kit.logger.calls.some((c) => c.level === 'info' && c.msg === 'email sent'));
      assert.ok(kit.logger.calls.some((c) => c.level === 'warn' && /will retry/.test(c.msg ?? '')));
      assert.ok(kit.logger.calls.some((c) => c.level === 'error' && /parked/.test(c.msg ?? '')));
      // The database's error column is held to the same rule.
      const errors = (await kit.rows()).map((row) => String(row.last_error ?? '')).join('\n');
      for (const s of scenarios) assert.ok(!errors.includes(s.to) && !errors.includes(s.code), errors);
    });

    test('with a real pino logger the written log lines hold no code or full address', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const lines: string[] = [];
      // pino writes synchronously to a plain { write } stream: every line is here when send returns.
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const good = kit.dispatcher({ sender: senderFor(catcher.port), logger });
      const bad = kit.dispatcher({ sender: senderFor(await freePort()), logger });
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'ru', to: 'pino.person@example.net', data: { code: '660011', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      await bad.deliverDueMessages();
      kit.clock.advance(5_000);
      await good.deliverDueMessages();
      assert.equal(lines.length, 2, lines.join(''));
      const all = lines.join('');
      assert.ok(!all.includes('pino.person') && !all.includes('660011'), all);
      assert.ok(all.includes('p***@e***.net'));
    });

    test('wake() delivers at once without waiting for the poll interval', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port), pollIntervalMs: 3_600_000 });
      dispatcher.start();
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'now@example.com', data: { code: '204060', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      dispatcher.wake();
      const mail = await catcher.waitFor((m) => m.to === 'now@example.com', 5000);
      assert.ok(mail.text.includes('204060'));
      await dispatcher.stop();
    });

    test('start() polls and picks up messages without a wake', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port), pollIntervalMs: 50 });
      dispatcher.start();
      await new Promise((resolve) => setTimeout(resolve, 120));
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'polled@example.com', data: { code: '204061', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      await catcher.waitFor((m) => m.to === 'polled@example.com', 5000);
      await dispatcher.stop();
    });

    test('wake() during a pass never runs two passes at once, and nothing waiting is missed', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const real = senderFor(catcher.port);
      let inFlight = 0;
      let maxInFlight = 0;
      const slow: MailSender = {
        async send(mail) {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 30));
          await real.send(mail);
          inFlight -= 1;
        },
        close: () => real.close(),
      };
      const dispatcher = kit.dispatcher({ sender: slow, pollIntervalMs: 3_600_000 });
      dispatcher.start(); // wake() nudges a running dispatcher only
      for (let i = 0; i < 5; i++) {
        await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: `w${i}@example.com`, data: { code: '1', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
        dispatcher.wake();
        dispatcher.wake();
      }
      await dispatcher.deliverDueMessages(); // queued behind whatever is running: returns when all is done
      assert.equal(maxInFlight, 1);
      assert.equal(catcher.messages().length, 5);
      await dispatcher.stop();
    });

    test('a database error during a pass is logged and does not crash the process', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port), pollIntervalMs: 20 });
      let unhandled: unknown;
      const onUnhandled = (reason: unknown) => {
        unhandled = reason;
      };
      process.on('unhandledRejection', onUnhandled);
      t.after(() => process.off('unhandledRejection', onUnhandled));
      await kit.database.close(); // the database goes away under a running dispatcher
      dispatcher.start();
      dispatcher.wake();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await dispatcher.stop();
      assert.equal(unhandled, undefined);
      const failures = kit.logger.calls.filter((c) => c.level === 'error' && /pass failed/.test(c.msg ?? ''));
      assert.ok(failures.length >= 2, `expected the failure to be logged on every tick, got ${failures.length}`);
      await assert.rejects(dispatcher.deliverDueMessages(), 'a direct call still reports the error to its caller');
    });

    test('stop() waits for the message being sent', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      const real = senderFor(catcher.port);
      let started!: () => void;
      const sendStarted = new Promise<void>((resolve) => (started = resolve));
      const slow: MailSender = {
        async send(mail) {
          started();
          await new Promise((resolve) => setTimeout(resolve, 100));
          await real.send(mail);
        },
        close: () => real.close(),
      };
      const dispatcher = kit.dispatcher({ sender: slow, pollIntervalMs: 3_600_000 });
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'stop@example.com', data: { code: '1', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      dispatcher.start();
      await sendStarted;
      await dispatcher.stop();
      assert.equal(catcher.messages().length, 1);
      assert.equal((await kit.rows())[0].status, 'sent');
    });
  });
}
