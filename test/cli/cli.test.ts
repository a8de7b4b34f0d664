import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { TEST_SECRET } from '../harness/test-app.ts';
import { loadConfig, ConfigError } from '../../src/config/config.ts';

function gatehouse(args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(process.execPath, ['bin/gatehouse.js', ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('gatehouse --help lists every command', () => {
  const help = gatehouse(['--help'], {});
  assert.equal(help.code, 0);
  for (const command of ['serve', 'migrate', 'user create', 'user lock', 'user unlock']) assert.ok(help.stdout.includes(command), command);
});

test('config: a wrong value stops start-up with one line naming the variable', () => {
  for (const [name, value] of [['PORT', 'eighty'], ['DATABASE_URL', 'mysql://x'], ['GATEHOUSE_SECRET', 'short'], ['SMTP_URL', 'http://mail'], ['LOG_LEVEL', 'loud'], ['TRUST_PROXY', 'maybe'], ['SESSION_IDLE_MINUTES', '0']]) {
    assert.throws(() => loadConfig({ [name]: value }), (error: Error) => error instanceof ConfigError && error.message.startsWith(name));
    const run = gatehouse(['migrate'], { [name]: value });
    assert.equal(run.code, 2, `${name}=${value}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`configuration error: ${name}`));
  }
});

test('config: the defaults are SQLite under ./data, port 3000 and the DESIGN.md §2 security numbers', () => {
  const config = loadConfig({});
  assert.equal(config.database.kind, 'sqlite');
  assert.match((config.database as { file: string }).file, /data\/gatehouse\.db$/);
  assert.equal(config.port, 3000);
  assert.equal(config.smtpUrl, undefined);
  assert.equal(config.security.codeLength, 6);
  assert.equal(config.security.codeLifetimeSeconds, 600);
  assert.equal(config.security.sessionIdleSeconds, 30 * 60);
  assert.equal(config.security.sessionAbsoluteSeconds, 12 * 3600);
  assert.equal(config.security.argon2MemoryKib, 19456);
  assert.equal(config.security.argon2Iterations, 2);
});

for (const dialect of testDialects) {
  describe(`gatehouse user commands on ${dialect}`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let dataDir: string;
    before(async () => {
      database = await openTestDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
      const url = database.config.kind === 'postgres' ? database.config.url : `sqlite:${database.config.file}`;
      env = { DATABASE_URL: url, GATEHOUSE_SECRET: TEST_SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    });
    after(async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('migrate, user create with a password from stdin, lock ends sessions, unlock', async () => {
      assert.equal(gatehouse(['migrate'], env).code, 0);
      const created = gatehouse(['user', 'create', '--email', 'Admin.Made@example.com', '--login', 'admin_made', '--password-stdin'], env, 'tangerine lighthouse orbit 77\n');
      assert.equal(created.code, 0, created.stderr);
      const account = await database.db.selectFrom('accounts').selectAll().where('email', '=', 'admin.made@example.com').executeTakeFirstOrThrow();
      assert.equal(account.login_name, 'admin_made');
      assert.match(account.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.notEqual(account.email_verified_at, null);

      assert.equal(gatehouse(['user', 'create', '--email', 'admin.made@example.com'], env).code, 2, 'duplicate email refused');
      assert.equal(gatehouse(['user', 'create', '--email', 'weak@example.com', '--password-stdin'], env, 'password\n').code, 2, 'weak password refused');

      assert.equal(gatehouse(['user', 'lock', 'admin_made'], env).code, 0);
      const locked = await database.db.selectFrom('accounts').select('locked_at').where('id', '=', account.id).executeTakeFirstOrThrow();
      assert.notEqual(locked.locked_at, null);
      assert.equal(gatehouse(['user', 'unlock', 'admin.made@example.com'], env).code, 0);
      const unlocked = await database.db.selectFrom('accounts').select('locked_at').where('id', '=', account.id).executeTakeFirstOrThrow();
      assert.equal(unlocked.locked_at, null);
      const missing = gatehouse(['user', 'lock', 'nobody@example.com'], env);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no such account/);
    });
  });
}
