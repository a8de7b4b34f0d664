// QR rate limits (qr-login-service.ts): making QR requests is limited per client address (60 in
// 10 minutes), scanning per app session (20 in 10 minutes). Rows in rate_events, so every node
// counts the same.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, appSignIn, countRows, newBrowser, PASSWORD, qrRow, qrTokenIn, SECOND, showQr, startQrGatehouse } from './qr-kit.ts';

const MINUTE = 60 * SECOND;

for (const dialect of testDialects) {
  describe(`QR rate limits on ${dialect}`, () => {
    const clock = createManualClock();
    let app: TestGatehouse;
    before(async () => {
      app = await startQrGatehouse(dialect, { clock });
      await addAccount(app, { email: 'limited@example.com', loginName: 'limited' });
    });
    after(() => app.close());

    test('QR requests are limited to 60 per client address in 10 minutes: the 61st sign-in page says "not available right now" and stores nothing; POST /qr/requests answers 429', async () => {
      const browser = newBrowser(app.url);
      const rowsBefore = await countRows(app, 'qr_login_requests');
      const tokens = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const page = await browser.get('/login');
        const token = qrTokenIn(page.text);
        assert.ok(token, `QR number ${i + 1} is shown`);
        tokens.add(token);
      }
      assert.equal(tokens.size, 60, 'every QR is new');
      assert.equal((await countRows(app, 'qr_login_requests')) - rowsBefore, 60);
      const lastSecret = browser.qrSecret();

      const page61 = await browser.get('/login');
      assert.equal(page61.status, 200, 'the sign-in page itself still works');
      assert.match(page61.text, /The QR code is not available right now/);
      assert.equal(qrTokenIn(page61.text), undefined, 'no QR link');
      assert.doesNotMatch(page61.text, /<svg/);
      assert.match(page61.text, /name="password"/, 'password sign-in is offered as usual');
      assert.ok(!page61.headers.getSetCookie().some((c) => c.startsWith('__Host-gh_qr=')), 'no new QR cookie');
      assert.equal(browser.qrSecret(), lastSecret);
      assert.equal((await countRows(app, 'qr_login_requests')) - rowsBefore, 60, 'no new row');

      const renew = await browser.post('/qr/requests', {}, { headers: { accept: 'application/json' } });
      assert.equal(renew.status, 429);
      const body = JSON.parse(renew.text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'qr.too_many_requests');
      assert.match(body.error.message, /Too many QR codes were requested/);
      assert.equal((await countRows(app, 'qr_login_requests')) - rowsBefore, 60, 'still no new row');

      // The limit is this address's only: another address gets its QR, and the password still signs in here.
      assert.ok(qrTokenIn((await newBrowser(app.url).get('/login')).text), 'another client address is not limited');
      assert.equal((await browser.post('/login', { identifier: 'limited', password: PASSWORD })).status, 303);

      // Ten minutes later the window has room again.
      clock.advance(10 * MINUTE + SECOND);
      const later = newBrowser(app.url, { address: browser.address });
      assert.ok(qrTokenIn((await later.get('/login')).text), 'a QR again after the window');
    });

    test('scans are limited to 20 per app session in 10 minutes: the 21st answers 429 with Retry-After and touches nothing; other sessions are not affected', async () => {
      const limited = await appSignIn(app, 'limited');
      for (let i = 0; i < 20; i++) {
        const miss = await api(app, limited, '/api/v1/qr/scan', { token: randomBytes(32).toString('base64url') });
        assert.equal(miss.status, 404, `scan ${i + 1} is counted (an unknown QR)`);
      }
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const refused = await api(app, limited, '/api/v1/qr/scan', { token });
      assert.equal(refused.status, 429);
      assert.equal(refused.json.error.code, 'qr.too_many_requests');
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 600, `Retry-After ${refused.headers.get('retry-after')}`);
      assert.equal((await qrRow(app, token)).state, 'pending', 'the refused scan did not lock the request');

      const other = await appSignIn(app, 'limited');
      assert.equal((await api(app, other, '/api/v1/qr/scan', { token })).status, 200, 'another app session scans');

      clock.advance(10 * MINUTE + SECOND);
      const next = newBrowser(app.url);
      const { token: nextToken } = await showQr(next);
      assert.equal((await api(app, limited, '/api/v1/qr/scan', { token: nextToken })).status, 200, 'the session scans again after the window');
    });

    test('the phone page counts scans the same way: the 21st /qr/<token> in 10 minutes answers 429 with Retry-After, says to wait, and locks nothing', async () => {
      clock.advance(10 * MINUTE + SECOND);
      const phone = newBrowser(app.url);
      await phone.get('/login');
      assert.equal((await phone.post('/login', { identifier: 'limited', password: PASSWORD })).status, 303);
      for (let i = 0; i < 20; i++) {
        assert.equal((await phone.get(`/qr/${randomBytes(32).toString('base64url')}`)).status, 404, `page scan ${i + 1} is counted (an unknown QR)`);
      }
      const { token } = await showQr(newBrowser(app.url));
      const page = await phone.get(`/qr/${token}`);
      assert.equal(page.status, 429, 'the same 429 as the app API');
      const retryAfter = Number(page.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 600, `Retry-After ${page.headers.get('retry-after')}`);
      assert.match(page.text, /try again in/i);
      assert.doesNotMatch(page.text, /action="\/qr\/[^"]+\/confirm"/, 'no Confirm button');
      assert.equal((await qrRow(app, token)).state, 'pending', 'the refused scan did not lock the request');
    });
  });
}
