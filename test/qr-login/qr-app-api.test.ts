// The native app's JSON API (app-api-routes.ts): a 30-day bearer from POST /api/v1/app/sessions,
// and scan / confirm / cancel that accept nothing but a QR token, refuse malformed bodies with
// `{ error: { code, message } }` and need the bearer.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, APP_UA, appSignIn, appSignInResponse, freshAddress, newBrowser, PASSWORD, qrRow, showQr, startQrGatehouse } from './qr-kit.ts';

const DAY = 24 * 3600 * 1000;
const QR_CALLS = ['/api/v1/qr/scan', '/api/v1/qr/confirm', '/api/v1/qr/cancel'];

const post = (app: TestGatehouse, path: string, body: string | undefined, headers: Record<string, string>) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: { 'user-agent': APP_UA, ...headers }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));

const assertProblem = (text: string, code: string, where: string) => {
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], where);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], where);
  assert.equal(body.error.code, code, where);
  assert.ok(body.error.message.length > 0, where);
};

for (const dialect of testDialects) {
  describe(`QR app API on ${dialect}`, () => {
    let app: TestGatehouse;
    let bearer: string;
    before(async () => {
      app = await startQrGatehouse(dialect);
      await addAccount(app, { email: 'api.user@example.com', loginName: 'apiuser' });
      await addAccount(app, { email: 'throttled.user@example.com', loginName: 'throttleduser' });
      bearer = await appSignIn(app, 'apiuser');
    });
    after(() => app.close());

    test('only QR tokens are accepted at scan: session tokens, the QR secret, a reset flow id, an emailed code or a random string are not found', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const qrSecret = browser.qrSecret()!;

      const signedIn = newBrowser(app.url);
      await signedIn.get('/login');
      assert.equal((await signedIn.post('/login', { identifier: 'apiuser', password: PASSWORD })).status, 303);
      const browserSession = signedIn.jar.get('__Host-gh_session')!;

      const recovering = newBrowser(app.url);
      await recovering.get('/recovery');
      const since = new Date(Date.now() + 1);
      const started = await recovering.post('/recovery', { identifier: 'apiuser' });
      assert.equal(started.status, 303);
      const flowId = new URL(started.location!, app.url).searchParams.get('flow')!;
      const emailedCode = await app.codeFor('api.user@example.com', since);

      const impostors: Array<[string, string]> = [
        ['a browser session token', browserSession],
        ['the app’s own bearer token', bearer],
        ['the browser’s QR secret', qrSecret],
        ['a password-reset flow id', flowId],
        ['an emailed recovery code', emailedCode],
        ['a random 43-character string', randomBytes(32).toString('base64url')],
        ['the QR token with one character changed', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')],
      ];
      for (const [label, value] of impostors) {
        for (const path of QR_CALLS) {
          const answer = await api(app, bearer, path, { token: value });
          assert.equal(answer.status, 404, `${path} with ${label}`);
          assertProblem(answer.text, 'qr.not_found', `${path} with ${label}`);
        }
        const page = await signedIn.get(`/qr/${encodeURIComponent(value)}`);
        assert.equal(page.status, 404, `the phone page with ${label}`);
      }
      assert.equal((await qrRow(app, token)).state, 'pending', 'the real QR is untouched');
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 200, 'and the real token scans');
    });

    test('malformed scan, confirm and cancel bodies answer 400 with JSON {error:{code,message}}', async () => {
      const auth = { authorization: `Bearer ${bearer}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const cases: Array<[string, string | undefined, Record<string, string>, number, string]> = [
        ['an empty JSON body', '', json, 400, 'request.malformed'],
        ['broken JSON', '{"token":', json, 400, 'request.malformed'],
        ['no token field', '{}', json, 400, 'request.malformed'],
        ['a number as token', '{"token":5}', json, 400, 'request.malformed'],
        ['an array as token', '{"token":["a"]}', json, 400, 'request.malformed'],
        ['an extra field', JSON.stringify({ token: 'x'.repeat(43), accountId: 'someone' }), json, 400, 'request.malformed'],
        ['an over-long token', JSON.stringify({ token: 'x'.repeat(65) }), json, 400, 'request.malformed'],
        ['a JSON array', '[]', json, 400, 'request.malformed'],
        ['an unknown content type', 'token', { ...auth, 'content-type': 'text/plain' }, 415, 'request.unsupported_type'],
      ];
      for (const path of QR_CALLS) {
        for (const [label, body, headers, status, code] of cases) {
          const answer = await post(app, path, body, headers);
          assert.equal(answer.status, status, `${path}: ${label} (${answer.text})`);
          assertProblem(answer.text, code, `${path}: ${label}`);
        }
      }
    });

    test('scan, confirm, cancel and the sessions API answer 401 without a valid bearer, a browser cookie included', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const signedIn = newBrowser(app.url);
      await signedIn.get('/login');
      await signedIn.post('/login', { identifier: 'apiuser', password: PASSWORD });
      const ended = await appSignIn(app, 'apiuser');
      const endedId = JSON.parse((await api(app, ended, '/api/v1/whoami', undefined, 'GET')).text).session.id;
      assert.equal((await api(app, bearer, `/api/v1/sessions/${endedId}`, undefined, 'DELETE')).status, 204);

      const headerSets: Array<[string, Record<string, string>]> = [
        ['no Authorization', {}],
        ['a Basic header', { authorization: `Basic ${Buffer.from('apiuser:' + PASSWORD).toString('base64')}` }],
        ['a malformed bearer', { authorization: 'Bearer !!!' }],
        ['an unknown bearer', { authorization: `Bearer ${randomBytes(32).toString('base64url')}` }],
        ['an ended app session', { authorization: `Bearer ${ended}` }],
        ['the QR token as bearer', { authorization: `Bearer ${token}` }],
        ['only a signed-in browser cookie', { cookie: signedIn.cookie(), origin: app.url }],
      ];
      for (const [label, headers] of headerSets) {
        for (const path of QR_CALLS) {
          const answer = await post(app, path, JSON.stringify({ token }), { 'content-type': 'application/json', ...headers });
          assert.equal(answer.status, 401, `${path}: ${label}`);
          assertProblem(answer.text, 'request.unauthenticated', `${path}: ${label}`);
        }
        const list = await fetch(`${app.url}/api/v1/sessions`, { headers });
        assert.equal(list.status, 401, `GET /api/v1/sessions: ${label}`);
      }
      assert.equal((await qrRow(app, token)).state, 'pending', 'nobody scanned it');
    });

    test('POST /api/v1/app/sessions gives a 30-day bearer session of kind app', async () => {
      const started = Date.now();
      const response = await appSignInResponse(app, 'api.user@example.com');
      assert.equal(response.status, 201);
      const body = (await response.json()) as { token: string; expiresAt: string };
      assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'token']);
      assert.match(body.token, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(Math.abs(Date.parse(body.expiresAt) - (started + 30 * DAY)) < 60_000, `expiresAt ${body.expiresAt}`);
      assert.equal(response.headers.getSetCookie().length, 0, 'no cookie: the app keeps the bearer itself');

      const whoami = JSON.parse((await api(app, body.token, '/api/v1/whoami', undefined, 'GET')).text);
      assert.equal(whoami.session.kind, 'app');
      assert.equal(whoami.session.authenticatedVia, 'password');
      assert.equal(Date.parse(whoami.session.absoluteExpiresAt) - Date.parse(whoami.session.authenticatedAt), 30 * DAY);
      assert.equal(whoami.account.email, 'api.user@example.com');
    });

    test('a wrong password at app sign-in answers 401 with the same generic message as an unknown account', async () => {
      const wrong = await appSignInResponse(app, 'apiuser', 'not the password at all', freshAddress());
      const unknown = await appSignInResponse(app, 'nobody.here@example.com', 'not the password at all', freshAddress());
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      const wrongText = await wrong.text();
      assertProblem(wrongText, 'login.invalid_credentials', 'wrong password');
      assert.equal(wrongText, await unknown.text(), 'the same answer whether or not the account exists');
      assert.match(wrongText, /The email, login name or password is not right/);
    });

    test('app sign-in is throttled like the sign-in form: after 5 failures even the right password waits (429, Retry-After)', async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal((await appSignInResponse(app, 'throttleduser', 'wrong password ' + i, freshAddress())).status, 401, `failure ${i + 1}`);
      }
      const throttled = await appSignInResponse(app, 'throttleduser', PASSWORD, freshAddress());
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1, 'Retry-After is given');
      assertProblem(await throttled.text(), 'login.throttled', 'throttled');
    });

    test('the app session is listed under Security as a device, and the browser can end it', async () => {
      const appBearer = await appSignIn(app, 'apiuser');
      const appSessionId = JSON.parse((await api(app, appBearer, '/api/v1/whoami', undefined, 'GET')).text).session.id as string;
      const browser = newBrowser(app.url);
      await browser.get('/login');
      assert.equal((await browser.post('/login', { identifier: 'apiuser', password: PASSWORD })).status, 303);
      const security = await browser.get('/account/security');
      const item = new RegExp(`data-session-id="${appSessionId}"[\\s\\S]*?</li>`).exec(security.text)?.[0];
      assert.ok(item, 'the app session is listed');
      assert.match(item, / app on iOS/);
      assert.match(item, /\(password\)/);
      assert.match(item, new RegExp(`action="/account/sessions/${appSessionId}/end"`), 'with an End button');

      assert.equal((await browser.post(`/account/sessions/${appSessionId}/end`, {})).status, 303);
      assert.equal((await api(app, appBearer, '/api/v1/whoami', undefined, 'GET')).status, 401, 'the app is signed out');
      assert.equal((await api(app, appBearer, '/api/v1/qr/scan', { token: randomBytes(32).toString('base64url') })).status, 401);
    });
  });
}
