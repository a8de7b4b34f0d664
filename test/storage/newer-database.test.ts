// A rolling deploy: a newer node migrated the shared database, then an older node restarts on it.
// Kysely calls a database holding migrations the code does not know "corrupted"; Gatehouse's
// migrations only add, so the older node must start and serve (src/storage/migrations.ts) — and a
// history that is really mixed (one of the node's own migrations missing too) must still stop it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../harness/databases.ts';
import { openTestDatabase } from '../harness/databases.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';
import { pendingMigrations } from '../../src/storage/migration-status.ts';
import { openDatabase } from '../../src/storage/database.ts';

for (const dialect of testDialects) {
  describe(`a database a newer node migrated (${dialect})`, () => {
    test('an older node starts on a database with a migration it does not know, and serves; one missing its own migration as well is refused', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.close());
      await sql`insert into kysely_migration (name, timestamp) values ('0099_from_a_newer_node', '2026-12-08T00:00:00.000Z')`.execute(database.db);
      assert.deepEqual(await migrateToLatest(database.db), [], 'nothing to apply, and no "corrupted migrations"');
      assert.deepEqual(await pendingMigrations(database.db), [], 'ready');

      const node = await startTestGatehouse(dialect, { database: { ...openDatabase(database.config), config: database.config } });
      try {
        assert.equal((await fetch(new URL('/login', node.url))).status, 200, 'the older node serves');
        assert.equal((await fetch(new URL('/readyz', node.url))).status, 200, 'and says it is ready');
      } finally {
        await node.close();
      }

      await sql`delete from kysely_migration where name = '0013_kept_sessions'`.execute(database.db);
      await assert.rejects(migrateToLatest(database.db), /corrupted migrations/, 'its own 0013 missing and an unknown one present: a mixed history stops it');
    });
  });
}
