// src/passkeys/passkey-store.ts on both databases: challenges stored hashed, bound, 5 minutes,
// consumed once by a conditional UPDATE; passkeys unique by credential id over all accounts; the
// counter moves only from the value read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { CHALLENGE_LIFETIME_MS, createPasskeyStore, type NewPasskey } from '../../src/passkeys/passkey-store.ts';
import { uniqueViolationColumn } from '../../src/storage/database-errors.ts';
import { SECOND, storeSuite } from './store-kit.ts';

const newPasskey = (credentialId: string, fields: Partial<NewPasskey> = {}): NewPasskey => ({
  credentialId,
  publicKey: 'pQECAyYgASFYIA',
  signCount: 0,
  transports: ['internal', 'hybrid'],
  aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
  name: 'iCloud Keychain',
  deviceType: 'multiDevice',
  backupEligible: true,
  backedUp: true,
  ...fields,
});

storeSuite('passkey store', (s) => {
  const store = () => createPasskeyStore(s.db, s.clock);
  let n = 0;
  const challenge = () => `challenge-${Date.now()}-${++n}`;

  test('issueChallenge stores only the SHA-256 of the challenge, with its binding and a 5-minute life', async () => {
    const accountId = await s.account();
    const c = challenge();
    const issued = await store().issueChallenge(c, { purpose: 'register', browserId: 'browser-a', accountId });
    const row = await s.db.selectFrom('passkey_challenges').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
    assert.equal(row.challenge_hash, createHash('sha256').update(c).digest('hex'));
    assert.ok(!JSON.stringify(row).includes(c));
    assert.equal(row.browser_hash, createHash('sha256').update('browser-a').digest('hex'));
    assert.equal(row.account_id, accountId);
    assert.equal(row.purpose, 'register');
    assert.equal(Number(row.expires_at), s.clock.now() + CHALLENGE_LIFETIME_MS);
    assert.equal(row.used_at, null);
  });

  test('consumeChallenge succeeds once: the second use is refused', async () => {
    const c = challenge();
    await store().issueChallenge(c, { purpose: 'authenticate', browserId: 'b' });
    assert.deepEqual(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b' }), { accountId: null });
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b' }), undefined);
  });

  test('two racing consumes of one challenge: exactly one wins', async () => {
    const c = challenge();
    await store().issueChallenge(c, { purpose: 'authenticate', browserId: 'b' });
    const results = await Promise.all([1, 2, 3, 4].map(() => store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b' })));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('consumeChallenge refuses another browser, purpose, flow or account, and leaves the challenge usable', async () => {
    const accountId = await s.account();
    const other = await s.account();
    const c = challenge();
    await store().issueChallenge(c, { purpose: 'authenticate', browserId: 'b', flowId: 'flow-1', accountId });
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'other', flowId: 'flow-1', accountId }), undefined);
    assert.equal(await store().consumeChallenge(c, { purpose: 'register', browserId: 'b', flowId: 'flow-1', accountId }), undefined);
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b', flowId: 'flow-2', accountId }), undefined);
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b', accountId }), undefined);
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b', flowId: 'flow-1', accountId: other }), undefined);
    assert.equal(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b', flowId: 'flow-1' }), undefined, 'a verification naming no account cannot spend an account’s challenge');
    assert.deepEqual(await store().consumeChallenge(c, { purpose: 'authenticate', browserId: 'b', flowId: 'flow-1', accountId }), { accountId });
  });

  test('a challenge lives 5 minutes — accepted at 4:59, refused at 5:00', async () => {
    const early = challenge();
    const late = challenge();
    await store().issueChallenge(early, { purpose: 'authenticate', browserId: 'b' });
    await store().issueChallenge(late, { purpose: 'authenticate', browserId: 'b' });
    s.clock.advance(CHALLENGE_LIFETIME_MS - SECOND);
    assert.ok(await store().consumeChallenge(early, { purpose: 'authenticate', browserId: 'b' }));
    s.clock.advance(SECOND);
    assert.equal(await store().consumeChallenge(late, { purpose: 'authenticate', browserId: 'b' }), undefined);
  });

  test('deleteExpiredChallenges removes only challenges past their life', async () => {
    const old = challenge();
    await store().issueChallenge(old, { purpose: 'authenticate', browserId: 'b' });
    s.clock.advance(CHALLENGE_LIFETIME_MS + SECOND);
    const fresh = challenge();
    await store().issueChallenge(fresh, { purpose: 'authenticate', browserId: 'b' });
    assert.ok((await store().deleteExpiredChallenges(s.clock.now())) >= 1);
    assert.ok(await store().consumeChallenge(fresh, { purpose: 'authenticate', browserId: 'b' }));
  });

  test('add, list, count and the finds read a passkey back as it was saved', async () => {
    const accountId = await s.account();
    const other = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`));
    assert.equal(saved.accountId, accountId);
    assert.equal(saved.createdAt, s.clock.now());
    assert.equal(saved.lastUsedAt, null);
    assert.deepEqual(await store().listForAccount(accountId), [saved]);
    assert.deepEqual(await store().listForAccount(other), []);
    assert.equal(await store().countForAccount(accountId), 1);
    assert.deepEqual(await store().findByCredentialId(saved.credentialId), saved);
    assert.deepEqual(await store().findForAccount(accountId, saved.id), saved);
    assert.equal(await store().findForAccount(other, saved.id), undefined);
    assert.deepEqual(saved.transports, ['internal', 'hybrid']);
    assert.equal(saved.backupEligible, true);
  });

  test('the same credential id cannot be saved twice, to any account: a unique violation the caller can tell', async () => {
    const a = await s.account();
    const b = await s.account();
    const id = `cred-${++n}`;
    await store().add(s.db, a, newPasskey(id));
    await assert.rejects(store().add(s.db, b, newPasskey(id)), (error) => uniqueViolationColumn(error) === 'credential_id');
    assert.equal(await store().countForAccount(b), 0);
  });

  test('rename changes the name of that account’s passkey only', async () => {
    const accountId = await s.account();
    const other = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`));
    assert.equal(await store().rename(other, saved.id, 'Stolen'), false);
    assert.equal(await store().rename(accountId, saved.id, 'Work laptop'), true);
    assert.equal((await store().findForAccount(accountId, saved.id))!.name, 'Work laptop');
  });

  test('remove deletes that account’s passkey and returns it; another account cannot remove it', async () => {
    const accountId = await s.account();
    const other = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`));
    assert.equal(await store().remove(s.db, other, saved.id), undefined);
    assert.equal((await store().remove(s.db, accountId, saved.id))!.id, saved.id);
    assert.equal(await store().findByCredentialId(saved.credentialId), undefined);
    assert.equal(await store().remove(s.db, accountId, saved.id), undefined);
  });

  test('recordUse moves the counter only from the value read: a racing second use is refused', async () => {
    const accountId = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`, { signCount: 5, backedUp: false }));
    s.clock.advance(SECOND);
    assert.equal(await store().recordUse(saved.id, 5, 6, true), true);
    assert.equal(await store().recordUse(saved.id, 5, 7, true), false);
    const row = (await store().findForAccount(accountId, saved.id))!;
    assert.equal(row.signCount, 6);
    assert.equal(row.lastUsedAt, s.clock.now());
    assert.equal(row.backedUp, true);
  });

  test('markSuspectedClone marks a passkey once: the first call says so, a racing or later one does not', async () => {
    const accountId = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`));
    assert.equal(saved.suspectedCloneAt, null, 'a new passkey is not suspected');
    s.clock.advance(SECOND);
    const marks = await Promise.all([store().markSuspectedClone(saved.id), store().markSuspectedClone(saved.id)]);
    assert.deepEqual(marks.filter(Boolean), [true], 'exactly one of two racing calls marks it');
    const markedAt = s.clock.now();
    s.clock.advance(SECOND);
    assert.equal(await store().markSuspectedClone(saved.id), false);
    assert.equal((await store().findForAccount(accountId, saved.id))!.suspectedCloneAt, markedAt, 'the first marking stands');
  });

  test('a damaged transports column reads as no transports, not a crash', async () => {
    const accountId = await s.account();
    const saved = await store().add(s.db, accountId, newPasskey(`cred-${++n}`));
    await s.db.updateTable('passkeys').set({ transports: 'not json' }).where('id', '=', saved.id).execute();
    assert.deepEqual((await store().findForAccount(accountId, saved.id))!.transports, []);
  });
});
