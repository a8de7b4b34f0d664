// The phone's pages (qr-login-routes.tsx): a signed-in phone browser opening the QR link sees who
// is asking (browser, system, approximate place, time) and confirms or cancels; /app/open follows
// only this store's own QR links.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addAccount, browserStatus, newBrowser, PASSWORD, qrRow, showQr, startQrGatehouse, type Browser } from './qr-kit.ts';

const PUBLIC_URL = 'https://shop.example.test';
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** The phone opens the link (which changes nothing), taps Continue (the scan) and lands on Confirm. */
async function openAndScan(phone: Browser, token: string) {
  const review = await phone.get(`/qr/${token}`);
  assert.equal(review.status, 200, `the link opens (${review.status})`);
  const scanned = await phone.post(`/qr/${token}/scan`, {});
  assert.equal(scanned.status, 303, `the scan is accepted (${scanned.status})`);
  const page = await phone.get(scanned.location!);
  assert.equal(page.status, 200);
  return page;
}

for (const dialect of testDialects) {
  describe(`QR phone pages on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startQrGatehouse(dialect, { env: { PUBLIC_URL } });
      await addAccount(app, { email: 'phone.owner@example.com', loginName: 'phoneowner' });
    });
    after(() => app.close());

    const signedInPhone = async (): Promise<Browser> => {
      const phone = newBrowser(app.url, { userAgent: PHONE_UA });
      await phone.get('/login');
      assert.equal((await phone.post('/login', { identifier: 'phoneowner', password: PASSWORD })).status, 303);
      return phone;
    };

    test('GET /qr/<token> signed out redirects to sign-in with return_to, scans nothing, and signing in leads back to it', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const phone = newBrowser(app.url, { userAgent: PHONE_UA });
      const first = await phone.get(`/qr/${token}`);
      assert.equal(first.status, 303);
      assert.equal(first.location, `/login?return_to=${encodeURIComponent(`/qr/${token}`)}`);
      assert.equal((await qrRow(app, token)).state, 'pending', 'a signed-out visit scans nothing');

      await phone.get(first.location!);
      const signedIn = await phone.post('/login', { identifier: 'phoneowner', password: PASSWORD, return_to: `/qr/${token}` });
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.location, `/qr/${token}`);
      const page = await phone.get(signedIn.location!);
      assert.equal(page.status, 200);
      assert.match(page.text, /Sign in to a computer\?/, 'the link shows the request first');
      assert.equal(await browserStatus(browser), 'pending', 'opening the link scans nothing');
      const confirmPage = await openAndScan(phone, token);
      assert.match(confirmPage.text, /Sign in on another device\?/);
      assert.equal(await browserStatus(browser), 'scanned');
    });

    test('GET /qr/<token> changes nothing — a cross-site link or a link preview cannot burn a QR; the scan is a POST with CSRF', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const phone = await signedInPhone();
      for (let i = 0; i < 3; i++) {
        const page = await phone.get(`/qr/${token}`);
        assert.equal(page.status, 200);
        assert.ok(!page.text.includes(`action="/qr/${token}/confirm"`), 'no Confirm before the scan');
        assert.match(page.text, new RegExp(`<form method="post" action="/qr/${token}/scan">`));
      }
      const row = await qrRow(app, token);
      assert.equal(row.state, 'pending');
      assert.equal(row.app_session_id, null, 'locked to nobody');
      const forged = await phone.post(`/qr/${token}/scan`, { _csrf: 'forged' }, { csrf: false });
      assert.equal(forged.status, 403, 'a scan without the page’s CSRF token is refused');
      assert.equal((await qrRow(app, token)).state, 'pending');
      // Another shopper's phone can still scan it: the first look locked nothing.
      await openAndScan(await signedInPhone(), token);
      assert.equal((await qrRow(app, token)).state, 'scanned');
    });

    test('the confirmation page shows browser, system, place "unknown" and time, with Confirm and Cancel forms', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const phone = await signedInPhone();
      const page = await openAndScan(phone, token);
      const facts = /<dl class="facts">([\s\S]*?)<\/dl>/.exec(page.text)?.[1] ?? '';
      assert.match(facts, /<dt>Device<\/dt><dd>Chrome 126, Linux<\/dd>/, 'the waiting browser, not the phone');
      assert.match(facts, new RegExp(`<dt>Approximate place</dt><dd>unknown \\(network address ${browser.address.replace(/\./g, '\\.')}\\)</dd>`));
      const created = (await qrRow(app, token)).created_at;
      const time = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(created) + ' UTC';
      assert.ok(facts.includes(`<dt>Requested</dt><dd>${time}</dd>`), `the time: ${facts}`);
      for (const action of ['confirm', 'cancel']) {
        const form = new RegExp(`<form method="post" action="/qr/${token}/${action}">[\\s\\S]*?</form>`).exec(page.text)?.[0];
        assert.ok(form, `a ${action} form`);
        assert.match(form, /name="_csrf" value="[^"]+"/, `the ${action} form carries the CSRF token`);
      }
      assert.match(page.text, />Confirm</);
      assert.match(page.text, />Cancel</);
      const row = await qrRow(app, token);
      assert.equal(row.state, 'scanned');
      assert.ok(row.app_session_id, 'locked to the phone’s session');
      // Reloading the page on the same phone shows it again; nobody else can take it over.
      assert.equal((await phone.get(`/qr/${token}`)).status, 200);
      const intruder = await signedInPhone();
      assert.equal((await intruder.get(`/qr/${token}`)).status, 409, 'another phone session');
      assert.equal((await intruder.post(`/qr/${token}/scan`, {})).status, 409, 'nor scan it');
    });

    test('POST /qr/<token>/confirm answers "Confirmed" and the waiting browser signs in; Cancel answers "Cancelled"', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const phone = await signedInPhone();
      await openAndScan(phone, token);
      const forged = await phone.post(`/qr/${token}/confirm`, { _csrf: 'forged' }, { csrf: false });
      assert.equal(forged.status, 403, 'a confirm without the page’s CSRF token is refused');
      assert.equal(await browserStatus(browser), 'scanned');

      await phone.get(`/qr/${token}`);
      const confirmed = await phone.post(`/qr/${token}/confirm`, {});
      assert.equal(confirmed.status, 200);
      assert.match(confirmed.text, /<h1 id="qr-result-title">Confirmed<\/h1>/);
      assert.equal(await browserStatus(browser), 'approved');
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
      assert.equal(JSON.parse((await browser.get('/api/v1/whoami')).text).account.email, 'phone.owner@example.com');
      assert.equal((await phone.post(`/qr/${token}/confirm`, {})).status, 409, 'a second confirm');

      const other = newBrowser(app.url);
      const { token: otherToken } = await showQr(other);
      await openAndScan(phone, otherToken);
      const cancelled = await phone.post(`/qr/${otherToken}/cancel`, {});
      assert.equal(cancelled.status, 200);
      assert.match(cancelled.text, /<h1 id="qr-result-title">Cancelled<\/h1>/);
      assert.equal(await browserStatus(other), 'denied');
      assert.equal((await other.post('/qr/complete', {})).status, 409);
    });

    test('/app/open with this store’s QR link redirects to /qr/<token>; any other link answers 422', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const phone = await signedInPhone();
      for (const link of [`${PUBLIC_URL}/qr/${token}`, `  ${PUBLIC_URL}/qr/${token}  `, `/qr/${token}`]) {
        const opened = await phone.get(`/app/open?link=${encodeURIComponent(link)}`);
        assert.equal(opened.status, 303, `"${link}" is followed`);
        assert.equal(opened.location, `/qr/${token}`);
      }
      for (const link of [
        `https://evil.example/qr/${token}`,
        `http://shop.example.test/qr/${token}`,
        `https://shop.example.test.evil.example/qr/${token}`,
        `https://shop.example.test@evil.example/qr/${token}`,
        `//evil.example/qr/${token}`,
        `${PUBLIC_URL}/qr/${token}/confirm`,
        `${PUBLIC_URL}/account`,
        `${PUBLIC_URL}/qr/${token.slice(1)}`,
        `javascript:alert(1)//${PUBLIC_URL}/qr/${token}`,
        'not a link',
      ]) {
        const refused = await phone.get(`/app/open?link=${encodeURIComponent(link)}`);
        assert.equal(refused.status, 422, `"${link}" is refused`);
        assert.match(refused.text, /That is not a sign-in link of this store\./);
        assert.equal(refused.location, null);
      }
      assert.equal((await phone.get('/app/open')).status, 422, 'no link at all');
      assert.equal((await qrRow(app, token)).state, 'pending', 'opening the link page did not scan anything by itself');
    });
  });
}
