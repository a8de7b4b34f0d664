import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';

const PASSWORD = 'saffron lantern meadow 31';

async function appSignIn(app: TestGatehouse, identifier: string) {
  const response = await fetch(`${app.url}/api/v1/app/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'StoreApp/3.1 (iPhone; iOS 17.4)' },
    body: JSON.stringify({ identifier, password: PASSWORD }),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { token: string }).token;
}

const api = (app: TestGatehouse, bearer: string, path: string, body: object) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });

const qrTokenIn = (html: string) => /href="[^"]*\/qr\/([A-Za-z0-9_-]{43})" data-qr-link/.exec(html)?.[1];

for (const dialect of testDialects) {
  describe(`QR sign-in on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startTestGatehouse(dialect);
      const { services } = app.gatehouse;
      const now = services.clock.now();
      await services.accounts.insert(services.db, { email: 'qr.shopper@example.com', loginName: 'qrshopper', passwordHash: await services.hasher.hash(PASSWORD), locale: 'en', emailVerifiedAt: now, now });
    });
    after(() => app.close());

    test('QR sign-in: scan, confirm in the app, the waiting browser gets a fresh session marked as QR', async () => {
      const browser = createClient(app.url);
      const login = await browser.get('/login');
      const token = qrTokenIn(login.text)!;
      assert.ok(token, 'the login page shows a QR link');
      assert.match(login.text, /<svg/);
      assert.equal((await browser.get('/qr/status')).text, JSON.stringify({ status: 'pending' }));

      const bearer = await appSignIn(app, 'qrshopper');
      const scanned = await api(app, bearer, '/api/v1/qr/scan', { token });
      assert.equal(scanned.status, 200);
      const details = (await scanned.json()) as Record<string, string>;
      assert.equal(details.place, 'unknown');
      assert.match(details.browser, /Chrome/);
      const status = await browser.get('/qr/status');
      assert.equal(JSON.parse(status.text).status, 'scanned');
      assert.ok(!status.text.includes('qr.shopper'), 'nothing about the account reaches the browser');

      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 200);
      const since = new Date();
      const done = await browser.post('/qr/complete', {});
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account?signed_in=qr');
      const whoami = JSON.parse((await browser.get('/api/v1/whoami')).text);
      assert.equal(whoami.session.authenticatedVia, 'qr');
      assert.equal(whoami.account.email, 'qr.shopper@example.com');
      await app.mail.waitFor((m) => m.to.includes('qr.shopper@example.com') && m.receivedAt >= since && /New sign-in/.test(m.subject), 10_000);
      assert.equal((await browser.post('/qr/complete', {})).status, 404, 'a QR signs in once (its cookie is gone, so it is unknown)');
    });

    test('QR sign-in: twenty concurrent completions give exactly one session', async () => {
      const browser = createClient(app.url);
      const token = qrTokenIn((await browser.get('/login')).text)!;
      const bearer = await appSignIn(app, 'qr.shopper@example.com');
      await api(app, bearer, '/api/v1/qr/scan', { token });
      await api(app, bearer, '/api/v1/qr/confirm', { token });
      const { db } = app.gatehouse.services;
      const before = (await db.selectFrom('sessions').select('id').where('authenticated_via', '=', 'qr').execute()).length;
      const results = await Promise.all(Array.from({ length: 20 }, () => browser.post('/qr/complete', {})));
      assert.equal(results.filter((r) => r.status === 303).length, 1);
      const after = (await db.selectFrom('sessions').select('id').where('authenticated_via', '=', 'qr').execute()).length;
      assert.equal(after - before, 1);
    });

    test('QR sign-in: without the browser cookie, status and completion answer as for an unknown request', async () => {
      const browser = createClient(app.url);
      const token = qrTokenIn((await browser.get('/login')).text)!;
      const bearer = await appSignIn(app, 'qrshopper');
      await api(app, bearer, '/api/v1/qr/scan', { token });
      await api(app, bearer, '/api/v1/qr/confirm', { token });
      const thief = createClient(app.url);
      await thief.get('/register');
      assert.equal((await thief.get('/qr/status')).status, 404);
      assert.equal((await thief.post('/qr/complete', {})).status, 404);
      assert.equal((await thief.get('/api/v1/whoami')).status, 401);
    });

    test('QR sign-in: the phone can cancel, and a cancelled or reused QR cannot be confirmed', async () => {
      const browser = createClient(app.url);
      const token = qrTokenIn((await browser.get('/login')).text)!;
      const bearer = await appSignIn(app, 'qrshopper');
      await api(app, bearer, '/api/v1/qr/scan', { token });
      assert.equal((await api(app, bearer, '/api/v1/qr/cancel', { token })).status, 200);
      assert.equal(JSON.parse((await browser.get('/qr/status')).text).status, 'denied');
      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 409);
      const other = await appSignIn(app, 'qrshopper');
      assert.equal((await api(app, other, '/api/v1/qr/scan', { token })).status, 409);
    });
  });
}
