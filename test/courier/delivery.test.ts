// Delivery over a real SMTP conversation, retries with backoff while the server is down, parking.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { retryDelayMs } from '../../src/courier/dispatcher.ts';
import { enqueueEmail, type EmailMessage } from '../../src/courier/outbox.ts';
import type { EmailTemplateName } from '../../src/courier/templates/email-templates.ts';
import type { Locale } from '../../src/shared/i18n.ts';
import { testDialects } from '../harness/databases.ts';
import { freePort } from '../harness/free-port.ts';
import { courierKit, failUntilStopped, senderFor, STORE } from './courier-kit.ts';

const CODE = '730162';

const cases: Array<{ template: EmailTemplateName; data: Record<string, string | number>; subject: Record<Locale, string>; mustShow: string[] }> = [
  {
    template: 'registration_code',
    data: { code: CODE, storeName: STORE, minutes: 10 },
    subject: { en: 'Confirm your email', ru: 'Подтвердите адрес электронной почты' },
    mustShow: [CODE],
  },
  {
    template: 'registration_attempt_existing',
    data: { storeName: STORE, signInUrl: 'https://store.test/login', recoveryUrl: 'https://store.test/recovery' },
    subject: { en: 'Someone tried to create an account with your address', ru: 'Кто-то пытался создать аккаунт с вашим адресом' },
    mustShow: ['https://store.test/login', 'https://store.test/recovery'],
  },
  {
    template: 'recovery_code',
    data: { code: CODE, storeName: STORE, minutes: 10 },
    subject: { en: 'Your password reset code', ru: 'Код для сброса пароля' },
    mustShow: [CODE],
  },
  {
    template: 'password_changed',
    data: { storeName: STORE, time: '15 January 2026, 12:00 UTC', secureUrl: 'https://store.test/recovery' },
    subject: { en: 'Your password was changed', ru: 'Ваш пароль изменён' },
    mustShow: ['15 January 2026, 12:00 UTC', 'https://store.test/recovery'],
  },
];

for (const kind of testDialects) {
  describe(`delivery (${kind})`, () => {
    test('delivered over real SMTP to the catcher with HTML and text parts and the right subject per locale', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      for (const c of cases) {
        for (const locale of ['en', 'ru'] as const) {
          await enqueueEmail(kit.db, kit.deps, { template: c.template, locale, to: `${c.template}.${locale}@example.com`, data: c.data, expiresAt: kit.clock.now() + 600_000 } as EmailMessage);
        }
      }
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port) });
      assert.equal(await dispatcher.deliverDueMessages(), cases.length * 2);
      assert.equal(catcher.messages().length, cases.length * 2);
      for (const c of cases) {
        for (const locale of ['en', 'ru'] as const) {
          const mail = await catcher.waitFor((m) => m.to === `${c.template}.${locale}@example.com`, 1000);
          assert.equal(mail.subject, c.subject[locale], `${c.template} ${locale} subject`);
          assert.match(mail.from, /"?Test Store"? <no-reply@store\.test>/);
          assert.match(mail.html, new RegExp(`<html lang="${locale}">`));
          assert.ok(mail.html.includes(STORE), 'brand header with the store name');
          assert.ok(mail.text.includes(STORE));
          for (const shown of c.mustShow) {
            assert.ok(mail.html.includes(shown), `${c.template} ${locale} HTML shows ${shown}`);
            assert.ok(mail.text.includes(shown), `${c.template} ${locale} text shows ${shown}`);
          }
          if (locale === 'ru') assert.match(mail.text, /[а-яё]{4,}/i, 'Russian text part is in Russian');
        }
      }
      const codeMail = catcher.messages().find((m) => m.to === 'recovery_code.ru@example.com')!;
      assert.match(codeMail.text, /10 минут/);
      assert.match(codeMail.html, /monospace[^>]*>730162</);
    });

    test('SMTP server down: retried with backoff and delivered once the catcher is up, nothing lost', async (t) => {
      const kit = await courierKit(t, kind);
      const port = await freePort(); // nothing listens here yet
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'waiting@example.com', data: { code: CODE, storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });

      assert.equal(await dispatcher.deliverDueMessages(), 0);
      let [row] = await kit.rows();
      assert.equal(row.status, 'pending');
      assert.equal(Number(row.attempts), 1);
      assert.equal(Number(row.next_attempt_at), kit.clock.now() + 5_000);
      assert.match(String(row.last_error), /ECONNREFUSED|ESOCKET|ECONNECTION/);
      assert.equal(row.lease_until, null);

      // Not due yet: no attempt is made.
      kit.clock.advance(4_999);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(Number((await kit.rows())[0].attempts), 1);

      kit.clock.advance(1);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      [row] = await kit.rows();
      assert.equal(Number(row.attempts), 2);
      assert.equal(Number(row.next_attempt_at), kit.clock.now() + 10_000, 'the delay doubles');

      const catcher = await kit.catcher(port); // the mail server comes back
      assert.equal(await dispatcher.deliverDueMessages(), 0, 'still waiting for its backoff');
      kit.clock.advance(10_000);
      assert.equal(await dispatcher.deliverDueMessages(), 1);
      [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(Number(row.attempts), 3);
      const mail = await catcher.waitFor((m) => m.to === 'waiting@example.com', 1000);
      assert.ok(mail.text.includes(CODE));
      assert.equal(catcher.messages().length, 1);
      kit.clock.advance(3_600_000);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(catcher.messages().length, 1, 'delivered exactly once');
    });

    test('a notice is retried for 3 days (backoff capped at 15 minutes) and only then parked', async (t) => {
      const kit = await courierKit(t, kind);
      const port = await freePort();
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      const queuedAt = kit.clock.now();
      await enqueueEmail(kit.db, kit.deps, { template: 'password_changed', locale: 'en', to: 'gone@example.com', data: { storeName: STORE, time: 'now', secureUrl: 'https://store.test/r' } });
      const row = await failUntilStopped(kit, dispatcher);
      assert.equal(row.status, 'parked');
      const lastTry = Number(row.next_attempt_at);
      assert.ok(lastTry - queuedAt >= 3 * 24 * 3_600_000 - 15 * 60_000, `the last try came ${(lastTry - queuedAt) / 3_600_000} h after queueing`);
      assert.ok(Number(row.attempts) > 280, `${row.attempts} attempts`);
      assert.equal(kit.logger.calls.filter((c) => c.level === 'error').length, 1, 'parking is logged once, as an error');
    });

    test('a permanent rejection parks at once and records no address or code', async (t) => {
      const kit = await courierKit(t, kind);
      const address = 'no.such.user@example.com';
      // A server that echoes the recipient and more in its refusal, as real ones do.
      const server = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onRcptTo(rcpt, _session, callback) {
          callback(Object.assign(new Error(`5.1.1 <${rcpt.address}>: Recipient address rejected (ref ${CODE})`), { responseCode: 550 }));
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      kit.onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const port = (server.server.address() as { port: number }).port;
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: address, data: { code: CODE, storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      const [row] = await kit.rows();
      assert.equal(row.status, 'parked');
      assert.equal(Number(row.attempts), 1);
      const lastError = String(row.last_error);
      assert.match(lastError, /RCPT TO 550/);
      assert.match(lastError, /5\.1\.1/);
      for (const secret of [address, 'no.such.user', CODE]) {
        assert.equal(lastError.includes(secret), false, `last_error contains ${secret}: ${lastError}`);
      }
    });
  });
}

test('backoff: 5 s doubling, capped at 15 minutes', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelayMs), [5_000, 10_000, 20_000, 40_000, 80_000]);
  assert.equal(retryDelayMs(8), 640_000);
  assert.equal(retryDelayMs(9), 900_000);
  assert.equal(retryDelayMs(50), 900_000);
});
