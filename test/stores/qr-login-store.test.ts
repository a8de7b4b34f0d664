// src/qr-login/qr-login-store.ts on both databases: every transition is one conditional UPDATE
// with the state and the deadline in its WHERE clause, so of racing scans, decisions or
// completions exactly one wins, and none wins at or after its deadline.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { QrRequest } from '../../src/qr-login/qr-login-flow.ts';
import { createQrLoginStore } from '../../src/qr-login/qr-login-store.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { uniqueViolationColumn } from '../../src/storage/database-errors.ts';
import { MINUTE, storeSuite } from './store-kit.ts';

storeSuite('QR sign-in store', (s) => {
  const store = () => createQrLoginStore(s.db);

  async function request(fields: Partial<QrRequest> = {}): Promise<QrRequest> {
    const now = s.clock.now();
    const row: QrRequest = {
      id: randomUUID(),
      token_hash: sha256Hex(randomUUID()),
      secret_hash: sha256Hex(randomUUID()),
      state: 'pending',
      browser_user_agent: 'Firefox',
      browser_address: '192.0.2.7',
      account_id: null,
      app_session_id: null,
      session_id: null,
      created_at: now,
      scan_by: now + 2 * MINUTE,
      decide_by: null,
      complete_by: null,
      updated_at: now,
      ...fields,
    };
    await store().insert(row);
    return row;
  }
  /** A request scanned by a fresh account's app session. */
  async function scanned() {
    const row = await request();
    const accountId = await s.account();
    const appSessionId = randomUUID();
    assert.ok(await store().markScanned(row.id, accountId, appSessionId, s.clock.now(), s.clock.now() + MINUTE));
    return { ...row, accountId, appSessionId, decideBy: s.clock.now() + MINUTE };
  }
  const rowOf = async (id: string) => (await store().findById(id))!;

  test('a request is found by its id, its token hash and its secret hash, and by nothing else', async () => {
    const row = await request();
    assert.deepEqual(await store().findById(row.id), row);
    assert.deepEqual(await store().findByTokenHash(row.token_hash), row);
    assert.deepEqual(await store().findBySecretHash(row.secret_hash), row);
    assert.equal(await store().findByTokenHash(row.secret_hash), undefined);
    assert.equal(await store().findBySecretHash(row.token_hash), undefined);
    assert.equal(await store().findById(randomUUID()), undefined);
  });

  test('token and secret hashes are unique', async () => {
    const row = await request();
    assert.equal(uniqueViolationColumn(await request({ token_hash: row.token_hash }).then(() => null, (e: unknown) => e)), 'token_hash');
    assert.equal(uniqueViolationColumn(await request({ secret_hash: row.secret_hash }).then(() => null, (e: unknown) => e)), 'secret_hash');
  });

  test('a scan before scan_by marks the request scanned with its account, app session and decision deadline', async () => {
    const row = await request();
    const accountId = await s.account();
    s.clock.set(row.scan_by - 1);
    assert.equal(await store().markScanned(row.id, accountId, 'app-session', s.clock.now(), s.clock.now() + MINUTE), true);
    assert.deepEqual(await rowOf(row.id), { ...row, state: 'scanned', account_id: accountId, app_session_id: 'app-session', decide_by: s.clock.now() + MINUTE, updated_at: s.clock.now() });
  });

  test('a scan at scan_by is too late and changes nothing', async () => {
    const row = await request();
    s.clock.set(row.scan_by);
    assert.equal(await store().markScanned(row.id, await s.account(), 'app-session', s.clock.now(), s.clock.now() + MINUTE), false);
    assert.deepEqual(await rowOf(row.id), row);
  });

  test('of parallel scans of one request exactly one wins, and the request keeps the winner’s account', async () => {
    const row = await request();
    const accounts = await Promise.all([0, 1, 2, 3].map(() => s.account()));
    const results = await Promise.all(accounts.map((accountId, i) => store().markScanned(row.id, accountId, `app-${i}`, s.clock.now(), s.clock.now() + MINUTE)));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal((await rowOf(row.id)).account_id, accounts[winner]);
    assert.equal((await rowOf(row.id)).app_session_id, `app-${winner}`);
  });

  test('only the app session that scanned may decide', async () => {
    const row = await scanned();
    assert.equal(await store().decide(row.id, 'another-app-session', true, s.clock.now(), s.clock.now() + MINUTE), false);
    assert.equal((await rowOf(row.id)).state, 'scanned');
  });

  test('approving before decide_by moves to approved with a completion deadline; at decide_by it is too late', async () => {
    const late = await scanned();
    s.clock.set(late.decideBy);
    assert.equal(await store().decide(late.id, late.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE), false);
    assert.equal((await rowOf(late.id)).state, 'scanned');

    const row = await scanned();
    s.clock.set(row.decideBy - 1);
    assert.equal(await store().decide(row.id, row.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE), true);
    const approved = await rowOf(row.id);
    assert.equal(approved.state, 'approved');
    assert.equal(approved.complete_by, s.clock.now() + MINUTE);
  });

  test('denying moves to denied and sets no completion deadline', async () => {
    const row = await scanned();
    assert.equal(await store().decide(row.id, row.appSessionId, false, s.clock.now(), s.clock.now() + MINUTE), true);
    const denied = await rowOf(row.id);
    assert.equal(denied.state, 'denied');
    assert.equal(denied.complete_by, null);
  });

  test('a decision is made once: approving after a denial (or again) changes nothing', async () => {
    const row = await scanned();
    assert.ok(await store().decide(row.id, row.appSessionId, false, s.clock.now(), s.clock.now() + MINUTE));
    assert.equal(await store().decide(row.id, row.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE), false);
    assert.equal((await rowOf(row.id)).state, 'denied');
  });

  test('a request not yet scanned cannot be decided', async () => {
    const row = await request();
    assert.equal(await store().decide(row.id, 'app', true, s.clock.now(), s.clock.now() + MINUTE), false);
    assert.equal((await rowOf(row.id)).state, 'pending');
  });

  test('an approved request is consumed once, before complete_by, with the new session recorded', async () => {
    const row = await scanned();
    assert.ok(await store().decide(row.id, row.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE));
    const completeBy = s.clock.now() + MINUTE;
    s.clock.set(completeBy - 1);
    const results = await Promise.all([0, 1, 2].map((i) => store().markConsumed(s.db, row.id, `session-${i}`, s.clock.now())));
    assert.equal(results.filter(Boolean).length, 1);
    const consumed = await rowOf(row.id);
    assert.equal(consumed.state, 'consumed');
    assert.equal(consumed.session_id, `session-${results.indexOf(true)}`);
  });

  test('consuming at complete_by is too late; consuming an unapproved request does nothing', async () => {
    const row = await scanned();
    assert.equal(await store().markConsumed(s.db, row.id, 'session', s.clock.now()), false, 'scanned, not approved');
    assert.ok(await store().decide(row.id, row.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE));
    s.clock.advance(MINUTE);
    assert.equal(await store().markConsumed(s.db, row.id, 'session', s.clock.now()), false);
    assert.equal((await rowOf(row.id)).state, 'approved');
  });

  test('consuming inside a transaction that rolls back leaves the request approved', async () => {
    const row = await scanned();
    assert.ok(await store().decide(row.id, row.appSessionId, true, s.clock.now(), s.clock.now() + MINUTE));
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        assert.ok(await store().markConsumed(trx, row.id, 'session', s.clock.now()));
        throw new Error('rolled back');
      }),
    );
    assert.equal((await rowOf(row.id)).state, 'approved');
    assert.equal((await rowOf(row.id)).session_id, null);
  });
});
