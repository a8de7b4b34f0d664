// Every step of a QR request is one conditional UPDATE (DESIGN.md §4): of any number of concurrent
// scans, decisions or completions exactly one wins, and a QR token works once. On PostgreSQL the
// requests really run in parallel on a connection pool; on SQLite they are serialized.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, APP_UA, appSignIn, browserStatus, newBrowser, qrRow, scanAndConfirm, showQr, startQrGatehouse } from './qr-kit.ts';

const N = 20;

for (const dialect of testDialects) {
  describe(`QR sign-in races on ${dialect}`, () => {
    let app: TestGatehouse;
    let aliceId: string;
    let bobId: string;
    before(async () => {
      app = await startQrGatehouse(dialect);
      aliceId = await addAccount(app, { email: 'alice.race@example.com', loginName: 'alicerace' });
      bobId = await addAccount(app, { email: 'bob.race@example.com', loginName: 'bobrace' });
    });
    after(() => app.close());

    /** An app session started directly (no argon2 per session), as POST /api/v1/app/sessions would. */
    const appSession = async (accountId: string) => {
      const { services } = app.gatehouse;
      const started = await services.sessions.startSession(services.db, { accountId, kind: 'app', authenticatedVia: 'password', userAgent: APP_UA, clientAddress: '127.0.0.1' });
      return { accountId, bearer: started.token, id: started.sessionId };
    };
    const qrSessionsOf = async (accountId: string) =>
      app.gatehouse.services.db.selectFrom('sessions').selectAll().where('account_id', '=', accountId).where('authenticated_via', '=', 'qr').execute();
    const noticesQueued = async () =>
      Number((await app.gatehouse.services.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('template', '=', 'new_sign_in').executeTakeFirstOrThrow()).n);

    test(`${N} concurrent completions give exactly one session, one sign-in notice, and consume the request with it`, async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      await scanAndConfirm(app, await appSignIn(app, 'alicerace'), token);
      const sessionsBefore = (await qrSessionsOf(aliceId)).length;
      const noticesBefore = await noticesQueued();

      const results = await Promise.all(Array.from({ length: N }, () => browser.post('/qr/complete', {})));
      const winners = results.filter((r) => r.status === 303);
      assert.equal(winners.length, 1, `statuses: ${results.map((r) => r.status).join(' ')}`);
      assert.ok(results.every((r) => r.status === 303 || r.status === 409), 'the losers are told the QR was used');
      assert.equal(winners[0]!.location, '/account?signed_in=qr');

      const sessions = await qrSessionsOf(aliceId);
      assert.equal(sessions.length - sessionsBefore, 1, 'exactly one new session');
      assert.equal((await noticesQueued()) - noticesBefore, 1, 'exactly one "new sign-in" notice');
      const row = await qrRow(app, token);
      assert.equal(row.state, 'consumed');
      assert.ok(sessions.some((s) => s.id === row.session_id), 'the request names the one session it made');
    });

    test(`${N} concurrent scans by different app sessions: exactly one wins and the request is locked to it`, async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const scanners = await Promise.all(Array.from({ length: N }, (_, i) => appSession(i % 2 ? bobId : aliceId)));

      const results = await Promise.all(scanners.map((s) => api(app, s.bearer, '/api/v1/qr/scan', { token })));
      const won = results.map((r, i) => ({ r, s: scanners[i]! })).filter(({ r }) => r.status === 200);
      assert.equal(won.length, 1, `statuses: ${results.map((r) => r.status).join(' ')}`);
      for (const r of results) if (r.status !== 200) assert.equal(r.json?.error?.code, 'qr.already_used');

      const winner = won[0]!.s;
      const row = await qrRow(app, token);
      assert.equal(row.state, 'scanned');
      assert.equal(row.app_session_id, winner.id);
      assert.equal(row.account_id, winner.accountId);
      // Only the winner may decide; to everyone else the request does not exist.
      const loser = scanners.find((s) => s !== winner)!;
      assert.equal((await api(app, loser.bearer, '/api/v1/qr/confirm', { token })).status, 404);
      assert.equal((await api(app, winner.bearer, '/api/v1/qr/confirm', { token })).status, 200);
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
      const whoami = JSON.parse((await browser.get('/api/v1/whoami')).text);
      assert.equal(whoami.account.id, winner.accountId, 'the browser is signed in to the winner’s account');
    });

    test(`${N} concurrent confirms by the scanning app: exactly one approves`, async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const scanner = await appSession(aliceId);
      assert.equal((await api(app, scanner.bearer, '/api/v1/qr/scan', { token })).status, 200);

      const results = await Promise.all(Array.from({ length: N }, () => api(app, scanner.bearer, '/api/v1/qr/confirm', { token })));
      assert.equal(results.filter((r) => r.status === 200).length, 1, `statuses: ${results.map((r) => r.status).join(' ')}`);
      assert.ok(results.every((r) => r.status === 200 || r.json?.error?.code === 'qr.already_used'));
      const row = await qrRow(app, token);
      assert.equal(row.state, 'approved');
      assert.equal(await browserStatus(browser), 'approved');
    });

    test(`${N} concurrent confirms and cancels: exactly one decision stands, and the browser sees that one`, async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const scanner = await appSession(bobId);
      await api(app, scanner.bearer, '/api/v1/qr/scan', { token });

      const actions = Array.from({ length: N }, (_, i) => (i % 2 ? 'confirm' : 'cancel'));
      const results = await Promise.all(actions.map((action) => api(app, scanner.bearer, `/api/v1/qr/${action}`, { token })));
      const won = results.map((r, i) => ({ r, action: actions[i]! })).filter(({ r }) => r.status === 200);
      assert.equal(won.length, 1, `statuses: ${results.map((r) => r.status).join(' ')}`);
      const expected = won[0]!.action === 'confirm' ? 'approved' : 'denied';
      assert.equal(won[0]!.r.json.status, expected);
      assert.equal((await qrRow(app, token)).state, expected);
      assert.equal(await browserStatus(browser), expected);
      const completed = await browser.post('/qr/complete', {});
      assert.equal(completed.status, expected === 'approved' ? 303 : 409);
    });

    test('a QR token works once: after completion it cannot be scanned, confirmed, cancelled or completed again', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const scanner = await appSession(aliceId);
      await scanAndConfirm(app, scanner.bearer, token);
      const secret = browser.qrSecret()!;
      assert.equal((await browser.post('/qr/complete', {})).status, 303);

      const again = await appSession(aliceId);
      assert.equal((await api(app, again.bearer, '/api/v1/qr/scan', { token })).status, 409, 'another scan');
      assert.equal((await api(app, scanner.bearer, '/api/v1/qr/scan', { token })).status, 409, 'a rescan by the same app');
      assert.equal((await api(app, scanner.bearer, '/api/v1/qr/confirm', { token })).status, 409, 'a second confirm');
      assert.equal((await api(app, scanner.bearer, '/api/v1/qr/cancel', { token })).status, 409, 'a late cancel');

      // The browser's cookie was cleared; replaying the old secret does not sign in twice.
      const replay = newBrowser(app.url);
      replay.jar.set('__Host-gh_qr', secret);
      await replay.get('/register');
      assert.equal((await replay.post('/qr/complete', {})).status, 409);
      assert.equal((await replay.get('/api/v1/whoami')).status, 401);
      assert.equal((await qrRow(app, token)).state, 'consumed');
    });
  });
}
