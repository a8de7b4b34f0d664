// `gatehouse client …` and `gatehouse keys rotate` (issue 11), run as an operator would: the real
// command against a real database, JSON on stdout.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { TEST_SECRET } from '../harness/test-app.ts';
import { createClientStore } from '../../src/oidc/client-store.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { systemClock } from '../../src/shared/clock.ts';

function gatehouse(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['bin/gatehouse.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

for (const dialect of testDialects) {
  describe(`gatehouse client on ${dialect}`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let dataDir: string;
    before(async () => {
      database = await openTestDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), 'gh-client-cli-'));
      const url = database.config.kind === 'postgres' ? database.config.url : `sqlite:${database.config.file}`;
      env = { DATABASE_URL: url, GATEHOUSE_SECRET: TEST_SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    });
    after(async () => {
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('client create prints the id and a secret once; the database holds only its keyed hash; rotate-secret replaces it, show/list never print it, delete removes the app', async () => {
      const made = gatehouse(['client', 'create', '--name', 'Seller centre', '--redirect-uri', 'https://sell.example/cb', '--redirect-uri', 'https://sell.example/cb2', '--post-logout-redirect-uri', 'https://sell.example/bye'], env);
      assert.equal(made.code, 0, made.stderr);
      const { client_id, client_secret } = JSON.parse(made.stdout);
      assert.match(client_id, /^[A-Za-z0-9_-]{22}$/);
      assert.match(client_secret, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
      const row = await database.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', client_id).executeTakeFirstOrThrow();
      assert.notEqual(row.secret_hash, client_secret);
      assert.ok(!JSON.stringify(row).includes(client_secret), 'no readable secret stored');
      const store = createClientStore(database.db, createSecrets(TEST_SECRET), systemClock);
      assert.equal(store.secretMatches(row.secret_hash, client_secret), true);
      assert.equal(store.secretMatches(row.secret_hash, `${client_secret}x`), false);

      const shown = gatehouse(['client', 'show', client_id], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual({ ...JSON.parse(shown.stdout), created_at: 'x' }, {
        client_id, name: 'Seller centre', public: false, first_party: false, id_token_alg: 'ES256', redirect_uris: ['https://sell.example/cb', 'https://sell.example/cb2'], post_logout_redirect_uris: ['https://sell.example/bye'], created_at: 'x',
      });
      assert.ok(!gatehouse(['client', 'list'], env).stdout.includes(client_secret));

      const rotated = gatehouse(['client', 'rotate-secret', client_id], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      const fresh = JSON.parse(rotated.stdout).client_secret;
      const after = await database.db.selectFrom('oidc_clients').select('secret_hash').where('client_id', '=', client_id).executeTakeFirstOrThrow();
      assert.equal(store.secretMatches(after.secret_hash, client_secret), false, 'the old secret stops working');
      assert.equal(store.secretMatches(after.secret_hash, fresh), true);

      const removed = gatehouse(['client', 'delete', client_id], env);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(JSON.parse(gatehouse(['client', 'list'], env).stdout).some((c: { client_id: string }) => c.client_id === client_id), false);
      const again = gatehouse(['client', 'show', client_id], env);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /no app with client_id/);
    });

    test('client create --public has no secret (PKCE only); --first-party is recorded; bad input is refused with a clear line and exit code 2', () => {
      const made = gatehouse(['client', 'create', '--name', 'Mobile app', '--redirect-uri', 'http://localhost:8080/cb', '--public', '--first-party', '--id-token-alg', 'RS256'], env);
      assert.equal(made.code, 0, made.stderr);
      const answer = JSON.parse(made.stdout);
      assert.deepEqual(Object.keys(answer), ['client_id']);
      const shown = JSON.parse(gatehouse(['client', 'show', answer.client_id], env).stdout);
      assert.equal(shown.public, true);
      assert.equal(shown.first_party, true);
      assert.equal(shown.id_token_alg, 'RS256');
      const noSecret = gatehouse(['client', 'rotate-secret', answer.client_id], env);
      assert.equal(noSecret.code, 2);
      assert.match(noSecret.stderr, /public app: it has no secret/);
      for (const [args, message] of [
        [['client', 'create', '--redirect-uri', 'https://a.example/cb'], /needs --name/],
        [['client', 'create', '--name', 'X'], /at least one --redirect-uri/],
        [['client', 'create', '--name', 'X', '--redirect-uri', 'http://shop.example/cb'], /use https/],
        [['client', 'create', '--name', 'X', '--redirect-uri', 'https://shop.example/cb#frag'], /#fragment/],
        [['client', 'create', '--name', 'X', '--redirect-uri', 'not a url'], /not an absolute URL/],
        [['client', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--id-token-alg', 'HS256'], /ES256 \(the default\) or RS256/],
      ] as const) {
        const refused = gatehouse([...args], env);
        assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stderr}`);
        assert.match(refused.stderr, message);
      }
    });

    test('keys rotate adds a new ES256 and RS256 pair that signs after every node has re-read the keys; the old pair is kept published', async () => {
      const first = gatehouse(['keys', 'rotate'], env);
      assert.equal(first.code, 0, first.stderr);
      const rotated = JSON.parse(first.stdout);
      assert.equal(rotated.added.length, 2);
      assert.equal(rotated.retiring.length, 2, 'the first pair, made on first use');
      assert.ok(Date.parse(rotated.signs_from) > Date.now() + 60_000, `signs from ${rotated.signs_from}`);
      const rows = await database.db.selectFrom('oidc_keys').selectAll().execute();
      assert.equal(rows.length, 4);
      for (const row of rows) assert.ok(!row.sealed_jwk.includes('"d"'), 'private keys only sealed');
    });
  });
}
