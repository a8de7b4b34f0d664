// Several Gatehouse processes share one database and each runs a dispatcher. Every message must
// reach the mail server exactly once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDispatcher } from '../../src/courier/dispatcher.ts';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import type { MailSender } from '../../src/courier/smtp-transport.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { testDialects } from '../harness/databases.ts';
import { captureLogger, courierKit, senderFor, STORE } from './courier-kit.ts';

const MESSAGES = 30;

for (const kind of testDialects) {
  describe(`concurrent dispatchers (${kind})`, () => {
    test('two dispatchers draining the same database concurrently deliver each message exactly once', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      for (let i = 0; i < MESSAGES; i++) {
        await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: `shopper${i}@example.com`, data: { code: String(100000 + i), storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      }

      // The second "process" has its own connection (pool) to the same database, as another
      // Gatehouse node would.
      const other = openDatabase(kit.database.config);
      kit.onCleanup(() => other.close());

      // Count every send attempt, so a double claim shows even if the mail server deduplicated.
      const attempts = new Map<string, number>();
      const counting = (sender: MailSender): MailSender => ({
        async send(mail) {
          attempts.set(mail.to, (attempts.get(mail.to) ?? 0) + 1);
          await sender.send(mail);
        },
        close: () => sender.close(),
      });
      // Small batches make the two interleave over many queries instead of one taking everything.
      const a = kit.dispatcher({ sender: counting(senderFor(catcher.port)), batchSize: 4 });
      const b = createDispatcher({ db: other.db, secrets: kit.secrets, clock: kit.clock, logger: captureLogger(), storeName: STORE, messageIdDomain: 'store.test', sender: counting(senderFor(catcher.port)), batchSize: 4 });
      kit.onCleanup(() => b.stop());

      const [fromA, fromB] = await Promise.all([a.deliverDueMessages(), b.deliverDueMessages()]);
      // A pass stops when a whole batch went to the other dispatcher; drain anything left.
      const rest = (await a.deliverDueMessages()) + (await b.deliverDueMessages());
      t.diagnostic(`dispatcher A delivered ${fromA}, B delivered ${fromB}, ${rest} afterwards`);

      assert.equal(fromA + fromB + rest, MESSAGES);
      assert.equal(attempts.size, MESSAGES);
      for (const [to, count] of attempts) assert.equal(count, 1, `${to} was sent ${count} times`);
      const received = catcher.messages().map((m) => m.to).sort();
      assert.equal(received.length, MESSAGES);
      assert.equal(new Set(received).size, MESSAGES);
      const rows = await kit.rows();
      assert.ok(rows.every((row) => row.status === 'sent' && Number(row.attempts) === 1));
    });

    test('a message whose dispatcher died mid-send is taken over after its lease, not before', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'lease@example.com', data: { code: '111111', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      // Simulate a process that claimed the message and then vanished.
      await kit.db.updateTable('outbox').set({ status: 'sending', lease_until: kit.clock.now() + 60_000 }).execute();
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port), leaseMs: 60_000 });
      kit.clock.advance(59_999);
      assert.equal(await dispatcher.deliverDueMessages(), 0, 'the lease still protects it');
      kit.clock.advance(2);
      assert.equal(await dispatcher.deliverDueMessages(), 1, 'taken over once the lease ran out');
      assert.equal(catcher.messages().length, 1);
    });
  });
}
