// Which of the migrations this code has are not applied to the database it talks to. A node
// migrates itself before it listens (server/services.ts), so this finds something only when the
// database changed under a running node: restored from a backup taken before a migration, or
// swapped for another. Readiness (operations/readiness.ts) then says so instead of serving
// queries against columns that are not there.
import { DEFAULT_MIGRATION_TABLE, type Kysely } from 'kysely';
import type { Database } from './database.ts';
import { migrations } from './migrations.ts';

/** The code's migration names missing from the database's record, in order ([] when current). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  // Kysely's own bookkeeping table, which migrateToLatest writes; a newer node's extra migrations
  // (a rolling deploy) are there too, and do not make this node's code out of date.
  const rows = await (db as unknown as Kysely<Record<string, { name: string }>>).selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute();
  const applied = new Set(rows.map((row) => row.name));
  return Object.keys(migrations).sort().filter((name) => !applied.has(name));
}
