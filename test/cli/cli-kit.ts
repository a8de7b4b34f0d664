// The CLI tests' shared set-up: the real `bin/gatehouse.js` as an operator runs it, against a
// database of the suite's own (opened before its first test, closed after its last) with the
// environment that points at it.
import { after, before } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, type TestDatabase, type TestDialect } from '../harness/databases.ts';
import { TEST_SECRET } from '../harness/test-app.ts';

/** The command, run to its end (it blocks this process: no server of this test can answer meanwhile). */
export function gatehouseCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['bin/gatehouse.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The suite's database, a data directory, and the environment a command needs for them. */
export function cliDatabaseForSuite(dialect: TestDialect, name: string) {
  const suite = { database: undefined as unknown as TestDatabase, dataDir: '', env: {} as Record<string, string> };
  before(async () => {
    suite.database = await openTestDatabase(dialect);
    suite.dataDir = mkdtempSync(join(tmpdir(), `gh-${name}-cli-`));
    const config = suite.database.config;
    const url = config.kind === 'postgres' ? config.url : `sqlite:${config.file}`;
    suite.env = { DATABASE_URL: url, GATEHOUSE_SECRET: TEST_SECRET, DATA_DIR: suite.dataDir, LOG_LEVEL: 'silent' };
  });
  after(async () => {
    await suite.database?.close();
    rmSync(suite.dataDir, { recursive: true, force: true });
  });
  return suite;
}
