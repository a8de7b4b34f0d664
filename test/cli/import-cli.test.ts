// `gatehouse user import FILE.jsonl` run as an operator would, on both databases: skipped lines
// named by number with the address masked, a summary by reason, exit 0 whenever the file was read
// (a second run of the same file too), exit 2 when it cannot be; no hash and no full address in
// what it prints.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcryptjs from 'bcryptjs';
import { testDialects } from '../harness/databases.ts';
import { cliDatabaseForSuite } from './cli-kit.ts';

function gatehouse(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
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

const BCRYPT = bcryptjs.hashSync('an old store password', 4);
const PHPASS = '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0';

test('gatehouse --help lists user import', async () => {
  const help = await gatehouse(['--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /user import FILE\.jsonl/);
});

for (const dialect of testDialects) {
  describe(`gatehouse user import on ${dialect}`, () => {
    const suite = cliDatabaseForSuite(dialect, 'import');

    test('a file with good, bad and repeated lines: skipped lines by number, a summary, exit 0; the same file again skips all', async () => {
      const file = join(suite.dataDir, 'shoppers.jsonl');
      const lines = [
        { email: 'maria.old@example.com', email_verified: true, login_name: 'maria_old', locale: 'ru', password_hash: BCRYPT },
        { email: 'wp.buyer@example.com', email_verified: false, password_hash: PHPASS },
        '{"email": "half.a.line@example.com"',
        { email: 'md5.user@example.com', email_verified: true, password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' },
        { email: 'Maria.Old@example.com', email_verified: true },
      ];
      writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');

      const first = await gatehouse(['user', 'import', file], suite.env);
      assert.equal(first.code, 0, first.stderr);
      const out = first.stdout;
      assert.match(out, /^line 3: skipped, not a JSON object$/m);
      assert.match(out, /^line 4 \(m\*\*\*@e\*\*\*\.com\): skipped, the password hash is in no format the import reads$/m);
      assert.match(out, /^line 5 \(m\*\*\*@e\*\*\*\.com\): skipped, an account with this email already exists$/m);
      assert.match(out, /^imported: 2$/m);
      assert.match(out, /^skipped: 3$/m);
      assert.match(out, /^\s+1 {2}not a JSON object$/m);
      for (const secret of [BCRYPT, PHPASS, '5f4dcc3b5aa765d61d8327deb882cf99', 'maria.old@example.com', 'md5.user@example.com', 'half.a.line']) {
        assert.ok(!out.includes(secret) && !first.stderr.includes(secret), `${secret.slice(0, 12)}… is not printed`);
      }
      const maria = await suite.database.db.selectFrom('accounts').selectAll().where('email', '=', 'maria.old@example.com').executeTakeFirstOrThrow();
      assert.deepEqual([maria.login_name, maria.locale, maria.password_hash, maria.email_verified_at !== null], ['maria_old', 'ru', BCRYPT, true]);
      const wp = await suite.database.db.selectFrom('accounts').selectAll().where('email', '=', 'wp.buyer@example.com').executeTakeFirstOrThrow();
      assert.deepEqual([wp.password_hash, wp.email_verified_at], [PHPASS, null]);

      const second = await gatehouse(['user', 'import', file], suite.env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^imported: 0$/m);
      assert.match(second.stdout, /^skipped: 5$/m);
      assert.match(second.stdout, /^\s+3 {2}an account with this email already exists$/m);
      const count = await suite.database.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 2, 'no account twice');
    });

    test('no file, a missing file or a directory: one line saying so, exit 2, nothing written', async () => {
      const accounts = async () => Number((await suite.database.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const before = await accounts();
      const runs = await Promise.all([[], [join(suite.dataDir, 'missing.jsonl')], [suite.dataDir]].map((extra) => gatehouse(['user', 'import', ...extra], suite.env)));
      const expected = [/needs a file/, /there is no such file/, /it is not a file/];
      for (const [i, run] of runs.entries()) {
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        assert.match(run.stderr, expected[i]!);
      }
      assert.equal(await accounts(), before);
    });
  });
}
