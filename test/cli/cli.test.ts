import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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

/** gatehouse(…) without blocking, so that independent runs (each a process start-up) overlap. */
function gatehouseAsync(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/gatehouse.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('gatehouse --help lists every command', () => {
  const help = gatehouse(['--help'], {});
  assert.equal(help.code, 0);
  for (const command of ['serve', 'migrate', 'prune', 'user create', 'user lock', 'user unlock', 'user reset-factors']) assert.ok(help.stdout.includes(command), command);
});

test('config: a wrong value stops start-up with one line naming the variable', async () => {
  const wrong = [['PORT', 'eighty'], ['DATABASE_URL', 'mysql://x'], ['GATEHOUSE_SECRET', 'short'], ['SMTP_URL', 'http://mail'], ['LOG_LEVEL', 'loud'], ['TRUST_PROXY', 'maybe'], ['SESSION_IDLE_MINUTES', '0']] as const;
  // The seven runs are independent: started together, checked one by one.
  const runs = await Promise.all(wrong.map(([name, value]) => gatehouseAsync(['migrate'], { [name]: value })));
  for (const [i, [name, value]] of wrong.entries()) {
    assert.throws(() => loadConfig({ [name]: value }), (error: Error) => error instanceof ConfigError && error.message.startsWith(name));
    const run = runs[i]!;
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

    test('user reset-factors: support removes phone, authenticator and backup codes, turns two-step off, ends sessions', async () => {
      assert.equal(gatehouse(['migrate'], env).code, 0);
      const now = Date.now();
      const id = '00000000-0000-4000-8000-00000000f4c7';
      await database.db.insertInto('accounts').values({ id, email: 'lost.phone@example.com', email_verified_at: now, login_name: null, password_hash: null, locale: 'en', locked_at: null, two_step_enabled_at: now, created_at: now, updated_at: now }).execute();
      await database.db.insertInto('account_phones').values({ account_id: id, number_sealed: 'x', masked: '+44 **** ****56', verified_at: now }).execute();
      await database.db.insertInto('totp_credentials').values({ account_id: id, secret_sealed: 'x', last_used_step: 1, confirmed_at: now }).execute();
      await database.db.insertInto('backup_codes').values({ id: 'b1', account_id: id, code_hash: 'h', created_at: now, used_at: null }).execute();
      await database.db.insertInto('sessions').values({ id: 's1', token_hash: 't1', account_id: id, kind: 'browser', authenticated_via: 'password+totp', user_agent: '', client_address: '127.0.0.1', created_at: now, last_seen_at: now, expires_at: now + 3_600_000, revoked_at: null, reverified_at: null, kept_signed_in: 0 }).execute();

      const reset = gatehouse(['user', 'reset-factors', 'lost.phone@example.com'], env);
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /two-step sign-in is off/);
      const count = async (table: 'account_phones' | 'totp_credentials' | 'backup_codes') =>
        Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', id).executeTakeFirstOrThrow()).n);
      assert.deepEqual([await count('account_phones'), await count('totp_credentials'), await count('backup_codes')], [0, 0, 0]);
      const account = await database.db.selectFrom('accounts').select('two_step_enabled_at').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(account.two_step_enabled_at, null);
      const session = await database.db.selectFrom('sessions').select('revoked_at').where('id', '=', 's1').executeTakeFirstOrThrow();
      assert.notEqual(session.revoked_at, null, 'every session ends');
      assert.equal(gatehouse(['user', 'reset-factors', 'nobody@example.com'], env).code, 2);
    });
  });
}
