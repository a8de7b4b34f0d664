// /api/v1/admin/accounts (issue 12 §6), on SQLite and PostgreSQL: find and show an account with
// what support needs and never a secret; lock, unlock, end sessions and reset factors, each one a
// security event naming the admin token.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import { GOOD_PASSWORD, makeAccount, signInOk, whoamiWith } from '../security/kit.ts';
import { addPhone, enrollAuthenticator, PHONE, signedInShopper } from '../factors/factors-kit.ts';
import { adminToken, call, eventsOf, UNKNOWN_ID } from './admin-kit.ts';

const CRAFTED_UA = 'Mozilla/5.0 <b>Call +1-555-0100 to unlock</b> (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36';

for (const dialect of testDialects) {
  describe(`admin accounts API on ${dialect}`, () => {
    test('find by email (any case), login name or id returns the account; an unknown one returns an empty list', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const token = await adminToken(app);
        const shopper = await makeAccount(app, { email: 'admin.find@example.com', loginName: 'finder' });
        for (const query of ['email=Admin.Find%40Example.com', 'login_name=finder', `id=${shopper.id}`, `id=${shopper.id.toUpperCase()}`]) {
          const found = await call(app, 'GET', `/api/v1/admin/accounts?${query}`, { token });
          assert.equal(found.status, 200, `${query}: ${found.text}`);
          assert.deepEqual(found.json.accounts.map((a: any) => [a.id, a.email, a.loginName, a.emailVerified, a.locked, a.locale]), [[shopper.id, shopper.email, 'finder', true, false, 'en']], query);
        }
        for (const query of ['email=nobody%40example.com', 'login_name=nobody', `id=${UNKNOWN_ID}`]) {
          const none = await call(app, 'GET', `/api/v1/admin/accounts?${query}`, { token });
          assert.equal(none.status, 200);
          assert.deepEqual(none.json, { accounts: [] });
        }
      } finally {
        await app.close();
      }
    });

    test('show lists factors present, live sessions and recent activity — never the TOTP secret, backup codes, password hash, whole phone number, raw User-Agent or whole address', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const token = await adminToken(app);
        const shopper = await signedInShopper(app, 'admin.show@example.com');
        await addPhone(app, shopper);
        const { secret, backupCodes } = await enrollAuthenticator(app, shopper);
        await signInOk(createClient(app.url, { userAgent: CRAFTED_UA }), shopper.email, shopper.password);
        const answer = await call(app, 'GET', `/api/v1/admin/accounts/${shopper.id}`, { token });
        assert.equal(answer.status, 200, answer.text);
        const body = answer.json;
        assert.equal(body.account.email, shopper.email);
        assert.equal(body.account.emailVerified, true);
        assert.equal(body.account.locked, false);
        assert.equal(body.factors.phone.present, true);
        assert.match(body.factors.phone.masked, /\*/);
        assert.equal(body.factors.authenticator, true);
        assert.equal(body.factors.backupCodesLeft, backupCodes.length);
        assert.equal(body.factors.passkeys, 0);
        assert.equal(body.factors.twoStep, false);
        assert.equal(body.sessions.length, 2);
        // The harness's own browser says Linux; the crafted header is named from the fixed list only.
        assert.deepEqual(body.sessions.map((s: any) => `${s.browser}, ${s.system}, ${s.authenticatedVia}`).sort(), ['Chrome 126, Linux, password', 'Chrome 126, Windows 10, password']);
        const types = body.activity.map((e: any) => e.type);
        for (const expected of ['sign_in.succeeded', 'factor.added']) assert.ok(types.includes(expected), types.join(', '));
        assert.ok(body.activity.every((e: any) => e.network === null || e.network === '127.0.0.0/24'));

        const { password_hash } = await app.gatehouse.services.db.selectFrom('accounts').select('password_hash').where('id', '=', shopper.id).executeTakeFirstOrThrow();
        for (const secretText of [secret, ...backupCodes, password_hash!, PHONE, PHONE.slice(1), CRAFTED_UA, 'Call +1-555-0100', '127.0.0.1', GOOD_PASSWORD]) {
          assert.equal(answer.text.includes(secretText), false, `the answer holds ${secretText}`);
        }
      } finally {
        await app.close();
      }
    });

    test('lock ends every session and records account.locked with the token name as actor; unlock records account.unlocked', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const token = await adminToken(app, 'support');
        const shopper = await makeAccount(app, { email: 'admin.lock@example.com' });
        const session = await signInOk(createClient(app.url), shopper.email, shopper.password);
        const locked = await call(app, 'POST', `/api/v1/admin/accounts/${shopper.id}/lock`, { token });
        assert.equal(locked.status, 200, locked.text);
        assert.deepEqual(locked.json, { accountId: shopper.id, locked: true, sessionsEnded: 1 });
        assert.equal((await whoamiWith(app, session)).status, 401, 'the lock takes effect at once');
        assert.equal((await call(app, 'GET', `/api/v1/admin/accounts/${shopper.id}`, { token })).json.account.locked, true);

        const unlocked = await call(app, 'POST', `/api/v1/admin/accounts/${shopper.id}/unlock`, { token });
        assert.deepEqual(unlocked.json, { accountId: shopper.id, locked: false, sessionsEnded: 0 });
        const events = (await eventsOf(app, shopper.id)).filter((e) => e.actor !== null);
        assert.deepEqual(events.map((e) => [e.type, e.actor]).sort(), [['account.locked', 'admin:support'], ['account.unlocked', 'admin:support'], ['session.ended', 'admin:support']]);
        await signInOk(createClient(app.url), shopper.email, shopper.password);
      } finally {
        await app.close();
      }
    });

    test('end-sessions signs the shopper out everywhere and is recorded as session.ended by the token, even when nothing was live', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const token = await adminToken(app, 'fraud-desk');
        const shopper = await makeAccount(app, { email: 'admin.end@example.com' });
        const one = await signInOk(createClient(app.url), shopper.email, shopper.password);
        const two = await signInOk(createClient(app.url), shopper.email, shopper.password);
        const ended = await call(app, 'POST', `/api/v1/admin/accounts/${shopper.id}/end-sessions`, { token });
        assert.deepEqual(ended.json, { accountId: shopper.id, locked: false, sessionsEnded: 2 });
        assert.equal((await whoamiWith(app, one)).status, 401);
        assert.equal((await whoamiWith(app, two)).status, 401);
        const again = await call(app, 'POST', `/api/v1/admin/accounts/${shopper.id}/end-sessions`, { token });
        assert.equal(again.json.sessionsEnded, 0);
        const byAdmin = (await eventsOf(app, shopper.id)).filter((e) => e.actor === 'admin:fraud-desk');
        assert.deepEqual(byAdmin.map((e) => [e.type, JSON.parse(e.detail!).sessions]), [['session.ended', 2], ['session.ended', 0]]);
      } finally {
        await app.close();
      }
    });

    test('reset-factors removes the phone, authenticator and backup codes, turns two-step off, ends sessions and records factor.removed by the token', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const token = await adminToken(app, 'support');
        const shopper = await signedInShopper(app, 'admin.reset@example.com');
        await addPhone(app, shopper);
        await enrollAuthenticator(app, shopper);
        assert.equal((await shopper.browser.post('/account/security/two-step', { on: '1' })).status, 303);
        const reset = await call(app, 'POST', `/api/v1/admin/accounts/${shopper.id}/reset-factors`, { token });
        assert.equal(reset.status, 200, reset.text);
        assert.equal(reset.json.sessionsEnded, 1);
        const shown = (await call(app, 'GET', `/api/v1/admin/accounts/${shopper.id}`, { token })).json;
        assert.deepEqual(shown.factors, { phone: { present: false, masked: null }, authenticator: false, backupCodesLeft: 0, passkeys: 0, twoStep: false });
        assert.deepEqual(shown.sessions, []);
        const removed = (await eventsOf(app, shopper.id)).find((e) => e.type === 'factor.removed' && e.way === 'all');
        assert.equal(removed?.actor, 'admin:support');
        assert.ok(shown.activity.some((e: any) => e.type === 'factor.removed' && e.actor === 'admin:support'));
      } finally {
        await app.close();
      }
    });
  });
}
