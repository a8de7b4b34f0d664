// src/activity/security-events.ts on both databases: append, read back newest first within a
// window, listeners inside the writer's transaction, and housekeeping's address cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecurityEvents, cutOldAddresses, networkOf, type SecurityEventRow } from '../../src/activity/security-events.ts';
import { DAY, storeSuite } from './store-kit.ts';

storeSuite('security events store', (s) => {
  const events = () => createSecurityEvents(s.db, s.clock);

  test('recorded events read back for their account only, newest first, within the window asked for, details parsed', async () => {
    const mine = await s.account();
    const theirs = await s.account();
    const store = events();
    await store.record(s.db, { accountId: mine, type: 'password.changed', way: 'recovery', detail: { signedOutOthers: true }, from: { clientAddress: '203.0.113.9', userAgent: 'x'.repeat(600) } });
    s.clock.advance(1000);
    await store.record(s.db, { accountId: theirs, type: 'sign_in.succeeded', way: 'password' });
    await store.record(s.db, { accountId: mine, type: 'account.locked', actor: 'cli' });
    await store.record(s.db, { accountId: null, type: 'sign_in.failed', result: 'login.invalid_credentials' });
    const read = await store.recentFor(mine, s.clock.now() - DAY);
    assert.deepEqual(read.map((e) => e.type), ['account.locked', 'password.changed']);
    assert.deepEqual(read[1]!.detail, { signedOutOthers: true });
    assert.equal(read[1]!.user_agent!.length, 512, 'the header is cut to 512 characters');
    assert.equal(read[0]!.actor, 'cli');
    assert.deepEqual(await store.recentFor(mine, s.clock.now() + 1), [], 'nothing after now');
    assert.equal((await store.recentFor(mine, 0, 1)).length, 1, 'the limit holds');
  });

  test('listeners run inside the writer’s transaction, for events of no account too (the same work); a rollback undoes both', async () => {
    const accountId = await s.account();
    const store = events();
    const seen: SecurityEventRow[] = [];
    store.onEvent(async (executor, event) => {
      seen.push(event);
      // Written through the same executor: on SQLite a query on `db` here would wait forever.
      await executor.selectFrom('security_events').select('id').where('id', '=', event.id).executeTakeFirstOrThrow();
    });
    await store.record(s.db, { accountId: null, type: 'sign_in.failed' });
    assert.deepEqual(seen.map((e) => e.account_id), [null], 'told of an event of no account, to do the same work');
    seen.length = 0;
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        await store.record(trx, { accountId, type: 'factor.added', way: 'totp' });
        throw new Error('rolled back');
      }),
    );
    assert.equal(seen.length, 1, 'the listener ran in the transaction');
    assert.deepEqual(await store.recentFor(accountId, 0), [], 'and nothing of it stayed');
  });

  test('an address is kept whole 30 days — at 29 days 23:59:59 still whole, cut to its /24 or /48 just after 30 days, once', async () => {
    // The suite's database is shared: earlier tests' addresses are cut first, out of the way.
    s.clock.advance(31 * DAY);
    await cutOldAddresses(s.db, s.clock.now());
    const accountId = await s.account();
    const store = events();
    await store.record(s.db, { accountId, type: 'sign_in.succeeded', from: { clientAddress: '198.51.100.77' } });
    s.clock.advance(1);
    await store.record(s.db, { accountId, type: 'sign_in.succeeded', from: { clientAddress: '2001:db8::1' } });
    const started = s.clock.now();
    assert.equal(await cutOldAddresses(s.db, started + 30 * DAY - 1000), 0);
    assert.equal(await cutOldAddresses(s.db, started + 30 * DAY + 1000), 2);
    assert.deepEqual((await store.recentFor(accountId, 0)).map((e) => e.client_address).sort(), ['198.51.100.0/24', '2001:db8:0::/48']);
    assert.equal(await cutOldAddresses(s.db, started + 31 * DAY), 0, 'a network is not cut again');
  });
});

test('networkOf keeps an IPv4 /24 or an IPv6 /48 and nothing that is not an address', () => {
  assert.equal(networkOf('203.0.113.57'), '203.0.113.0/24');
  assert.equal(networkOf('::ffff:203.0.113.57'), '203.0.113.0/24');
  assert.equal(networkOf('2001:DB8:85a3:08d3:1319:8a2e:370:7348'), '2001:db8:85a3::/48');
  assert.equal(networkOf('2001:db8::'), '2001:db8:0::/48');
  assert.equal(networkOf('203.0.113.0/24'), '203.0.113.0/24');
  assert.equal(networkOf('not an address'), null);
});
