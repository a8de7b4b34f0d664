// src/verification/send-cooldowns.ts on both databases: the 60 s between sends to a subject on a
// channel is ONE conditional upsert (exactly one of parallel claims wins), a refused send gives
// its claim back, and a code sent a moment ago moves only to a newer flow of the same browser.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createFlowStore } from '../../src/flows/flow-store.ts';
import { createSendCooldowns, type CooldownKey } from '../../src/verification/send-cooldowns.ts';
import { testFlow } from '../harness/test-flow.ts';
import { MINUTE, SECOND, storeSuite } from './store-kit.ts';

const COOLDOWN_SECONDS = 60;

storeSuite('send cooldowns', (s) => {
  const cooldowns = () => createSendCooldowns({ db: s.db, clock: s.clock, secrets: s.secrets, cooldownSeconds: COOLDOWN_SECONDS });
  const key = (channel: 'email' | 'sms' = 'email'): CooldownKey => ({ subject: `account:${randomUUID()}`, channel });

  async function flow(browserId: string) {
    return createFlowStore(s.db, s.clock)
      .of(testFlow)
      .create(s.db, { state: 'code_sent', browserId, accountId: null, subject: 's', typedIdentifier: '', data: {}, lifetimeSeconds: 3600 });
  }
  async function code(flowId: string, fields: { expiresAt?: number; wrongAttempts?: number; usedAt?: number | null; voidedAt?: number | null; channel?: string } = {}) {
    const id = randomUUID();
    await s.db
      .insertInto('verification_codes')
      .values({
        id,
        flow_id: flowId,
        purpose: 'recovery',
        channel: fields.channel ?? 'email',
        code_hash: 'hash',
        created_at: s.clock.now(),
        expires_at: fields.expiresAt ?? s.clock.now() + 10 * MINUTE,
        wrong_attempts: fields.wrongAttempts ?? 0,
        used_at: fields.usedAt ?? null,
        voided_at: fields.voidedAt ?? null,
      })
      .execute();
    return id;
  }
  const codeRow = (id: string) => s.db.selectFrom('verification_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const limit = { wrongAttemptsBelow: 5 };

  test('the first send claims at once and returns its time; the next one within 60 s gets null', async () => {
    const k = key();
    assert.equal(await cooldowns().claim(k, randomUUID(), 'a@example.com'), s.clock.now());
    s.clock.advance(30 * SECOND);
    assert.equal(await cooldowns().claim(k, randomUUID(), 'a@example.com'), null);
  });

  test('the wait is 60 s to the millisecond: refused at 59.999 s, claimed at 60 s', async () => {
    const k = key();
    const start = s.clock.now();
    await cooldowns().claim(k, randomUUID(), 'a@example.com');
    s.clock.set(start + 60 * SECOND - 1);
    assert.equal(await cooldowns().claim(k, randomUUID(), 'a@example.com'), null);
    s.clock.set(start + 60 * SECOND);
    assert.equal(await cooldowns().claim(k, randomUUID(), 'a@example.com'), s.clock.now());
  });

  test('secondsLeft counts down in whole seconds, rounded up, and is 0 for a subject never sent to', async () => {
    const k = key();
    assert.equal(await cooldowns().secondsLeft(k), 0);
    await cooldowns().claim(k, randomUUID(), 'a@example.com');
    assert.equal(await cooldowns().secondsLeft(k), 60);
    s.clock.advance(59 * SECOND + 1);
    assert.equal(await cooldowns().secondsLeft(k), 1);
    s.clock.advance(SECOND - 1);
    assert.equal(await cooldowns().secondsLeft(k), 0);
  });

  test('channels and subjects wait apart: an email does not hold back a text, nor another account', async () => {
    const k = key('email');
    await cooldowns().claim(k, randomUUID(), 'a@example.com');
    assert.notEqual(await cooldowns().claim({ ...k, channel: 'sms' }, randomUUID(), '+79161234512'), null);
    assert.notEqual(await cooldowns().claim(key('email'), randomUUID(), 'a@example.com'), null);
  });

  test('of parallel claims for one subject and channel exactly one wins', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 8 }, () => cooldowns().claim(k, randomUUID(), 'a@example.com')));
    assert.equal(results.filter((r) => r !== null).length, 1);
  });

  test('release undoes its own claim, so the next send may go at once', async () => {
    const k = key();
    const flowId = randomUUID();
    const claimedAt = (await cooldowns().claim(k, flowId, 'a@example.com'))!;
    await cooldowns().release(k, flowId, claimedAt);
    assert.equal(await cooldowns().secondsLeft(k), 0);
    assert.notEqual(await cooldowns().claim(k, randomUUID(), 'a@example.com'), null);
  });

  test('release of a claim that is no longer the row’s (another flow claimed since) changes nothing', async () => {
    const k = key();
    const first = randomUUID();
    const firstAt = (await cooldowns().claim(k, first, 'a@example.com'))!;
    s.clock.advance(61 * SECOND);
    await cooldowns().claim(k, randomUUID(), 'a@example.com');
    await cooldowns().release(k, first, firstAt);
    assert.equal(await cooldowns().secondsLeft(k), 60);
  });

  test('the destination is kept as a keyed hash only', async () => {
    const k = key();
    await cooldowns().claim(k, randomUUID(), 'readable.destination@example.com');
    assert.ok(!JSON.stringify(await s.rows('send_cooldowns')).includes('readable.destination'));
  });

  test('handOver moves the live code of the earlier flow to a newer flow of the same browser, sent to the same place', async () => {
    const browser = randomUUID();
    const earlier = await flow(browser);
    const newer = await flow(browser);
    const k = key();
    await cooldowns().claim(k, earlier.id, 'a@example.com');
    const codeId = await code(earlier.id);
    const olderOfNewer = await code(newer.id);
    s.clock.advance(10 * SECOND);
    assert.equal(await cooldowns().handOver(k, { flowId: newer.id, purpose: 'recovery' }, 'a@example.com', limit), true);
    const moved = await codeRow(codeId);
    assert.equal(moved.flow_id, newer.id);
    assert.equal((await codeRow(olderOfNewer)).voided_at, s.clock.now(), 'the newer flow’s own older code stops working');
    assert.equal(await cooldowns().handOver(k, { flowId: newer.id, purpose: 'recovery' }, 'a@example.com', limit), false, 'the row now names the newer flow');
  });

  test('handOver refuses another browser’s flow: a code proves the mailbox only to the browser that asked', async () => {
    const earlier = await flow(randomUUID());
    const stranger = await flow(randomUUID());
    const k = key();
    await cooldowns().claim(k, earlier.id, 'a@example.com');
    const codeId = await code(earlier.id);
    assert.equal(await cooldowns().handOver(k, { flowId: stranger.id, purpose: 'recovery' }, 'a@example.com', limit), false);
    assert.equal((await codeRow(codeId)).flow_id, earlier.id);
  });

  test('handOver refuses a code that went elsewhere, or once the minute is over', async () => {
    const browser = randomUUID();
    const earlier = await flow(browser);
    const newer = await flow(browser);
    const k = key();
    await cooldowns().claim(k, earlier.id, 'a@example.com');
    const codeId = await code(earlier.id);
    assert.equal(await cooldowns().handOver(k, { flowId: newer.id, purpose: 'recovery' }, 'b@example.com', limit), false);
    s.clock.advance(60 * SECOND);
    assert.equal(await cooldowns().handOver(k, { flowId: newer.id, purpose: 'recovery' }, 'a@example.com', limit), false);
    assert.equal((await codeRow(codeId)).flow_id, earlier.id);
  });

  test('handOver moves only a live code: not used, voided, expired (at its edge) or out of tries', async () => {
    const browser = randomUUID();
    const k = key();
    const deadCodes = [() => ({ usedAt: s.clock.now() }), () => ({ voidedAt: s.clock.now() }), () => ({ expiresAt: s.clock.now() }), () => ({ wrongAttempts: 5 }), () => ({ channel: 'sms' })];
    for (const deadCode of deadCodes) {
      s.clock.advance(61 * SECOND);
      const dead = deadCode();
      const earlier = await flow(browser);
      const newer = await flow(browser);
      await cooldowns().claim(k, earlier.id, 'a@example.com');
      const codeId = await code(earlier.id, dead);
      assert.equal(await cooldowns().handOver(k, { flowId: newer.id, purpose: 'recovery' }, 'a@example.com', limit), false, JSON.stringify(dead));
      assert.equal((await codeRow(codeId)).flow_id, earlier.id);
    }
  });
});
