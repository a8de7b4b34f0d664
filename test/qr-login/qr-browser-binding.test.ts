// The QR is bound to the browser that asked for it (DESIGN.md §4): status and completion need that
// browser's secret cookie, so whoever photographs the QR can neither watch nor finish the sign-in;
// and nothing about the account reaches the waiting browser before it is signed in.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import type { Response } from '../harness/http-client.ts';
import { addAccount, api, appSignIn, assertNothingAbout, browserStatus, newBrowser, openEvents, QR_COOKIE, scanAndConfirm, showQr, startQrGatehouse, type Browser } from './qr-kit.ts';

const alertOf = (html: string) => /<div class="alert[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]?.trim();
/** What a refused request tells its caller: status, body (JSON) or alert text (pages). */
const answer = (r: Response) => ({ status: r.status, said: r.headers.get('content-type')?.includes('json') ? r.text : alertOf(r.text) });

for (const dialect of testDialects) {
  describe(`QR browser binding on ${dialect}`, () => {
    let app: TestGatehouse;
    const account = { id: '', email: 'private.person@example.com', loginName: 'privateperson' };
    let bearer: string;
    before(async () => {
      app = await startQrGatehouse(dialect);
      account.id = await addAccount(app, account);
      bearer = await appSignIn(app, account.loginName);
    });
    after(() => app.close());

    /** A browser with site cookies but the given QR cookie (none, or a value). */
    const browserWithQrCookie = async (value: string | undefined) => {
      const b = newBrowser(app.url);
      await b.get('/register');
      if (value !== undefined) b.jar.set(QR_COOKIE, value);
      return b;
    };
    const refusals = async (b: Browser) => ({
      status: answer(await b.get('/qr/status', { accept: 'application/json' })),
      statusPage: answer(await b.get('/qr/status')),
      events: answer(await b.get('/qr/events', { accept: 'application/json' })),
      complete: answer(await b.post('/qr/complete', {})),
    });

    test('without the browser’s QR cookie, status, events and completion answer exactly as for an unknown request', async () => {
      const owner = newBrowser(app.url);
      const { token } = await showQr(owner);
      await scanAndConfirm(app, bearer, token); // approved: the most a thief could hope to catch

      const unknown = await refusals(await browserWithQrCookie(randomBytes(32).toString('base64url')));
      assert.equal(unknown.status.status, 404);
      assert.match(unknown.status.said!, /"code":"qr.not_found"/);
      assert.equal(unknown.events.status, 404);
      assert.ok([404, 409].includes(unknown.complete.status), 'completion of an unknown request is refused');

      for (const [label, thief] of [
        ['no QR cookie', await browserWithQrCookie(undefined)],
        ['a malformed QR cookie', await browserWithQrCookie('not-a-secret')],
        ['the QR token as the cookie', await browserWithQrCookie(token)],
      ] as const) {
        assert.deepEqual(await refusals(thief), unknown, `${label}: answered as for an unknown request`);
        assert.equal((await thief.get('/api/v1/whoami')).status, 401, `${label}: not signed in`);
      }
      assert.equal(await browserStatus(owner), 'approved', 'the thieves changed nothing');
      assert.equal((await owner.post('/qr/complete', {})).status, 303, 'the browser that asked still completes');
    });

    test('another browser’s QR cookie does not reach this request: it sees only its own request and cannot complete this one', async () => {
      const owner = newBrowser(app.url);
      const { token } = await showQr(owner);
      const other = newBrowser(app.url);
      const { token: otherToken } = await showQr(other);
      assert.notEqual(other.qrSecret(), owner.qrSecret());
      await scanAndConfirm(app, bearer, token);

      assert.equal(await browserStatus(owner), 'approved');
      assert.equal(await browserStatus(other), 'pending', 'the other browser sees its own, untouched request');
      const stream = await openEvents(app.url, other.cookie());
      try {
        assert.equal((await stream.next()).status, 'pending');
      } finally {
        await stream.close();
      }
      const refused = await other.post('/qr/complete', {});
      assert.equal(refused.status, 409);
      assert.equal((await other.get('/api/v1/whoami')).status, 401);
      assert.equal((await owner.post('/qr/complete', {})).status, 303);
      // And the other browser's own QR still works for whoever scans it.
      await scanAndConfirm(app, bearer, otherToken);
      assert.equal((await other.post('/qr/complete', {})).status, 303);
    });

    test('nothing about the account reaches the waiting browser before sign-in: status JSON, events, sign-in page, refusals', async () => {
      const browser = newBrowser(app.url);
      const { token, html } = await showQr(browser);
      assertNothingAbout(html, account, 'sign-in page');
      const seen: string[] = [];
      const look = async (step: string) => {
        const status = await browser.get('/qr/status', { accept: 'application/json' });
        assert.deepEqual(Object.keys(JSON.parse(status.text)), ['status'], `${step}: the status JSON has only a status`);
        seen.push(JSON.parse(status.text).status);
        assertNothingAbout(status.text + JSON.stringify([...status.headers]), account, `${step}: status JSON`);
        // A reload of the sign-in page (its cookie jar put back, since a reload makes a new QR).
        const saved = new Map(browser.jar);
        const page = await browser.get('/login');
        browser.jar.clear();
        for (const [k, v] of saved) browser.jar.set(k, v);
        assertNothingAbout(page.text + JSON.stringify([...page.headers]), account, `${step}: sign-in page`);
        // Completing too early is refused without saying whose request it is.
        if (step !== 'approved') assertNothingAbout((await browser.post('/qr/complete', {})).text, account, `${step}: early completion`);
      };

      const stream = await openEvents(app.url, browser.cookie());
      try {
        await look('pending');
        assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 200);
        await look('scanned');
        assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 200);
        await look('approved');
        await stream.ended;
      } finally {
        await stream.close();
      }
      assert.deepEqual(seen, ['pending', 'scanned', 'approved']);
      assert.deepEqual(stream.events.map((e) => e.status), ['pending', 'scanned', 'approved']);
      assertNothingAbout(stream.raw + JSON.stringify([...stream.response.headers]), account, 'event stream');

      // Signed in, the account is the browser's to see.
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
      assert.match((await browser.get('/account')).text, /private\.person@example\.com/);
    });
  });
}
