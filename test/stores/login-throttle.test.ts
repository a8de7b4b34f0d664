// src/throttling/login-throttle.ts on both databases: after 5 failures each attempt waits, 1 s
// doubling up to 15 min; failures older than 24 h are forgotten; claims are compare-and-set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { createLoginThrottle, delayAfterFailures, FAILURE_MEMORY_MS } from '../../src/throttling/login-throttle.ts';
import { storeSuite } from './store-kit.ts';

const security = loadConfig({}).security;

storeSuite('login throttle', (s) => {
  const throttle = () => createLoginThrottle(s.db, s.clock, security);
  const subject = () => `account:${randomUUID()}`;
  const rowOf = (who: string) => s.db.selectFrom('login_throttles').selectAll().where('subject', '=', who).executeTakeFirst();

  test('the delay: none for the first 4 failures, 1 s at the 5th, doubling, at most 15 min', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => delayAfterFailures(n, security)), [0, 0, 0, 0, 1, 2, 4, 8]);
    assert.equal(delayAfterFailures(15, security), 900);
    assert.equal(delayAfterFailures(1_000, security), 900);
  });

  test('the first four attempts are claimed at once; the 5th is claimed and makes the next wait 1 s', async () => {
    const who = subject();
    for (let i = 0; i < 5; i++) assert.equal(await throttle().claimAttempt(who), 0);
    assert.equal((await rowOf(who))!.failures, 5);
    assert.equal(await throttle().claimAttempt(who), 1);
    assert.equal((await rowOf(who))!.failures, 5, 'a refused attempt is not counted');
  });

  test('the wait ends exactly at blocked_until: refused 1 ms before, claimed at it', async () => {
    const who = subject();
    for (let i = 0; i < 5; i++) await throttle().claimAttempt(who);
    const blockedUntil = (await rowOf(who))!.blocked_until;
    s.clock.set(blockedUntil - 1);
    assert.equal(await throttle().claimAttempt(who), 1);
    s.clock.set(blockedUntil);
    assert.equal(await throttle().claimAttempt(who), 0);
    assert.equal((await rowOf(who))!.blocked_until, s.clock.now() + 2_000, 'the 6th failure waits 2 s');
  });

  test('failures older than 24 h are forgotten: the next attempt counts as the first', async () => {
    const who = subject();
    for (let i = 0; i < 5; i++) await throttle().claimAttempt(who);
    s.clock.advance(FAILURE_MEMORY_MS + 1);
    assert.equal(await throttle().claimAttempt(who), 0);
    assert.deepEqual(await rowOf(who), { subject: who, failures: 1, last_failure_at: s.clock.now(), blocked_until: 0 });
  });

  test('clear forgets the subject’s failures, and no one else’s', async () => {
    const who = subject();
    const other = subject();
    for (let i = 0; i < 5; i++) await throttle().claimAttempt(who);
    await throttle().claimAttempt(other);
    await throttle().clear(who);
    assert.equal(await rowOf(who), undefined);
    assert.equal((await rowOf(other))!.failures, 1);
    assert.equal(await throttle().claimAttempt(who), 0);
  });

  test('parallel attempts are each counted once: 8 at once leave 8 failures or fewer claimed, never more than were made', async () => {
    const who = subject();
    const waits = await Promise.all(Array.from({ length: 8 }, () => throttle().claimAttempt(who)));
    const claimed = waits.filter((w) => w === 0).length;
    assert.equal((await rowOf(who))!.failures, claimed);
  });
});
