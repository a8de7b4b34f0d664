// What a completed QR sign-in leaves behind (DESIGN.md §4): a fresh browser session marked as made
// by QR, a "new sign-in" notice in the account's language, and a session the shopper sees under
// Security and can end from the app.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { addAccount, api, appSignIn, newBrowser, QR_COOKIE, scanAndConfirm, showQr, startQrGatehouse } from './qr-kit.ts';

const SESSION_COOKIE = '__Host-gh_session';
const afterNow = () => new Date(Date.now() + 1);

for (const dialect of testDialects) {
  describe(`the session a QR sign-in makes, on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startQrGatehouse(dialect);
      await addAccount(app, { email: 'fresh.en@example.com', loginName: 'fresh_en', locale: 'en' });
      await addAccount(app, { email: 'fresh.ru@example.com', loginName: 'fresh_ru', locale: 'ru' });
    });
    after(() => app.close());

    test('the new browser session gets a fresh token, unlike any cookie the browser had, and is marked as created by QR', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const planted = randomBytes(32).toString('base64url');
      browser.jar.set(SESSION_COOKIE, planted); // a session cookie planted before sign-in
      const before = new Map(browser.jar);
      const bearer = await appSignIn(app, 'fresh_en');
      await scanAndConfirm(app, bearer, token);

      const done = await browser.post('/qr/complete', {});
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account?signed_in=qr');
      const line = done.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      assert.ok(line, 'completion sets the session cookie');
      assert.match(line, /HttpOnly/i);
      assert.match(line, /Secure/i);
      assert.match(line, /SameSite=Lax/i);
      const fresh = browser.jar.get(SESSION_COOKIE)!;
      assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
      for (const [name, value] of [...before, ['QR token', token], ['app bearer', bearer]] as const) assert.notEqual(fresh, value, `the new token equals ${name}`);
      assert.ok(done.headers.getSetCookie().some((c) => c.startsWith(`${QR_COOKIE}=;`) || (c.startsWith(`${QR_COOKIE}=`) && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c))), 'the QR cookie is cleared');

      const { db } = app.gatehouse.services;
      const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256Hex(fresh)).executeTakeFirstOrThrow();
      assert.equal(row.kind, 'browser');
      assert.equal(row.authenticated_via, 'qr');
      assert.equal(row.client_address, browser.address, 'the session is the waiting browser’s, not the phone’s');
      assert.match(row.user_agent, /Chrome\/126/);
      assert.equal(row.expires_at - row.created_at, 12 * 3600 * 1000, 'a browser session (12 h), not the app’s 30 days');
      assert.equal(await db.selectFrom('sessions').select('id').where('token_hash', '=', sha256Hex(planted)).executeTakeFirst(), undefined);

      const whoami = JSON.parse((await browser.get('/api/v1/whoami')).text);
      assert.equal(whoami.account.email, 'fresh.en@example.com');
      assert.equal(whoami.session.kind, 'browser');
      assert.equal(whoami.session.authenticatedVia, 'qr');
      assert.equal(whoami.session.id, row.id);
    });

    for (const [locale, identifier, email, subject] of [
      ['en', 'fresh_en', 'fresh.en@example.com', (address: string) => `New sign-in from Chrome 126, Linux near ${address}`],
      ['ru', 'fresh_ru', 'fresh.ru@example.com', (address: string) => `Новый вход: Chrome 126, Linux, около ${address}`],
    ] as const) {
      test(`the account gets a "New sign-in from <browser> near <place>" email in its own language (${locale})`, async () => {
        const browser = newBrowser(app.url);
        const { token } = await showQr(browser);
        await scanAndConfirm(app, await appSignIn(app, identifier), token);
        const since = afterNow();
        // The waiting browser's language does not matter: the notice goes in the account's.
        const done = await browser.post('/qr/complete', {}, { headers: { 'accept-language': locale === 'ru' ? 'en' : 'ru' } });
        assert.equal(done.status, 303);
        // (Earlier tests' notices to this account may still be on their way: pick this browser's.)
        const mail = await app.mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= since && m.subject.includes(browser.address), 10_000);
        assert.equal(mail.subject, subject(browser.address));
        assert.match(mail.text, locale === 'ru' ? /Вход подтверждён в приложении/ : /confirmed in the app/);
        assert.match(mail.text, /\/account\/security/);
        assert.ok(!mail.text.includes(token), 'the mail does not carry the QR token');
      });
    }

    test('the QR session appears under /account/security with the app as a device, and the app can list and end it', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const bearer = await appSignIn(app, 'fresh_en');
      await scanAndConfirm(app, bearer, token);
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
      const me = JSON.parse((await browser.get('/api/v1/whoami')).text).session.id as string;

      const security = await browser.get('/account/security');
      assert.equal(security.status, 200);
      const item = (id: string) => new RegExp(`data-session-id="${id}"[\\s\\S]*?</li>`).exec(security.text)?.[0] ?? '';
      assert.match(item(me), /Chrome 126 on Linux/);
      assert.match(item(me), /\(QR code\)/, 'marked as signed in by QR code');
      const appSessionId = JSON.parse((await api(app, bearer, '/api/v1/whoami', undefined, 'GET')).text).session.id as string;
      assert.match(item(appSessionId), / app on iOS/, 'the app is listed as a device');

      const listed = await api(app, bearer, '/api/v1/sessions', undefined, 'GET');
      assert.equal(listed.status, 200);
      const mine = (listed.json.sessions as Array<Record<string, unknown>>).find((s) => s.id === me);
      assert.ok(mine, 'the app lists the QR session');
      assert.equal(mine.kind, 'browser');
      assert.equal(mine.authenticatedVia, 'qr');
      assert.equal(mine.browser, 'Chrome 126');
      assert.equal(mine.current, false);
      assert.equal((listed.json.sessions as Array<Record<string, unknown>>).find((s) => s.current)?.id, appSessionId);

      // Another account's app cannot end it.
      const stranger = await appSignIn(app, 'fresh_ru');
      assert.equal((await api(app, stranger, `/api/v1/sessions/${me}`, undefined, 'DELETE')).status, 404);
      assert.equal((await browser.get('/api/v1/whoami')).status, 200);

      const ended = await api(app, bearer, `/api/v1/sessions/${me}`, undefined, 'DELETE');
      assert.equal(ended.status, 204);
      assert.equal((await browser.get('/api/v1/whoami')).status, 401, 'the browser is signed out');
      const again = await api(app, bearer, `/api/v1/sessions/${me}`, undefined, 'DELETE');
      assert.equal(again.status, 404);
      assert.equal(again.json.error.code, 'session.not_found');
      assert.ok(!(await api(app, bearer, '/api/v1/sessions', undefined, 'GET')).json.sessions.some((s: { id: string }) => s.id === me));
    });
  });
}
