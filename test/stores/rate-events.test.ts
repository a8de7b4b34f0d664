// src/throttling/rate-events.ts on both databases: sliding windows counted from rows, so every
// process sharing the database sees the same counts. Windows are (now − window, now]: an event
// exactly one window old no longer counts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createRateEvents, type WindowLimit } from '../../src/throttling/rate-events.ts';
import { HOUR, MINUTE, storeSuite } from './store-kit.ts';

storeSuite('rate events', (s) => {
  const events = () => createRateEvents(s.db, s.clock);
  const rule = (limit: number, windowSeconds = 3600): WindowLimit => ({ bucket: `bucket-${randomUUID()}`, limit, windowSeconds });
  const count = (r: WindowLimit, subject: string) => events().countSince(r.bucket, subject, s.clock.now() - r.windowSeconds * 1000);

  test('record counts one event for its bucket and subject only', async () => {
    const r = rule(5);
    await events().record(s.db, r.bucket, 'alice');
    await events().record(s.db, r.bucket, 'alice');
    await events().record(s.db, r.bucket, 'bob');
    await events().record(s.db, `${r.bucket}-other`, 'alice');
    assert.equal(await count(r, 'alice'), 2);
    assert.equal(await count(r, 'bob'), 1);
  });

  test('an event counts until exactly one window after it: in at window − 1 ms, out at the window', async () => {
    const r = rule(5, 3600);
    await events().record(s.db, r.bucket, 'edge');
    s.clock.advance(HOUR - 1);
    assert.equal(await count(r, 'edge'), 1);
    s.clock.advance(1);
    assert.equal(await count(r, 'edge'), 0);
  });

  test('claim takes one unit while the window has room and refuses the one over the limit, recording nothing for it', async () => {
    const r = rule(3);
    for (let i = 0; i < 3; i++) assert.equal((await events().claim(r, 'claimer')).ok, true);
    const refused = await events().claim(r, 'claimer');
    assert.equal(refused.ok, false);
    assert.equal(await count(r, 'claimer'), 3);
  });

  test('a refusal says when the oldest event leaves the window, in whole seconds, at least 1', async () => {
    const r = rule(1, 600);
    assert.ok((await events().claim(r, 'waiter')).ok);
    s.clock.advance(4 * MINUTE + 500);
    const refused = await events().claim(r, 'waiter');
    assert.deepEqual(refused, { ok: false, retryAfterSeconds: 360 });
    assert.equal(await events().secondsUntilRoom(r, 'waiter'), 360);
    s.clock.advance(6 * MINUTE - 500 - 1);
    assert.equal(await events().secondsUntilRoom(r, 'waiter'), 1, 'never 0 while it is still full');
    s.clock.advance(1);
    assert.equal(await events().secondsUntilRoom(r, 'waiter'), 0);
    assert.ok((await events().claim(r, 'waiter')).ok);
  });

  test('release takes a claimed event back, so its unit is free again; an empty list is fine', async () => {
    const r = rule(1);
    const claimed = await events().claim(r, 'giver');
    assert.ok(claimed.ok);
    await events().release(claimed.id);
    await events().release([]);
    assert.equal(await count(r, 'giver'), 0);
    assert.ok((await events().claim(r, 'giver')).ok);
  });

  test('of 10 parallel claims for 3 units exactly 3 pass: only a window really full refuses, never one that had room', async () => {
    const r = rule(3);
    const results = await Promise.all(Array.from({ length: 10 }, () => events().claim(r, 'racer')));
    assert.equal(results.filter((x) => x.ok).length, 3);
    assert.equal(await count(r, 'racer'), 3);
  });

  test('of 10 parallel consumes racing for the last unit of two rules exactly one passes, and the other rule keeps its room', async () => {
    const last = rule(5);
    const roomy = rule(100);
    for (let i = 0; i < 4; i++) assert.ok((await events().consume([last], () => 'last-one')).ok);
    const subjectFor = (r: WindowLimit) => (r === last ? 'last-one' : 'roomy-one');
    // Half name the rules in the other order: locks are taken in one order, so none waits forever.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => events().consume(i % 2 ? [last, roomy] : [roomy, last], subjectFor)));
    assert.equal(results.filter((x) => x.ok).length, 1);
    assert.ok(results.every((x) => x.ok || x.rule === last), 'only the full rule refuses');
    assert.equal(await count(last, 'last-one'), 5);
    assert.equal(await count(roomy, 'roomy-one'), 1);
  });

  test('a window holding more than its limit (the limit lowered since) says when enough have left it, not when the oldest does', async () => {
    const wide = rule(5);
    for (let i = 0; i < 5; i++) {
      assert.ok((await events().claim(wide, 'lowered')).ok);
      s.clock.advance(10 * MINUTE);
    }
    // Events at 0, 10, 20, 30, 40 min; now 50 min. With room for 3, one more fits when the
    // third oldest (20 min) leaves the hour: 30 minutes from now, not the oldest's 10.
    const narrowed = await events().claim({ ...wide, limit: 3 }, 'lowered');
    assert.equal(narrowed.ok, false);
    assert.equal(!narrowed.ok && narrowed.retryAfterSeconds, 30 * 60);
  });

  test('consume takes one unit from every rule or none: a full second rule gives the first one back', async () => {
    const roomy = rule(10);
    const full = rule(1);
    const subjectFor = (r: WindowLimit) => (r === roomy ? 'roomy-subject' : 'full-subject');
    assert.equal((await events().consume([roomy, full], subjectFor)).ok, true);
    const refused = await events().consume([roomy, full], subjectFor);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.rule, full);
    assert.equal(await count(roomy, 'roomy-subject'), 1, 'the roomy rule’s unit went back');
    assert.equal(await count(full, 'full-subject'), 1);
  });

  test('consume hands back the ids it recorded, and release takes them all back', async () => {
    const a = rule(5);
    const b = rule(5);
    const taken = await events().consume([a, b], () => 'both');
    assert.ok(taken.ok);
    assert.equal(taken.ids.length, 2);
    await events().release(taken.ids);
    assert.equal(await count(a, 'both'), 0);
    assert.equal(await count(b, 'both'), 0);
  });

  test('record and countSince run in the caller’s transaction: a rollback takes the event with it', async () => {
    const r = rule(5);
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        await events().record(trx, r.bucket, 'rolled');
        assert.equal(await events().countSince(r.bucket, 'rolled', 0, trx), 1);
        throw new Error('rolled back');
      }),
    );
    assert.equal(await count(r, 'rolled'), 0);
  });

  test('lock makes one row per bucket and subject, touched again by the next lock', async () => {
    const bucket = `lock-${randomUUID()}`;
    await s.db.transaction().execute((trx) => events().lock(trx, bucket, 'locked'));
    s.clock.advance(1_000);
    await s.db.transaction().execute((trx) => events().lock(trx, bucket, 'locked'));
    const rows = await s.db.selectFrom('budget_locks').selectAll().where('bucket', '=', bucket).execute();
    assert.deepEqual(rows, [{ bucket, subject: 'locked', touched_at: s.clock.now() }]);
  });

  test('lock makes a second transaction on the same budget wait for the first to end', async () => {
    const bucket = `lock-${randomUUID()}`;
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = s.db.transaction().execute(async (trx) => {
      await events().lock(trx, bucket, 'queue');
      firstLocked();
      await firstHolds;
      order.push('first ends');
    });
    await locked;
    const second = s.db.transaction().execute(async (trx) => {
      await events().lock(trx, bucket, 'queue');
      order.push('second locked');
    });
    // Let the second transaction run as far as it can; it must not get past its lock.
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first ends', 'second locked']);
  });
});
