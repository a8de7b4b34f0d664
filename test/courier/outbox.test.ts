// The outbox table: written with the state change, holding nothing readable, wiped after use.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { testDialects } from '../harness/databases.ts';
import { courierKit, senderFor } from './courier-kit.ts';

const CODE = '493817';
const ADDRESS = 'shopper.one@example.org';

for (const kind of testDialects) {
  describe(`outbox (${kind})`, () => {
    test('message enqueued in a rolled-back transaction is not sent', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      await assert.rejects(
        kit.db.transaction().execute(async (trx) => {
          await enqueueEmail(trx, kit.deps, { template: 'recovery_code', locale: 'en', to: ADDRESS, data: { code: CODE, storeName: 'S', minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
          // The row is visible inside the transaction…
          assert.equal((await trx.selectFrom('outbox').select('id').execute()).length, 1);
          throw new Error('the state change failed');
        }),
        /the state change failed/,
      );
      // …and gone with it.
      assert.deepEqual(await kit.rows(), []);
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port) });
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.deepEqual(catcher.messages(), []);
    });

    test('message enqueued in a committed transaction is sent', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      await kit.db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, kit.deps, { template: 'recovery_code', locale: 'en', to: ADDRESS, data: { code: CODE, storeName: 'S', minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      });
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port) });
      assert.equal(await dispatcher.deliverDueMessages(), 1);
      assert.equal(catcher.messages().length, 1);
    });

    test('outbox row holds no readable code or address', async (t) => {
      const kit = await courierKit(t, kind);
      await enqueueEmail(kit.db, kit.deps, { template: 'registration_code', locale: 'en', to: ADDRESS, data: { code: CODE, storeName: 'S', minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      const rows = await kit.rows();
      assert.equal(rows.length, 1);
      const raw = JSON.stringify(rows[0]);
      for (const secret of [CODE, ADDRESS, 'shopper.one', 'example.org']) {
        assert.equal(raw.includes(secret), false, `the raw outbox row contains "${secret}"`);
      }
      // The sealed values are not plain base64 of the secret either.
      for (const column of ['recipient_sealed', 'payload_sealed'] as const) {
        const decoded = Buffer.from(String(rows[0][column]), 'base64').toString('latin1');
        assert.equal(decoded.includes(CODE) || decoded.includes(ADDRESS), false, `${column} decodes to the secret`);
      }
      // What a dispatcher needs is there, and only the key opens it.
      assert.equal(kit.secrets.unseal(String(rows[0].recipient_sealed)), ADDRESS);
      assert.deepEqual(JSON.parse(kit.secrets.unseal(String(rows[0].payload_sealed))), { code: CODE, storeName: 'S', minutes: 10 });
      assert.equal(rows[0].status, 'pending');
      assert.equal(rows[0].channel, 'email');
      assert.equal(Number(rows[0].next_attempt_at), kit.clock.now());
    });

    test('payload scrubbed after sending', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'ru', to: ADDRESS, data: { code: CODE, storeName: 'S', minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      const before = await kit.rows();
      const dispatcher = kit.dispatcher({ sender: senderFor(catcher.port) });
      kit.clock.advance(1234);
      assert.equal(await dispatcher.deliverDueMessages(), 1);
      const [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(row.payload_sealed, '');
      assert.equal(Number(row.sent_at), kit.clock.now());
      assert.equal(row.lease_until, null);
      assert.equal(row.last_error, null);
      assert.equal(Number(row.attempts), 1);
      // The (sealed) recipient stays, so operators can still see that a message went out.
      assert.equal(row.recipient_sealed, before[0].recipient_sealed);
      assert.ok(!JSON.stringify(row).includes(CODE));
      // And it is not sent again.
      kit.clock.advance(3_600_000);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(catcher.messages().length, 1);
    });
  });
}
