// `gatehouse admin-token create|list|revoke` (issue 12 §6), run as an operator would: the real
// command against a real database.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import { cliDatabaseForSuite, gatehouseCli } from './cli-kit.ts';

const gatehouse = gatehouseCli;

test('gatehouse --help lists admin-token create, list and revoke', () => {
  const help = gatehouse(['--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /admin-token create --name NAME/);
  assert.match(help.stdout, /admin-token list/);
  assert.match(help.stdout, /admin-token revoke NAME/);
});

for (const dialect of testDialects) {
  describe(`gatehouse admin-token on ${dialect}`, () => {
    const suite = cliDatabaseForSuite(dialect, 'admin-token');

    test('create prints a gha_ token of 32 random bytes once and stores only its SHA-256; list never shows it; revoke marks it revoked', async () => {
      const created = gatehouse(['admin-token', 'create', '--name', 'support'], suite.env);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.split('\n')[0]!;
      assert.match(token, /^gha_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token.slice(4), 'base64url').length, 32);
      const rows = await suite.database.db.selectFrom('admin_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.token_hash, createHash('sha256').update(token).digest('hex'));
      assert.ok(!JSON.stringify(rows).includes(token.slice(4)), 'the token itself is not stored');

      const second = gatehouse(['admin-token', 'create', '--name', 'fraud-desk'], suite.env).stdout.split('\n')[0]!;
      assert.notEqual(second, token, 'each token is new');

      const listed = gatehouse(['admin-token', 'list'], suite.env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(!listed.stdout.includes(token) && !listed.stdout.includes(rows[0]!.token_hash), 'list shows neither the token nor its hash');
      const list = JSON.parse(listed.stdout) as Array<Record<string, string | null>>;
      assert.deepEqual(list.map((t) => [t.name, t.last_used_at, t.revoked_at]).sort(), [['fraud-desk', null, null], ['support', null, null]]);
      assert.match(String(list[0]!.created_at), /^\d{4}-\d\d-\d\dT/);

      const revoked = gatehouse(['admin-token', 'revoke', 'support'], suite.env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /revoked the admin token support/);
      const after = JSON.parse(gatehouse(['admin-token', 'list'], suite.env).stdout) as Array<Record<string, string | null>>;
      assert.match(String(after.find((t) => t.name === 'support')!.revoked_at), /^\d{4}-/);
      assert.equal(after.find((t) => t.name === 'fraud-desk')!.revoked_at, null);
      assert.match(gatehouse(['admin-token', 'revoke', 'support'], suite.env).stdout, /was revoked already/);
    });

    test('a taken name (revoked names too), a bad name, no name and an unknown name are refused with exit code 2 and change nothing', async () => {
      const before = await suite.database.db.selectFrom('admin_tokens').selectAll().execute();
      for (const args of [
        ['admin-token', 'create', '--name', 'support'],
        ['admin-token', 'create', '--name', 'Has Spaces'],
        ['admin-token', 'create', '--name', 'x'.repeat(49)],
        ['admin-token', 'create'],
        ['admin-token', 'revoke'],
        ['admin-token', 'revoke', 'nobody'],
      ]) {
        const run = gatehouse(args, suite.env);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, /^gatehouse: /);
      }
      assert.deepEqual(await suite.database.db.selectFrom('admin_tokens').selectAll().execute(), before);
    });
  });
}
