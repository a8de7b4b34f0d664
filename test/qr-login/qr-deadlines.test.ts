// QR deadlines with a manual clock (DESIGN.md §4, qr-login-flow.ts): 60 s to scan, then 60 s for
// the app to decide, then 30 s for the waiting browser to complete. Past a deadline nothing moves
// the request any more and the browser is told it expired.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, appSignIn, browserStatus, newBrowser, openEvents, qrRow, SECOND, showQr, startQrGatehouse, type Browser } from './qr-kit.ts';

for (const dialect of testDialects) {
  describe(`QR deadlines on ${dialect}`, () => {
    const clock = createManualClock();
    let app: TestGatehouse;
    let accountId: string;
    before(async () => {
      app = await startQrGatehouse(dialect, { clock });
      accountId = await addAccount(app, { email: 'timely@example.com', loginName: 'timely' });
    });
    after(() => app.close());

    const twoQrs = async () => {
      const early = newBrowser(app.url);
      const late = newBrowser(app.url);
      return { early, late, earlyToken: (await showQr(early)).token, lateToken: (await showQr(late)).token };
    };
    const qrSessions = async () =>
      (await app.gatehouse.services.db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('authenticated_via', '=', 'qr').execute()).length;
    /** The browser's status JSON and its event stream both say expired (and the stream ends). */
    const assertBrowserSeesExpired = async (browser: Browser) => {
      assert.equal(await browserStatus(browser), 'expired');
      const stream = await openEvents(app.url, browser.cookie());
      try {
        assert.equal((await stream.next()).status, 'expired');
        await stream.ended;
        assert.deepEqual(stream.events.map((e) => e.status), ['expired']);
      } finally {
        await stream.close();
      }
    };

    test('a QR can be scanned until 60 s after it was shown: at 59 s it scans, at 60 s it has expired', async () => {
      const bearer = await appSignIn(app, 'timely');
      const { early, late, earlyToken, lateToken } = await twoQrs();
      const row = await qrRow(app, earlyToken);
      assert.equal(row.scan_by - row.created_at, 60 * SECOND);

      clock.advance(59 * SECOND);
      assert.equal(await browserStatus(late), 'pending', 'still waiting at 59 s');
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token: earlyToken })).status, 200, 'scanned at 59 s');

      clock.advance(1 * SECOND);
      const refused = await api(app, bearer, '/api/v1/qr/scan', { token: lateToken });
      assert.equal(refused.status, 410);
      assert.equal(refused.json.error.code, 'qr.expired');
      assert.equal((await qrRow(app, lateToken)).state, 'pending', 'an expired request is not touched');
      await assertBrowserSeesExpired(late);
      assert.equal(await browserStatus(early), 'scanned', 'the one scanned in time now has its own decision deadline');
    });

    test('the app has 60 s to decide after the scan: at 59 s it confirms, at 60 s confirm and cancel are refused as expired', async () => {
      const bearer = await appSignIn(app, 'timely');
      const { early, late, earlyToken, lateToken } = await twoQrs();
      clock.advance(30 * SECOND);
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token: earlyToken })).status, 200);
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token: lateToken })).status, 200);
      const scanned = await qrRow(app, earlyToken);
      assert.equal(scanned.decide_by! - clock.now(), 60 * SECOND, 'the decision deadline runs from the scan, not from the QR');

      clock.advance(59 * SECOND); // 89 s after the QR was shown: past the scan deadline, within the decision one
      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token: earlyToken })).status, 200, 'confirmed at 59 s');
      assert.equal(await browserStatus(early), 'approved');

      clock.advance(1 * SECOND);
      for (const action of ['confirm', 'cancel']) {
        const refused = await api(app, bearer, `/api/v1/qr/${action}`, { token: lateToken });
        assert.equal(refused.status, 410, `${action} at 60 s`);
        assert.equal(refused.json.error.code, 'qr.expired');
      }
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token: lateToken })).status, 410, 'a rescan does not revive it');
      assert.equal((await qrRow(app, lateToken)).state, 'scanned');
      await assertBrowserSeesExpired(late);
      assert.equal((await late.post('/qr/complete', {})).status, 410);
    });

    test('the browser has 30 s to complete after the approval: at 29 s it signs in, at 30 s the request has expired and makes no session', async () => {
      const bearer = await appSignIn(app, 'timely');
      const { early, late, earlyToken, lateToken } = await twoQrs();
      for (const token of [earlyToken, lateToken]) {
        await api(app, bearer, '/api/v1/qr/scan', { token });
        await api(app, bearer, '/api/v1/qr/confirm', { token });
      }
      const approved = await qrRow(app, earlyToken);
      assert.equal(approved.complete_by! - clock.now(), 30 * SECOND);
      const before = await qrSessions();

      clock.advance(29 * SECOND);
      const signedIn = await early.post('/qr/complete', {});
      assert.equal(signedIn.status, 303, 'completed at 29 s');
      assert.equal(JSON.parse((await early.get('/api/v1/whoami')).text).session.authenticatedVia, 'qr');

      clock.advance(1 * SECOND);
      const refused = await late.post('/qr/complete', {});
      assert.equal(refused.status, 410);
      assert.match(refused.text, /This QR code has expired/);
      assert.equal((await late.get('/api/v1/whoami')).status, 401);
      assert.equal((await qrRow(app, lateToken)).state, 'approved', 'the row keeps its last stored state; the deadline makes it expired');
      await assertBrowserSeesExpired(late);
      assert.equal((await qrSessions()) - before, 1, 'only the one completed in time made a session');
    });

    test('an expired QR cannot be scanned, confirmed or completed, on the phone pages either, and the browser status says expired', async () => {
      const bearer = await appSignIn(app, 'timely');
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      clock.advance(60 * SECOND);
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 410);
      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 404, 'never scanned by this app: nothing to confirm');
      assert.equal((await browser.post('/qr/complete', {})).status, 410);
      await assertBrowserSeesExpired(browser);

      // The phone's own pages say the same.
      const phone = newBrowser(app.url);
      await phone.get('/login');
      assert.equal((await phone.post('/login', { identifier: 'timely', password: 'saffron lantern meadow 31' })).status, 303);
      const page = await phone.get(`/qr/${token}`);
      assert.equal(page.status, 410, "expired: the same 410 as the app API");
      assert.match(page.text, /This QR code has expired/);
      assert.doesNotMatch(page.text, /action="\/qr\/[^"]+\/confirm"/, 'no Confirm button for an expired QR');
      assert.equal((await qrRow(app, token)).state, 'pending');
    });
  });
}
