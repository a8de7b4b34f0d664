// The meaning read out of each driver's errors, checked against the real drivers: which column a
// unique index refused (both databases), and what counts as "the database is unreachable".
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import { openTestDatabase, testDialects } from '../harness/databases.ts';
import { freePort } from '../harness/free-port.ts';
import { isDatabaseOutage, uniqueViolationColumn } from '../../src/storage/database-errors.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { createAccountStore } from '../../src/identity/account-store.ts';

const account = (email: string, loginName: string | null) => ({ email, loginName, passwordHash: null, locale: 'en', emailVerifiedAt: 1, now: 1 });

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return assert.fail('the work should have failed');
}

for (const dialect of testDialects) {
  describe(`database errors on ${dialect}`, () => {
    test('database errors: a duplicate email or login name is read as a unique violation of that column; other failures are not', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.close());
      const accounts = createAccountStore(database.db);
      await accounts.insert(database.db, account('taken@example.com', 'taken_name'));
      assert.equal(uniqueViolationColumn(await errorOf(() => accounts.insert(database.db, account('taken@example.com', null)))), 'email');
      assert.equal(uniqueViolationColumn(await errorOf(() => accounts.insert(database.db, account('free@example.com', 'taken_name')))), 'login_name');
      const bug = await errorOf(() => sql`SELECT * FROM no_such_table`.execute(database.db));
      assert.equal(uniqueViolationColumn(bug), undefined, 'a bug is not a conflict');
      assert.equal(isDatabaseOutage(bug), false, 'a bug is not an outage');
    });
  });
}

if (testDialects.includes('postgres')) {
  test('database errors: a PostgreSQL nobody listens on (ECONNREFUSED, also for "localhost" with its two addresses) is read as an outage', async () => {
    const port = await freePort();
    for (const host of ['127.0.0.1', 'localhost']) {
      const unreachable = openDatabase({ kind: 'postgres', url: `postgres://nobody:nothing@${host}:${port}/none` });
      try {
        const error = await errorOf(() => sql`SELECT 1`.execute(unreachable.db));
        assert.ok(isDatabaseOutage(error), `${host}: ${(error as Error).message} ${(error as { code?: string }).code}`);
      } finally {
        await unreachable.close();
      }
    }
  });
}

if (testDialects.includes('sqlite')) {
  test('database errors: SQLite’s write lock held past the busy timeout (SQLITE_BUSY) and a file that cannot be opened (SQLITE_CANTOPEN) are read as an outage, from the real driver', async (t) => {
    const database = await openTestDatabase('sqlite');
    t.after(() => database.close());
    const file = database.config.kind === 'sqlite' ? database.config.file : '';
    const SQLite = (await import('better-sqlite3')).default;
    const holder = new SQLite(file);
    const waiter = new SQLite(file, { timeout: 0 });
    t.after(() => (holder.close(), waiter.close()));
    holder.exec('BEGIN IMMEDIATE');
    const busy = await errorOf(async () => waiter.exec('BEGIN IMMEDIATE'));
    holder.exec('ROLLBACK');
    assert.match(String((busy as { code?: string }).code), /^SQLITE_BUSY/);
    assert.ok(isDatabaseOutage(busy), 'a busy database is an outage');
    // A directory where the file should be (the volume mounted at the wrong place).
    const cannotOpen = await errorOf(async () => new SQLite(dirname(file)));
    assert.equal((cannotOpen as { code?: string }).code, 'SQLITE_CANTOPEN');
    assert.ok(isDatabaseOutage(cannotOpen), 'an unopenable file is an outage');
    // Extended codes (better-sqlite3 reports them) of the same kinds, and not a constraint or a bug.
    for (const code of ['SQLITE_IOERR_WRITE', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_FULL']) assert.ok(isDatabaseOutage({ code }), code);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_IOERRX']) assert.equal(isDatabaseOutage({ code }), false, code);
  });
}
