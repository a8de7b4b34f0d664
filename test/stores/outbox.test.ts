// src/courier/outbox.ts on both databases: a message is one sealed row written in the caller's
// transaction; a decoy is the same work and is never sent; a code message dies with its code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueEmail, enqueueSms, recordDecoyEmail, recordDecoySms } from '../../src/courier/outbox.ts';
import { NOTICE_RETRY_MS } from '../../src/courier/retry-schedule.ts';
import type { OutboxTable } from '../../src/storage/tables.ts';
import { MINUTE, storeSuite } from './store-kit.ts';

storeSuite('outbox', (s) => {
  const deps = () => ({ secrets: s.secrets, clock: s.clock });
  const codeMail = (to: string, expiresAt: number) => ({ template: 'recovery_code' as const, locale: 'ru' as const, to, data: { code: '123456', storeName: 'Shop', minutes: 10 }, expiresAt });
  const noticeMail = (to: string) => ({ template: 'password_changed' as const, locale: 'en' as const, to, data: { storeName: 'Shop', time: 'now', secureUrl: 'https://shop.example/recovery' } });
  const newest = async (): Promise<OutboxTable> => (await s.db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').execute()).find((row) => row.created_at === s.clock.now())!;
  const tick = () => s.clock.advance(1_000);

  test('an email is queued pending, due now, with recipient and data sealed', async () => {
    tick();
    await enqueueEmail(s.db, deps(), codeMail('sealed.recipient@example.com', s.clock.now() + 10 * MINUTE));
    const row = await newest();
    assert.equal(row.channel, 'email');
    assert.equal(row.status, 'pending');
    assert.equal(row.template, 'recovery_code');
    assert.equal(row.locale, 'ru');
    assert.equal(row.attempts, 0);
    assert.equal(row.next_attempt_at, s.clock.now());
    assert.equal(row.lease_until, null);
    assert.equal(row.sent_at, null);
    assert.ok(!JSON.stringify(row).includes('sealed.recipient') && !JSON.stringify(row).includes('123456'), 'neither the address nor the code is readable in the row');
    assert.equal(s.secrets.unseal(row.recipient_sealed), 'sealed.recipient@example.com');
    assert.deepEqual(JSON.parse(s.secrets.unseal(row.payload_sealed)), { code: '123456', storeName: 'Shop', minutes: 10 });
  });

  test('a code mail expires and stops retrying with its code', async () => {
    tick();
    const codeExpiresAt = s.clock.now() + 10 * MINUTE;
    await enqueueEmail(s.db, deps(), codeMail('a@example.com', codeExpiresAt));
    const row = await newest();
    assert.equal(row.expires_at, codeExpiresAt);
    assert.equal(row.retry_until, codeExpiresAt);
  });

  test('a notice has no expiry and is retried for 3 days', async () => {
    tick();
    await enqueueEmail(s.db, deps(), noticeMail('b@example.com'));
    const row = await newest();
    assert.equal(row.expires_at, null);
    assert.equal(row.retry_until, s.clock.now() + NOTICE_RETRY_MS);
  });

  test('a decoy email is the same insert, born sent with nothing inside: no dispatcher takes it', async () => {
    tick();
    await recordDecoyEmail(s.db, deps(), codeMail('nobody@invalid', s.clock.now() + 10 * MINUTE));
    const row = await newest();
    assert.equal(row.status, 'sent');
    assert.equal(row.sent_at, s.clock.now());
    assert.equal(row.recipient_sealed, '');
    assert.equal(row.payload_sealed, '');
    assert.equal(row.template, 'recovery_code');
  });

  test('a text is queued like an email, on the sms channel; a decoy text is born sent and empty', async () => {
    tick();
    await enqueueSms(s.db, deps(), { template: 'verification_code', locale: 'en', to: '+79161234512', data: { code: '654321', storeName: 'Shop' }, expiresAt: s.clock.now() + 10 * MINUTE });
    const text = await newest();
    assert.equal(text.channel, 'sms');
    assert.equal(text.status, 'pending');
    assert.equal(s.secrets.unseal(text.recipient_sealed), '+79161234512');
    tick();
    await recordDecoySms(s.db, deps(), { template: 'verification_code', locale: 'en', to: '+79161234512', data: { code: '654321', storeName: 'Shop' }, expiresAt: s.clock.now() + 10 * MINUTE });
    const decoy = await newest();
    assert.equal(decoy.channel, 'sms');
    assert.equal(decoy.status, 'sent');
    assert.equal(decoy.recipient_sealed, '');
  });

  test('a message queued in a transaction that rolls back is never in the outbox', async () => {
    tick();
    const before = (await s.rows('outbox')).length;
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, deps(), noticeMail('c@example.com'));
        throw new Error('rolled back');
      }),
    );
    assert.equal((await s.rows('outbox')).length, before);
  });

  test('every message gets its own id: the same message twice is two rows', async () => {
    tick();
    await enqueueEmail(s.db, deps(), noticeMail('twice@example.com'));
    await enqueueEmail(s.db, deps(), noticeMail('twice@example.com'));
    const rows = (await s.rows('outbox')) as OutboxTable[];
    assert.equal(rows.filter((row) => row.created_at === s.clock.now()).length, 2);
  });
});
