// Who may call /api/v1/admin (issue 12 §6), on SQLite and PostgreSQL: only a live admin token,
// never a shopper's session or app token (and an admin token opens nothing of the shopper's),
// with failed attempts counted per client address.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminTokens } from '../../src/admin/admin-tokens.ts';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { makeAccount, signInOk, SESSION_COOKIE } from '../security/kit.ts';
import { adminToken, call } from './admin-kit.ts';

const MINUTE = 60_000;

for (const dialect of testDialects) {
  describe(`admin API authentication on ${dialect}`, () => {
    const clock = createManualClock(Date.now());
    const app = gatehouseForSuite(dialect, { clock });
    // Each test starts with a clean failure window for 127.0.0.1.
    const freshWindow = () => clock.advance(16 * MINUTE);

    test('no token, a wrong one, a malformed one and a revoked one are all 401 with WWW-Authenticate: Bearer and the same JSON body', async () => {
      freshWindow();
      const token = await adminToken(app, 'auth-revoked');
      assert.equal((await call(app, 'GET', '/api/v1/admin/outbox', { token })).status, 200, 'the token works before it is revoked');
      await createAdminTokens(app.gatehouse.services.db, clock).revoke('auth-revoked');
      const answers = [
        await call(app, 'GET', '/api/v1/admin/outbox'),
        await call(app, 'GET', '/api/v1/admin/outbox', { token: `gha_${'A'.repeat(43)}` }),
        await call(app, 'GET', '/api/v1/admin/outbox', { authorization: 'Basic c3VwcG9ydDpwYXNz' }),
        await call(app, 'GET', '/api/v1/admin/outbox', { authorization: `Bearer ${token} extra` }),
        await call(app, 'GET', '/api/v1/admin/outbox', { token }),
        await call(app, 'POST', `/api/v1/admin/accounts/not-a-uuid/lock`, { body: '{"broken' }),
      ];
      for (const answer of answers) {
        assert.equal(answer.status, 401, answer.text);
        assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
        assert.equal(answer.json.error.code, 'admin.unauthenticated');
        assert.match(answer.json.error.message, /admin token/);
      }
      assert.equal(new Set(answers.map((a) => a.text)).size, 1, 'the caller cannot tell a revoked token from no token');
    });

    test("a shopper's browser session and app token are refused by the admin API, and an admin token opens nothing of the shopper's API", async () => {
      freshWindow();
      const shopper = await makeAccount(app, { email: 'admin.auth.shopper@example.com' });
      const sessionToken = await signInOk(createClient(app.url), shopper.email, shopper.password);
      const signedIn = await call(app, 'POST', '/api/v1/app/sessions', { body: JSON.stringify({ identifier: shopper.email, password: shopper.password }) });
      assert.equal(signedIn.status, 201, signedIn.text);
      const appToken = signedIn.json.token as string;
      assert.equal((await call(app, 'GET', '/api/v1/whoami', { token: appToken })).status, 200, 'the app token is live');

      for (const tried of [{ token: appToken }, { token: sessionToken }, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` } }]) {
        const answer = await call(app, 'GET', `/api/v1/admin/accounts/${shopper.id}`, tried);
        assert.equal(answer.status, 401, JSON.stringify(tried));
        assert.equal(answer.json.error.code, 'admin.unauthenticated');
      }

      const admin = await adminToken(app, 'auth-not-a-shopper');
      assert.equal((await call(app, 'GET', '/api/v1/whoami', { token: admin })).status, 401);
      assert.equal((await call(app, 'GET', '/api/v1/sessions', { token: admin })).status, 401);
      assert.equal((await call(app, 'GET', '/api/v1/whoami', { headers: { cookie: `${SESSION_COOKIE}=${admin}` } })).status, 401);
    });

    test('a live token is accepted and its last use is written at most once a minute', async () => {
      freshWindow();
      const token = await adminToken(app, 'auth-last-used');
      const lastUsed = async () => (await app.gatehouse.services.db.selectFrom('admin_tokens').select('last_used_at').where('name', '=', 'auth-last-used').executeTakeFirstOrThrow()).last_used_at;
      assert.equal(await lastUsed(), null);
      const first = await call(app, 'GET', '/api/v1/admin/outbox', { token });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers['cache-control'], 'no-store');
      const at = clock.now();
      assert.equal(Number(await lastUsed()), at);
      clock.advance(59_000);
      await call(app, 'GET', '/api/v1/admin/outbox', { token });
      assert.equal(Number(await lastUsed()), at, 'not written again within the minute');
      clock.advance(1_000);
      await call(app, 'GET', '/api/v1/admin/outbox', { token });
      assert.equal(Number(await lastUsed()), at + 60_000);
    });

    test('10 failed attempts from one address in 15 minutes: the 11th request is 429 with Retry-After even with the right token, and the address gets in again once the window passes', async () => {
      freshWindow();
      const token = await adminToken(app, 'auth-throttle');
      for (let i = 0; i < 10; i += 1) {
        const wrong = await call(app, 'GET', '/api/v1/admin/outbox', { token: `gha_${String(i).padStart(43, 'x')}` });
        assert.equal(wrong.status, 401, `attempt ${i + 1}`);
      }
      const refused = await call(app, 'GET', '/api/v1/admin/outbox', { token });
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.json.error.code, 'admin.throttled');
      const wait = Number(refused.headers['retry-after']);
      assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After ${wait}`);
      assert.equal((await call(app, 'GET', '/api/v1/admin/outbox', { token: 'gha_guess' })).status, 429, 'guesses are not even looked at');
      clock.advance(wait * 1000);
      assert.equal((await call(app, 'GET', '/api/v1/admin/outbox', { token })).status, 200);
    });
  });
}
