// src/sessions/session-store.ts on both databases: lookup by token hash only (joined with the
// account), the active list and its order, and revocation as conditional UPDATEs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { createSessionStore, type SessionRow } from '../../src/sessions/session-store.ts';
import { uniqueViolationColumn } from '../../src/storage/database-errors.ts';
import { DAY, HOUR, storeSuite } from './store-kit.ts';

storeSuite('session store', (s) => {
  const store = () => createSessionStore(s.db);

  async function session(accountId: string, fields: Partial<SessionRow> = {}): Promise<SessionRow> {
    const now = s.clock.now();
    const row: SessionRow = {
      id: randomUUID(),
      token_hash: sha256Hex(randomUUID()),
      account_id: accountId,
      kind: 'browser',
      authenticated_via: 'password',
      user_agent: 'Firefox',
      client_address: '192.0.2.1',
      created_at: now,
      last_seen_at: now,
      expires_at: now + DAY,
      revoked_at: null,
      reverified_at: null,
      kept_signed_in: 0,
      ...fields,
    };
    await store().insert(s.db, row);
    return row;
  }
  const rowOf = (id: string) => s.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('a session is found by its token hash, with its account’s email, locale, lock and login name', async () => {
    const accountId = await s.account({ email: `joined.${randomUUID()}@example.com`, loginName: `joined-${randomUUID().slice(0, 6)}`, locale: 'ru' });
    const row = await session(accountId);
    const found = await store().findByTokenHash(row.token_hash);
    const account = await s.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    assert.deepEqual(found, { ...row, email: account.email, email_verified_at: account.email_verified_at, locked_at: null, locale: 'ru', login_name: account.login_name });
  });

  test('an unknown token hash finds nothing (and the compiled query is reused for every hash)', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    const lookups = store();
    assert.equal(await lookups.findByTokenHash(sha256Hex('nobody')), undefined);
    assert.equal((await lookups.findByTokenHash(row.token_hash))?.id, row.id);
    assert.equal(await lookups.findByTokenHash(''), undefined);
  });

  test('the lookup returns revoked and expired sessions as they are: deciding is the service’s job', async () => {
    const accountId = await s.account();
    const revoked = await session(accountId, { revoked_at: s.clock.now() });
    const expired = await session(accountId, { expires_at: s.clock.now() - 1 });
    assert.equal((await store().findByTokenHash(revoked.token_hash))?.revoked_at, revoked.revoked_at);
    assert.equal((await store().findByTokenHash(expired.token_hash))?.expires_at, expired.expires_at);
  });

  test('two sessions can never share a token hash', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    const error = await session(accountId, { token_hash: row.token_hash }).then(() => null, (e: unknown) => e);
    assert.equal(uniqueViolationColumn(error), 'token_hash');
  });

  test('markReverified stamps the time, swaps the token and returns the unchanged absolute expiry and kept rule', async () => {
    const accountId = await s.account();
    const row = await session(accountId, { kept_signed_in: 1 });
    s.clock.advance(HOUR);
    const newHash = sha256Hex(randomUUID());
    assert.deepEqual({ ...(await store().markReverified(row.id, newHash, s.clock.now())) }, { kind: 'browser', created_at: row.created_at, expires_at: row.expires_at, kept_signed_in: 1 });
    const after = await rowOf(row.id);
    assert.equal(after.reverified_at, s.clock.now());
    assert.equal(after.last_seen_at, s.clock.now());
    assert.equal(await store().findByTokenHash(row.token_hash), undefined, 'the old token no longer works');
    assert.equal((await store().findByTokenHash(newHash))?.id, row.id);
  });

  test('markReverified and replaceToken of a session that does not exist throw (a bug, not an answer)', async () => {
    await assert.rejects(store().markReverified(randomUUID(), sha256Hex('x'), s.clock.now()));
    await assert.rejects(store().replaceToken(s.db, randomUUID(), sha256Hex('y')));
  });

  test('replaceToken swaps the token in the caller’s transaction and returns the expiry', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    const newHash = sha256Hex(randomUUID());
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        assert.deepEqual({ ...(await store().replaceToken(trx, row.id, newHash)) }, { kind: 'browser', created_at: row.created_at, expires_at: row.expires_at, kept_signed_in: 0 });
        throw new Error('rolled back');
      }),
    );
    assert.equal((await rowOf(row.id)).token_hash, row.token_hash, 'rolled back with its transaction');
    assert.deepEqual({ ...(await store().replaceToken(s.db, row.id, newHash)) }, { kind: 'browser', created_at: row.created_at, expires_at: row.expires_at, kept_signed_in: 0 });
    assert.equal((await rowOf(row.id)).token_hash, newHash);
  });

  test('touch moves last_seen_at only', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    s.clock.advance(HOUR);
    await store().touch(row.id, s.clock.now());
    assert.deepEqual(await rowOf(row.id), { ...row, last_seen_at: s.clock.now() });
  });

  test('the active list holds unrevoked sessions still before expires_at, most recently seen first', async () => {
    const accountId = await s.account();
    const now = s.clock.now();
    const older = await session(accountId, { last_seen_at: now - 2 * HOUR });
    const newer = await session(accountId, { last_seen_at: now - HOUR });
    const atEdge = await session(accountId, { expires_at: now + 1 });
    await session(accountId, { expires_at: now });
    await session(accountId, { revoked_at: now - 1 });
    await session(await s.account());
    const listed = await store().listActiveForAccount(accountId, now);
    assert.deepEqual(listed.map((r) => r.id), [atEdge.id, newer.id, older.id]);
  });

  test('revoke ends one session of its own account once: the second time, and for another account, it says false', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    assert.equal(await store().revoke(await s.account(), row.id, s.clock.now()), false);
    assert.equal((await rowOf(row.id)).revoked_at, null);
    assert.equal(await store().revoke(accountId, row.id, s.clock.now()), true);
    const revokedAt = (await rowOf(row.id)).revoked_at;
    s.clock.advance(1_000);
    assert.equal(await store().revoke(accountId, row.id, s.clock.now()), false);
    assert.equal((await rowOf(row.id)).revoked_at, revokedAt, 'the first revocation time stays');
  });

  test('revokeAllExcept ends every other live session of the account and counts them; revoked ones keep their time', async () => {
    const accountId = await s.account();
    const keep = await session(accountId);
    const a = await session(accountId);
    const b = await session(accountId);
    const earlier = await session(accountId, { revoked_at: s.clock.now() - HOUR });
    const stranger = await session(await s.account());
    assert.equal(await store().revokeAllExcept(s.db, accountId, keep.id, s.clock.now()), 2);
    assert.equal((await rowOf(keep.id)).revoked_at, null);
    assert.equal((await rowOf(a.id)).revoked_at, s.clock.now());
    assert.equal((await rowOf(b.id)).revoked_at, s.clock.now());
    assert.equal((await rowOf(earlier.id)).revoked_at, earlier.revoked_at);
    assert.equal((await rowOf(stranger.id)).revoked_at, null);
  });

  test('revokeAllExcept(null) ends every session of the account', async () => {
    const accountId = await s.account();
    await session(accountId);
    await session(accountId);
    assert.equal(await store().revokeAllExcept(s.db, accountId, null, s.clock.now()), 2);
    assert.deepEqual(await store().listActiveForAccount(accountId, s.clock.now()), []);
  });

  test('of parallel revocations of one session exactly one says true', async () => {
    const accountId = await s.account();
    const row = await session(accountId);
    const results = await Promise.all([0, 1, 2, 3].map(() => store().revoke(accountId, row.id, s.clock.now())));
    assert.equal(results.filter(Boolean).length, 1);
  });
});
