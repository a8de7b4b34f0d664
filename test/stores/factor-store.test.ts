// src/factors/factor-store.ts on both databases: sealed phone and authenticator rows, single-use
// TOTP steps and backup codes as conditional UPDATEs, and the summary the flows read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFactorStore } from '../../src/factors/factor-store.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { storeSuite } from './store-kit.ts';

const NUMBER = '+79161234512';
const MASKED = '+7 *** ***-**-12';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

storeSuite('factor store', (s) => {
  const store = () => createFactorStore(s.db, s.secrets, s.clock);

  test('an account without factors has an empty summary, no phone and no authenticator', async () => {
    const accountId = await s.account();
    assert.deepEqual(await store().summary(accountId), { phone: null, totp: false, backupCodesLeft: 0, passkeys: 0, twoStep: false });
    assert.equal(await store().findPhone(accountId), undefined);
    assert.equal(await store().findTotpSecret(accountId), undefined);
  });

  test('a saved phone reads back; the row holds it sealed, never readable', async () => {
    const accountId = await s.account();
    await store().savePhone(s.db, accountId, NUMBER, MASKED);
    assert.deepEqual(await store().findPhone(accountId), { e164: NUMBER, masked: MASKED });
    const row = await s.db.selectFrom('account_phones').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
    assert.ok(!row.number_sealed.includes('9161234512'));
    assert.equal(row.verified_at, s.clock.now());
    assert.equal((await store().summary(accountId)).phone, MASKED);
  });

  test('saving a phone again replaces the number: one phone per account', async () => {
    const accountId = await s.account();
    await store().savePhone(s.db, accountId, NUMBER, MASKED);
    s.clock.advance(1_000);
    await store().savePhone(s.db, accountId, '+33612345678', '+33 * ** ** ** 78');
    assert.deepEqual(await store().findPhone(accountId), { e164: '+33612345678', masked: '+33 * ** ** ** 78' });
    const rows = await s.db.selectFrom('account_phones').selectAll().where('account_id', '=', accountId).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.verified_at, s.clock.now());
  });

  test('a sealed number copied onto another account’s row does not open there: it counts as no phone', async () => {
    const owner = await s.account();
    const other = await s.account();
    await store().savePhone(s.db, owner, NUMBER, MASKED);
    await store().savePhone(s.db, other, '+33612345678', 'x');
    const sealed = (await s.db.selectFrom('account_phones').select('number_sealed').where('account_id', '=', owner).executeTakeFirstOrThrow()).number_sealed;
    await s.db.updateTable('account_phones').set({ number_sealed: sealed }).where('account_id', '=', other).execute();
    assert.equal(await store().findPhone(other), undefined);
  });

  test('removePhone removes the phone of that account only', async () => {
    const accountId = await s.account();
    const other = await s.account();
    await store().savePhone(s.db, accountId, NUMBER, MASKED);
    await store().savePhone(s.db, other, NUMBER, MASKED);
    await store().removePhone(s.db, accountId);
    assert.equal(await store().findPhone(accountId), undefined);
    assert.deepEqual(await store().findPhone(other), { e164: NUMBER, masked: MASKED });
  });

  test('a saved authenticator reads back, sealed in its row; saving again replaces it', async () => {
    const accountId = await s.account();
    await store().saveTotp(s.db, accountId, SECRET, 100);
    assert.equal(await store().findTotpSecret(accountId), SECRET);
    const row = await s.db.selectFrom('totp_credentials').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
    assert.ok(!row.secret_sealed.includes(SECRET));
    assert.equal(row.last_used_step, 100);
    await store().saveTotp(s.db, accountId, 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU', 200);
    assert.equal(await store().findTotpSecret(accountId), 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU');
    assert.equal((await store().summary(accountId)).totp, true);
  });

  test('totpSecretOrDecoy gives the real secret, or a decoy marked real: false for an account without one', async () => {
    const withOne = await s.account();
    await store().saveTotp(s.db, withOne, SECRET, 1);
    assert.deepEqual(await store().totpSecretOrDecoy(withOne), { secret: SECRET, real: true });
    const decoy = await store().totpSecretOrDecoy(await s.account());
    assert.equal(decoy.real, false);
    assert.match(decoy.secret, /^[A-Z2-7]+=*$/);
  });

  test('a TOTP step is accepted once and only when newer than the last: same step and older ones say false', async () => {
    const accountId = await s.account();
    await store().saveTotp(s.db, accountId, SECRET, 100);
    assert.equal(await store().claimTotpStep(accountId, 100), false, 'the step that confirmed it');
    assert.equal(await store().claimTotpStep(accountId, 99), false);
    assert.equal(await store().claimTotpStep(accountId, 101), true);
    assert.equal(await store().claimTotpStep(accountId, 101), false, 'a replay of the same code');
    assert.equal(await store().claimTotpStep(await s.account(), 500), false, 'no authenticator, nothing to claim');
  });

  test('of parallel claims of one TOTP step exactly one wins', async () => {
    const accountId = await s.account();
    await store().saveTotp(s.db, accountId, SECRET, 10);
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => store().claimTotpStep(accountId, 11)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('removeTotp removes the authenticator', async () => {
    const accountId = await s.account();
    await store().saveTotp(s.db, accountId, SECRET, 1);
    await store().removeTotp(s.db, accountId);
    assert.equal(await store().findTotpSecret(accountId), undefined);
    assert.equal((await store().summary(accountId)).totp, false);
  });

  test('backup codes: each works once, are stored as keyed hashes, and counted while unused', async () => {
    const accountId = await s.account();
    await store().replaceBackupCodes(s.db, accountId, ['aaaa1111', 'bbbb2222', 'cccc3333']);
    assert.equal(await store().backupCodesLeft(accountId), 3);
    const hashes = (await s.db.selectFrom('backup_codes').select('code_hash').where('account_id', '=', accountId).execute()).map((r) => r.code_hash);
    assert.ok(hashes.every((hash) => !/aaaa1111|bbbb2222|cccc3333/.test(hash)));
    assert.equal(await store().useBackupCode(accountId, 'bbbb2222'), true);
    assert.equal(await store().useBackupCode(accountId, 'bbbb2222'), false);
    assert.equal(await store().useBackupCode(accountId, 'dddd4444'), false);
    assert.equal(await store().backupCodesLeft(accountId), 2);
    assert.equal((await store().summary(accountId)).backupCodesLeft, 2);
  });

  test('a backup code of one account does not work for another', async () => {
    const owner = await s.account();
    const other = await s.account();
    await store().replaceBackupCodes(s.db, owner, ['eeee5555']);
    await store().replaceBackupCodes(s.db, other, ['ffff6666']);
    assert.equal(await store().useBackupCode(other, 'eeee5555'), false);
    assert.equal(await store().backupCodesLeft(owner), 1);
  });

  test('a new set of backup codes voids every code of the old set', async () => {
    const accountId = await s.account();
    await store().replaceBackupCodes(s.db, accountId, ['old11111', 'old22222']);
    await store().replaceBackupCodes(s.db, accountId, ['new11111']);
    assert.equal(await store().useBackupCode(accountId, 'old11111'), false);
    assert.equal(await store().backupCodesLeft(accountId), 1);
    assert.equal(await store().useBackupCode(accountId, 'new11111'), true);
  });

  test('of parallel uses of one backup code exactly one wins', async () => {
    const accountId = await s.account();
    await store().replaceBackupCodes(s.db, accountId, ['race1111']);
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => store().useBackupCode(accountId, 'race1111')));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await store().backupCodesLeft(accountId), 0);
  });

  test('backup codes hashed under another secret do not match (the key is GATEHOUSE_SECRET’s)', async () => {
    const accountId = await s.account();
    await createFactorStore(s.db, createSecrets('another-secret-0123456789abcdef0123456789'), s.clock).replaceBackupCodes(s.db, accountId, ['keyed111']);
    assert.equal(await store().useBackupCode(accountId, 'keyed111'), false);
  });

  test('removeBackupCodes removes them all', async () => {
    const accountId = await s.account();
    await store().replaceBackupCodes(s.db, accountId, ['gone1111', 'gone2222']);
    await store().removeBackupCodes(s.db, accountId);
    assert.equal(await store().backupCodesLeft(accountId), 0);
  });

  test('the two-step switch is a time on the account, on and off, and the summary reads it', async () => {
    const accountId = await s.account();
    await store().setTwoStep(s.db, accountId, true);
    assert.equal((await s.db.selectFrom('accounts').select('two_step_enabled_at').where('id', '=', accountId).executeTakeFirstOrThrow()).two_step_enabled_at, s.clock.now());
    assert.equal((await store().summary(accountId)).twoStep, true);
    await store().setTwoStep(s.db, accountId, false);
    assert.equal((await store().summary(accountId)).twoStep, false);
  });

  test('the summary inside a transaction sees that transaction’s own changes', async () => {
    const accountId = await s.account();
    await s.db.transaction().execute(async (trx) => {
      await store().savePhone(trx, accountId, NUMBER, MASKED);
      await store().replaceBackupCodes(trx, accountId, ['trx11111']);
      assert.deepEqual(await store().summary(accountId, trx), { phone: MASKED, totp: false, backupCodesLeft: 1, passkeys: 0, twoStep: false });
    });
  });

  test('factors go when their account goes', async () => {
    const accountId = await s.account();
    await store().savePhone(s.db, accountId, NUMBER, MASKED);
    await store().saveTotp(s.db, accountId, SECRET, 1);
    await s.db.deleteFrom('accounts').where('id', '=', accountId).execute();
    assert.equal(await store().findPhone(accountId), undefined);
    assert.equal(await store().findTotpSecret(accountId), undefined);
  });
});
