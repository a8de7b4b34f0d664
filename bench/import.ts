// Child process: `gatehouse user import` of BENCH_IMPORT_ACCOUNTS (100,000) shoppers from a JSONL
// file into a fresh SQLite database, next to the machine's limit for the same file: a bare loop
// that reads it with readline, JSON.parse and one prepared INSERT per row, 500 rows a transaction,
// into the same migrated table — no checks, no normalization, no hash reading.
// Usage: node --import tsx bench/import.ts <dataDir> <accounts>; writes <dataDir>/import.json.
// Run alone it prints the figures (`node --import tsx bench/import.ts /tmp/x 100000`).
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type SQLiteModule from 'better-sqlite3';
import { createImportStore } from '../src/import/import-store.ts';
import { importShoppers, linesOf, IMPORT_BATCH_SIZE } from '../src/import/shopper-import.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrations.ts';

export interface ImportResult {
  accounts: number;
  gatehouseMs: number;
  imported: number;
  skipped: number;
  bareMs: number;
  fileBytes: number;
  maxRssKib: number;
}

// One hash of each kind, as an old system exports them; the import reads each (no hashing).
const HASHES = [
  '$2y$10$abcdefghijklmnopqrstuuJ0eN8zQ6bY5E4c3b2a1Z9y8x7w6v5u4',
  '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0',
  'pbkdf2_sha256$1000000$Qm3wZr8TxLp2Vn6Ka1sd9F$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M=',
  '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E',
  '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$yKj4CNPdF0ZeABhJpdASKxmPOEPVAHUb8/rHOmxlZkU',
];

async function writeFile(path: string, count: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({ email: `Imported.Shopper${i}@Example.com`, email_verified: i % 3 !== 0, login_name: i % 2 ? `shopper_${i}` : null, locale: i % 4 ? 'en' : 'ru', password_hash: HASHES[i % HASHES.length] }) + '\n';
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

async function migratedSqlite(file: string) {
  const database = openDatabase({ kind: 'sqlite', file });
  await migrateToLatest(database.db);
  return database;
}

/** The bare loop: what this machine does with the file and the table and nothing else. */
async function bareImport(file: string, jsonl: string): Promise<number> {
  (await migratedSqlite(file)).close();
  const SQLite: typeof SQLiteModule = createRequire(import.meta.url)('better-sqlite3');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  const insert = sqlite.prepare('INSERT INTO accounts (id, email, email_verified_at, login_name, password_hash, locale, locked_at, two_step_enabled_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)');
  const insertAll = sqlite.transaction((rows: any[]) => {
    for (const row of rows) insert.run(randomUUID(), row.email.toLowerCase(), row.email_verified ? 1 : null, row.login_name, row.password_hash, row.locale, 1, 1);
  });
  const started = performance.now();
  let batch: any[] = [];
  for await (const line of createInterface({ input: createReadStream(jsonl, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    batch.push(JSON.parse(line));
    if (batch.length >= IMPORT_BATCH_SIZE) {
      insertAll(batch);
      batch = [];
    }
  }
  insertAll(batch);
  const ms = performance.now() - started;
  sqlite.close();
  return ms;
}

export async function measureImport(dataDir: string, count: number): Promise<ImportResult> {
  mkdirSync(dataDir, { recursive: true });
  const jsonl = join(dataDir, 'shoppers.jsonl');
  const fileBytes = await writeFile(jsonl, count);
  const database = await migratedSqlite(join(dataDir, 'import.db'));
  const started = performance.now();
  const summary = await importShoppers({ store: createImportStore(database.db), clock: systemClock }, linesOf(jsonl), () => {});
  const gatehouseMs = performance.now() - started;
  await database.close();
  const bareMs = await bareImport(join(dataDir, 'import-bare.db'), jsonl);
  return { accounts: count, gatehouseMs, imported: summary.imported, skipped: summary.skipped, bareMs, fileBytes, maxRssKib: process.resourceUsage().maxRSS };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dataDir, countArg] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: import.ts <dataDir> <accounts>');
  const result = await measureImport(dataDir, Number(countArg ?? 100_000));
  writeFileSync(join(dataDir, 'import.json'), JSON.stringify(result));
  if (!process.send) console.log(JSON.stringify(result, null, 2));
}
