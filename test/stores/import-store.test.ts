// src/import/import-store.ts on both databases: a batch of imported accounts in one transaction,
// each field as given; an email or login name that already has an account (before the batch or
// earlier in it) is reported with its line and written nowhere.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createImportStore } from '../../src/import/import-store.ts';
import type { ImportedAccount } from '../../src/import/import-line.ts';
import { storeSuite } from './store-kit.ts';

storeSuite('import store', (s) => {
  const store = () => createImportStore(s.db);
  let line = 0;
  const row = (fields: Partial<ImportedAccount> = {}): ImportedAccount => ({
    line: ++line,
    email: `imported.${randomUUID()}@example.com`,
    emailVerified: true,
    loginName: null,
    locale: 'en',
    passwordHash: '$2b$10$abcdefghijklmnopqrstuuJ0eN8zQ6bY5E4c3b2a1Z9y8x7w6v5u4',
    ...fields,
  });
  const accountByEmail = (email: string) => s.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();

  test('a batch is written field for field: verified or not, login name, locale, the hash as given, unlocked, two-step off', async () => {
    const verified = row({ loginName: `imp-${randomUUID().slice(0, 8)}`, locale: 'ru' });
    const unverified = row({ emailVerified: false, passwordHash: null });
    const result = await store().insertNewAccounts([verified, unverified], s.clock.now());
    assert.deepEqual(result, { inserted: 2, taken: [] });
    const first = await accountByEmail(verified.email);
    assert.ok(first);
    assert.deepEqual(
      { email_verified_at: first.email_verified_at, login_name: first.login_name, locale: first.locale, password_hash: first.password_hash, locked_at: first.locked_at, two_step_enabled_at: first.two_step_enabled_at, created_at: first.created_at },
      { email_verified_at: s.clock.now(), login_name: verified.loginName, locale: 'ru', password_hash: verified.passwordHash, locked_at: null, two_step_enabled_at: null, created_at: s.clock.now() },
    );
    const second = await accountByEmail(unverified.email);
    assert.equal(second?.email_verified_at, null);
    assert.equal(second?.password_hash, null);
  });

  test('an email that already has an account is reported as email_taken with its line; the account is not touched', async () => {
    const existing = row();
    await store().insertNewAccounts([existing], s.clock.now());
    const before = await accountByEmail(existing.email);
    s.clock.advance(1000);
    const again = row({ email: existing.email, locale: 'ru', passwordHash: null });
    const fresh = row();
    const result = await store().insertNewAccounts([again, fresh], s.clock.now());
    assert.deepEqual(result, { inserted: 1, taken: [{ line: again.line, email: existing.email, reason: 'import.email_taken' }] });
    assert.deepEqual(await accountByEmail(existing.email), before);
  });

  test('a login name that belongs to another account is login_name_taken, and that line writes nothing', async () => {
    const name = `taken-${randomUUID().slice(0, 8)}`;
    await s.account({ loginName: name });
    const clash = row({ loginName: name });
    const result = await store().insertNewAccounts([clash], s.clock.now());
    assert.deepEqual(result, { inserted: 0, taken: [{ line: clash.line, email: clash.email, reason: 'import.login_name_taken' }] });
    assert.equal(await accountByEmail(clash.email), undefined);
  });

  test('the same email or login name twice in one batch: the first line is the account, the later ones are reported', async () => {
    const name = `twice-${randomUUID().slice(0, 8)}`;
    const first = row({ loginName: name });
    const sameEmail = row({ email: first.email });
    const sameName = row({ loginName: name });
    const result = await store().insertNewAccounts([first, sameEmail, sameName], s.clock.now());
    assert.equal(result.inserted, 1);
    assert.deepEqual(result.taken.map((t) => [t.line, t.reason]), [[sameEmail.line, 'import.email_taken'], [sameName.line, 'import.login_name_taken']]);
    const count = await s.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('email', 'in', [first.email, sameName.email]).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });

  test('an empty batch writes nothing and asks the database nothing', async () => {
    assert.deepEqual(await store().insertNewAccounts([], s.clock.now()), { inserted: 0, taken: [] });
  });

  test('500 rows go in as one batch on both databases (bound parameters within both limits)', async () => {
    const batch = Array.from({ length: 500 }, () => row({ loginName: `bulk-${randomUUID().slice(0, 12)}` }));
    const result = await store().insertNewAccounts(batch, s.clock.now());
    assert.deepEqual(result, { inserted: 500, taken: [] });
  });
});
