// At-least-once delivery (issue 9 §5): a crash between the server's 250 and marking the row sent
// sends the message again. Every attempt of one outbox row carries the same Message-ID, derived
// from the row's id and PUBLIC_URL's host, so the receiver can drop the second copy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { testDialects } from '../harness/databases.ts';
import { courierKit, senderFor, STORE } from './courier-kit.ts';

const notice = { template: 'new_sign_in' as const, locale: 'en' as const, to: 'twice@example.com', data: { storeName: STORE, device: 'Firefox, Linux', place: '192.0.2.1', time: 'now', secureUrl: 'https://store.test/account/security' } };

for (const kind of testDialects) {
  describe(`Message-ID (${kind})`, () => {
    test('a message sent again after a crash between the 250 and "sent" carries the same Message-ID, <outbox id@PUBLIC_URL host>', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      await enqueueEmail(kit.db, kit.deps, notice);
      const [{ id }] = (await kit.rows()) as Array<{ id: string }>;
      const first = kit.dispatcher({ sender: senderFor(catcher.port) });
      assert.equal(await first.deliverDueMessages(), 1);
      // The crash: the server said 250, and the node died before its UPDATE. The row is then as
      // the claim left it, and the lease runs out.
      await kit.db.updateTable('outbox').set({ status: 'sending', sent_at: null, lease_until: kit.clock.now() + 15_000, payload_sealed: kit.secrets.seal(JSON.stringify(notice.data)) }).execute();
      kit.clock.advance(15_001);
      const second = kit.dispatcher({ sender: senderFor(catcher.port) });
      assert.equal(await second.deliverDueMessages(), 1);

      const copies = catcher.messages();
      assert.equal(copies.length, 2, 'at-least-once: the receiver got it twice');
      assert.equal(copies[0].messageId, `<${id}@store.test>`);
      assert.equal(copies[1].messageId, copies[0].messageId, 'and can tell the second copy is the first one');
    });

    test('every attempt of one row carries the same Message-ID: a refused first try and its retry', async (t) => {
      const kit = await courierKit(t, kind);
      // A server that reads each message, keeps its Message-ID, and refuses the first for now (451).
      const seen: string[] = [];
      const server = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream).then((parsed) => {
            seen.push(parsed.messageId ?? '');
            callback(seen.length === 1 ? Object.assign(new Error('try again later'), { responseCode: 451 }) : null);
          }, callback);
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      kit.onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const port = (server.server.address() as { port: number }).port;

      await enqueueEmail(kit.db, kit.deps, notice);
      await enqueueEmail(kit.db, kit.deps, { ...notice, to: 'other@example.com' });
      const dispatcher = kit.dispatcher({ sender: senderFor(port), batchSize: 1 });
      assert.equal(await dispatcher.deliverDueMessages(), 1, 'the first message is refused once, the second goes through');
      kit.clock.advance(5_000);
      assert.equal(await dispatcher.deliverDueMessages(), 1, 'the retry goes through');

      const rows = (await kit.rows()) as Array<{ id: string; attempts: number }>;
      const retried = rows.find((row) => Number(row.attempts) === 2)!;
      const other = rows.find((row) => Number(row.attempts) === 1)!;
      assert.deepEqual(seen, [`<${retried.id}@store.test>`, `<${other.id}@store.test>`, `<${retried.id}@store.test>`]);
    });
  });
}
