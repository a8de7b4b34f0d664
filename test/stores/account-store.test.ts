// src/identity/account-store.ts on both databases: one account per address and per login name
// (the unique indexes decide races), lookups by the normalized identifier, and the setters.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createAccountStore } from '../../src/identity/account-store.ts';
import { normalizeEmail, normalizeLoginName, parseIdentifier, type Identifier } from '../../src/identity/identifiers.ts';
import { uniqueViolationColumn } from '../../src/storage/database-errors.ts';
import { storeSuite } from './store-kit.ts';

storeSuite('account store', (s) => {
  const store = () => createAccountStore(s.db);
  const fresh = () => `shopper.${randomUUID()}@example.com`;
  const insert = (fields: { email: string; loginName?: string | null }) =>
    store().insert(s.db, { email: fields.email, loginName: fields.loginName ?? null, passwordHash: 'hash', locale: 'ru', emailVerifiedAt: s.clock.now(), now: s.clock.now() });

  test('an inserted account reads back by id, email, login name and identifier, field for field', async () => {
    const loginName = `name-${randomUUID().slice(0, 8)}`;
    const account = await insert({ email: fresh(), loginName });
    assert.equal(account.locked_at, null);
    assert.equal(account.two_step_enabled_at, null);
    assert.deepEqual(await store().findById(account.id), account);
    assert.deepEqual(await store().findByEmail(account.email), account);
    assert.deepEqual(await store().findByLoginName(loginName), account);
    assert.deepEqual(await store().findByIdentifier({ kind: 'email', value: account.email }), account);
    assert.deepEqual(await store().findByIdentifier({ kind: 'login_name', value: loginName }), account);
  });

  test('times come back as numbers on both databases (bigint columns are not strings)', async () => {
    const account = await insert({ email: fresh() });
    const found = await store().findById(account.id);
    assert.equal(typeof found!.created_at, 'number');
    assert.equal(typeof found!.email_verified_at, 'number');
  });

  test('nothing is found for an unknown id, email or login name', async () => {
    assert.equal(await store().findById(randomUUID()), undefined);
    assert.equal(await store().findByEmail(fresh()), undefined);
    assert.equal(await store().findByLoginName('nobody-at-all'), undefined);
  });

  test('an email is one identifier and a login name another: a login name equal to an address finds nothing', async () => {
    const account = await insert({ email: fresh() });
    assert.equal(await store().findByIdentifier({ kind: 'login_name', value: account.email }), undefined);
  });

  test('the store compares exactly; identifiers are case-folded before they reach it, so any case finds the account', async () => {
    const account = await insert({ email: normalizeEmail(`  Mixed.${randomUUID()}@Example.COM `) });
    assert.equal(await store().findByEmail(account.email.toUpperCase()), undefined, 'no folding in SQL on either database');
    const typed = parseIdentifier(account.email.toUpperCase());
    assert.ok(typed.ok);
    assert.deepEqual(await store().findByIdentifier(typed.identifier), account);
    const name = normalizeLoginName(`Ivan_${randomUUID().slice(0, 6)}`);
    const named = await insert({ email: fresh(), loginName: name });
    const parsedName = parseIdentifier(name.toUpperCase());
    assert.ok(parsedName.ok);
    assert.deepEqual(await store().findByIdentifier(parsedName.identifier), named);
  });

  test('one address, one account: a second insert of the address fails on the email column', async () => {
    const email = fresh();
    await insert({ email });
    const error = await insert({ email }).then(() => null, (e: unknown) => e);
    assert.equal(uniqueViolationColumn(error), 'email');
  });

  test('one login name, one account: a second insert of the name fails on the login_name column', async () => {
    const loginName = `taken-${randomUUID().slice(0, 8)}`;
    await insert({ email: fresh(), loginName });
    const error = await insert({ email: fresh(), loginName }).then(() => null, (e: unknown) => e);
    assert.equal(uniqueViolationColumn(error), 'login_name');
  });

  test('any number of accounts may have no login name', async () => {
    await insert({ email: fresh(), loginName: null });
    await insert({ email: fresh(), loginName: null });
    const count = await s.db.selectFrom('accounts').select('id').where('login_name', 'is', null).execute();
    assert.ok(count.length >= 2);
  });

  test('of parallel inserts of one address exactly one succeeds', async () => {
    const email = fresh();
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(() => insert({ email })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal(uniqueViolationColumn(r.reason), 'email');
  });

  test('an insert inside a transaction that rolls back leaves no account', async () => {
    const email = fresh();
    await assert.rejects(
      s.db.transaction().execute(async (trx) => {
        await store().insert(trx, { email, loginName: null, passwordHash: null, locale: 'en', emailVerifiedAt: null, now: s.clock.now() });
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await store().findByEmail(email), undefined);
  });

  test('findById through a transaction sees the transaction’s own insert', async () => {
    await s.db.transaction().execute(async (trx) => {
      const account = await store().insert(trx, { email: fresh(), loginName: null, passwordHash: null, locale: 'en', emailVerifiedAt: null, now: s.clock.now() });
      assert.equal((await store().findById(account.id, trx))?.id, account.id);
    });
  });

  test('setPasswordHash, setLocked and setLocale change their field and updated_at, and only that account', async () => {
    const account = await insert({ email: fresh() });
    const other = await insert({ email: fresh() });
    s.clock.advance(1_000);
    await store().setPasswordHash(s.db, account.id, 'new-hash', s.clock.now());
    assert.equal((await store().findById(account.id))!.password_hash, 'new-hash');
    assert.equal((await store().findById(account.id))!.updated_at, s.clock.now());
    s.clock.advance(1_000);
    await store().setLocked(account.id, s.clock.now(), s.clock.now());
    assert.equal((await store().findById(account.id))!.locked_at, s.clock.now());
    await store().setLocked(account.id, null, s.clock.now());
    assert.equal((await store().findById(account.id))!.locked_at, null);
    await store().setLocale(account.id, 'en', s.clock.now());
    assert.equal((await store().findById(account.id))!.locale, 'en');
    assert.deepEqual(await store().findById(other.id), other);
  });
});
