// "Keep me signed in on this device" (issue 13 §3, DESIGN.md §2 "sessions"): ticked, a browser
// session lasts KEEP_SIGNED_IN_DAYS (30) with no idle limit and its cookie outlives the browser;
// unticked, it is the short session (30 min idle / 12 h) with a browser-session cookie. Either way
// a change of how the account is protected asks for a secret proved in the last 10 minutes. The
// choice reaches the session by password, password + second factor, passkey and sign-up; a
// session made by the app's QR is never kept. A store that turns the offer off or shortens it
// later shortens the sessions already made, never lengthens one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient, type Client, type Response } from '../harness/http-client.ts';
import { makeAccount, sessionSetCookie, sessionTokenFrom, whoamiWith, flowIdFrom } from '../security/kit.ts';
import { appNow, oathtool, REVERIFY_WINDOW_MS, reverify, startClockedGatehouse, twoStepShopper, type Shopper } from '../factors/factors-kit.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { addPasskey, authenticatorFor } from '../passkeys/passkey-page-kit.ts';
import { requestOptionsIn } from '../login/passkey-sign-in-kit.ts';
import { addAccount, appSignIn, newBrowser, PASSWORD, scanAndConfirm, showQr } from '../qr-login/qr-kit.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The password form as the sign-in page sends it, with the box ticked (`keep`) or not. */
async function signIn(app: TestGatehouse, identifier: string, password: string, keep: boolean, browser: Client = createClient(app.url)) {
  await browser.get('/login');
  const response = await browser.post('/login', { identifier, password, ...(keep ? { keep_signed_in: '1' } : {}) });
  return { browser, response };
}

const sessionRow = (app: TestGatehouse, token: string) =>
  app.gatehouse.services.db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();

/** The cookie's Max-Age in seconds, or undefined for a browser-session cookie. */
function maxAgeOf(response: Response): number | undefined {
  const line = sessionSetCookie(response);
  assert.ok(line, 'the response sets the session cookie');
  assert.ok(!/;\s*expires=/i.test(line), 'the cookie never carries Expires (Max-Age alone says how long)');
  const found = /;\s*max-age=(\d+)/i.exec(line);
  return found ? Number(found[1]) : undefined;
}

for (const dialect of testDialects) {
  describe(`keep me signed in (${dialect})`, { timeout: 120_000 }, () => {
    test('a kept session lasts 30 days without an idle limit — alive after 29 days unused, refused at 30 days', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `kept-${dialect}@example.com` });
      const started = clock.now();
      const { response } = await signIn(app, account.email, account.password, true);
      assert.equal(response.status, 303);
      assert.equal(maxAgeOf(response), 30 * 24 * 3600, 'the cookie lasts as long as the session');
      const token = sessionTokenFrom(response);
      const row = await sessionRow(app, token);
      assert.equal(row.kept_signed_in, 1);
      assert.equal(row.expires_at - row.created_at, 30 * DAY);

      const fresh = await whoamiWith(app, token);
      assert.equal(fresh.body.session.keptSignedIn, true);
      assert.equal(fresh.body.session.expiresAt, new Date(started + 30 * DAY).toISOString(), 'no idle deadline before the end');
      assert.equal(fresh.body.session.absoluteExpiresAt, new Date(started + 30 * DAY).toISOString());

      clock.set(started + 29 * DAY);
      assert.equal((await whoamiWith(app, token)).status, 200, 'alive after 29 days without a single request');
      clock.set(started + 30 * DAY - 1000);
      assert.equal((await whoamiWith(app, token)).status, 200, 'alive one second before 30 days');
      clock.set(started + 30 * DAY);
      assert.equal((await whoamiWith(app, token)).status, 401, 'ended at 30 days, however it was used');
    });

    test('unticked, the session is the short one — a browser-session cookie, ended after 30 minutes idle', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `short-${dialect}@example.com` });
      const { response } = await signIn(app, account.email, account.password, false);
      assert.equal(maxAgeOf(response), undefined, 'no Max-Age: closing the browser signs it out');
      const token = sessionTokenFrom(response);
      assert.equal((await sessionRow(app, token)).kept_signed_in, 0);
      assert.equal((await whoamiWith(app, token)).body.session.keptSignedIn, false);
      clock.advance(31 * MINUTE);
      assert.equal((await whoamiWith(app, token)).status, 401, 'ended after 31 minutes idle');
    });

    test('a kept session still needs fresh proof: after 10 minutes a security change asks "Confirm it’s you", and the new token stays a kept one', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `kept-proof-${dialect}@example.com` });
      const { browser, response } = await signIn(app, account.email, account.password, true);
      const shopper: Shopper = { ...account, browser };
      assert.equal((await browser.get('/account/security/phone')).status, 200, 'within 10 minutes of the password, no question');
      clock.advance(REVERIFY_WINDOW_MS);
      const asked = await browser.get('/account/security/phone');
      assert.equal(asked.status, 303, 'ten minutes on, the kept session is not enough');
      assert.match(asked.location ?? '', /^\/account\/confirm\?/);
      for (const [path, fields] of [['/account/security/two-step', { on: '1' }], ['/account/security/backup-codes', {}], ['/account/security/authenticator/start', {}]] as const) {
        const refused = await browser.post(path, fields);
        assert.equal(refused.status, 303, `${path} needs the password again`);
        assert.match(refused.location ?? '', /^\/account\/confirm\?/);
      }
      clock.advance(5 * DAY);
      const confirmed = await reverify(shopper, account.password);
      assert.equal(confirmed.status, 303, 'the password typed again');
      const renewed = sessionTokenFrom(confirmed);
      assert.notEqual(renewed, sessionTokenFrom(response), 'a new token, as on every gain of privilege');
      assert.equal(maxAgeOf(confirmed), (30 * DAY - REVERIFY_WINDOW_MS - 5 * DAY) / 1000, 'still a kept cookie, to the same end (not 30 days more)');
      assert.equal((await browser.get('/account/security/phone')).status, 200);
    });

    test('the choice rides through the second step: ticked beside the password, the session after the authenticator code is kept', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const owner = await twoStepShopper(app, clock, `kept-two-step-${dialect}@example.com`);
      for (const keep of [true, false]) {
        const { browser, response } = await signIn(app, owner.email, owner.password, keep);
        assert.match(response.location ?? '', /^\/login\/verify\/authenticator\?/, 'a second step is asked for');
        const flow = flowIdFrom(response.location);
        const done = await browser.post('/login/verify/authenticator', { flow, code: oathtool(owner.secret, appNow(app)) });
        assert.equal(done.status, 303, `the code is taken (${done.status})`);
        const row = await sessionRow(app, sessionTokenFrom(done));
        assert.equal(row.authenticated_via, 'password+totp');
        assert.equal(row.kept_signed_in, keep ? 1 : 0, keep ? 'ticked: kept' : 'unticked: short');
        assert.equal(maxAgeOf(done), keep ? 30 * 24 * 3600 : undefined);
        clock.advance(30_000); // the next TOTP step
      }
    });

    test('a passkey sign-in takes the box too (its form carries a copy); a QR sign-in is never kept, whatever is posted', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `kept-passkey-${dialect}@example.com` });
      const { browser } = await signIn(app, account.email, account.password, false);
      const { response: added, authenticator } = await addPasskey(app, { ...account, browser }, authenticatorFor(app));
      assert.equal(added.status, 303);
      for (const keep of [true, false]) {
        const other = createClient(app.url);
        const page = await other.get('/login');
        const answer = authenticator.authenticate(requestOptionsIn(page.text));
        const done = await other.post('/login/passkey', { response: JSON.stringify(answer), ...(keep ? { keep_signed_in: '1' } : {}) });
        assert.equal(done.status, 303);
        assert.equal((await sessionRow(app, sessionTokenFrom(done))).kept_signed_in, keep ? 1 : 0, `passkey, ${keep ? 'ticked' : 'unticked'}`);
      }

      await addAccount(app, { email: `kept-qr-${dialect}@example.com`, loginName: `kept_qr_${dialect}` });
      const bearer = await appSignIn(app, `kept_qr_${dialect}`, PASSWORD);
      for (const keep of [true, false]) {
        const waiting = newBrowser(app.url);
        const { token } = await showQr(waiting);
        await scanAndConfirm(app, bearer, token);
        const done = await waiting.post('/qr/complete', keep ? { keep_signed_in: '1' } : {});
        assert.equal(done.status, 303);
        const row = await sessionRow(app, sessionTokenFrom(done));
        assert.equal(row.authenticated_via, 'qr');
        // The phone that confirmed never saw how long it would last, and a relayed QR must not buy 30 days.
        assert.equal(row.kept_signed_in, 0, `QR, ${keep ? 'with' : 'without'} keep_signed_in=1: short`);
        assert.equal(maxAgeOf(done), undefined);
      }
    });

    test('the sign-in page offers the box ticked, with a hidden copy in the passkey form that only the script sends; a refused password keeps the box as it was left', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const page = await createClient(app.url).get('/login');
      assert.match(page.text, /<input type="checkbox" id="field-keep_signed_in" name="keep_signed_in" value="1" checked aria-describedby="field-keep_signed_in-hint"/);
      assert.match(page.text, /<label for="field-keep_signed_in">Keep me signed in on this device<\/label>/);
      const copies = [...page.text.matchAll(/<input type="hidden" name="keep_signed_in" value="1"( disabled)? data-keep-signed-in-copy="">/g)];
      assert.equal(copies.length, 1, 'one copy, in the passkey form (the QR form has none)');
      assert.equal(copies[0]![1], ' disabled', 'drawn disabled: without the script it is never sent');
      assert.match(page.text, /<form method="post" action="\/login\/passkey"[^>]*>(?:(?!<\/form>)[\s\S])*data-keep-signed-in-copy/, 'inside the passkey form');
      const account = await makeAccount(app, { email: `kept-redraw-${dialect}@example.com` });
      const { response: wrong } = await signIn(app, account.email, 'not the password at all', false);
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /name="keep_signed_in" value="1" aria-describedby/, 'unticked by the shopper, still unticked');
      assert.match(wrong.text, /name="keep_signed_in" value="1" disabled data-keep-signed-in-copy/);
      const ru = createClient(app.url);
      ru.jar.set('__Host-gh_lang', 'ru');
      assert.match((await ru.get('/login')).text, />Не выходить на этом устройстве</);
    });

    test('Security lists which sessions stay signed in and until when, and which end after 30 minutes unused', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `kept-list-${dialect}@example.com` });
      await signIn(app, account.email, account.password, false);
      const { browser } = await signIn(app, account.email, account.password, true);
      const page = await browser.get('/account/security');
      const lifetimes = [...page.text.matchAll(/data-session-lifetime="">([^<]*)</g)].map((m) => m[1]);
      assert.equal(lifetimes.length, 2);
      assert.match(lifetimes[0]!, /^Until .+ UTC, even when not used$/, 'this device, kept');
      assert.match(lifetimes[1]!, /^Signs out after 30 minutes without use, and by .+ UTC at the latest$/, 'the other, short');
      assert.equal([...page.text.matchAll(/<span class="badge">Stays signed in<\/span>/g)].length, 1);
      const apiList = await browser.get('/api/v1/whoami');
      assert.equal(JSON.parse(apiList.text).session.keptSignedIn, true);
    });

    test('a keep_signed_in that is not the box’s "1" is refused with 400 and signs nobody in', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: `kept-bad-${dialect}@example.com` });
      const browser = createClient(app.url);
      await browser.get('/login');
      for (const value of ['yes', 'true', '0', '1\u0000', '']) {
        const response = await browser.post('/login', { identifier: account.email, password: account.password, keep_signed_in: value });
        assert.equal(response.status, 400, `keep_signed_in=${JSON.stringify(value)}`);
        assert.equal(sessionSetCookie(response), undefined);
      }
      const sessions = await app.gatehouse.services.db.selectFrom('sessions').select('id').where('account_id', '=', account.id).execute();
      assert.equal(sessions.length, 0);
    });

    test('KEEP_SIGNED_IN=off: no box, and a posted keep_signed_in=1 still makes a short session; unticked with KEEP_SIGNED_IN_DAYS=7: offered unticked, kept for 7 days', async (t) => {
      const off = await startClockedGatehouse(dialect, { KEEP_SIGNED_IN: 'off' });
      t.after(() => off.app.close());
      const page = await createClient(off.app.url).get('/login');
      assert.ok(!page.text.includes('keep_signed_in'), 'nothing offered, no copies');
      const account = await makeAccount(off.app, { email: `kept-off-${dialect}@example.com` });
      const { response } = await signIn(off.app, account.email, account.password, true);
      assert.equal(response.status, 303);
      assert.equal((await sessionRow(off.app, sessionTokenFrom(response))).kept_signed_in, 0, 'the store said no');
      assert.equal(maxAgeOf(response), undefined);

      const week = await startClockedGatehouse(dialect, { KEEP_SIGNED_IN: 'unticked', KEEP_SIGNED_IN_DAYS: '7' });
      t.after(() => week.app.close());
      const offered = await createClient(week.app.url).get('/login');
      assert.match(offered.text, /name="keep_signed_in" value="1" aria-describedby/, 'the box, unticked');
      assert.match(offered.text, /name="keep_signed_in" value="1" disabled data-keep-signed-in-copy/, 'the copy is not sent until it is ticked');
      const shopper = await makeAccount(week.app, { email: `kept-week-${dialect}@example.com` });
      const started = week.clock.now();
      const kept = await signIn(week.app, shopper.email, shopper.password, true);
      assert.equal(maxAgeOf(kept.response), 7 * 24 * 3600);
      const token = sessionTokenFrom(kept.response);
      week.clock.set(started + 7 * DAY - 1000);
      assert.equal((await whoamiWith(week.app, token)).status, 200);
      week.clock.set(started + 7 * DAY);
      assert.equal((await whoamiWith(week.app, token)).status, 401, 'ended at 7 days');
    });

    test('a store that turns KEEP_SIGNED_IN off, or lowers KEEP_SIGNED_IN_DAYS, after sign-in shortens the sessions already kept — never lengthens one', async (t) => {
      const clock = createManualClock();
      const first = await startTestGatehouse(dialect, { clock });
      t.after(() => first.close());
      const account = await makeAccount(first, { email: `kept-later-${dialect}@example.com` });
      const started = clock.now();
      const kept = sessionTokenFrom((await signIn(first, account.email, account.password, true)).response);
      const other = sessionTokenFrom((await signIn(first, account.email, account.password, true)).response);
      // The same database, as the store's next deploy with other settings.
      const nextDeploy = (env: Record<string, string>) => startTestGatehouse(dialect, { clock, env, database: { ...openDatabase(first.database.config), config: first.database.config } });
      const off = await nextDeploy({ KEEP_SIGNED_IN: 'off' });
      const week = await nextDeploy({ KEEP_SIGNED_IN_DAYS: '7' });
      try {
        const now = await whoamiWith(off, kept);
        assert.equal(now.body.session.keptSignedIn, false, 'with the offer off, a kept session is a short one');
        assert.equal(now.body.session.absoluteExpiresAt, new Date(started + 12 * HOUR).toISOString());
        clock.advance(31 * MINUTE);
        assert.equal((await whoamiWith(off, kept)).status, 401, 'and 30 minutes unused end it');

        clock.set(started + 6 * DAY);
        const shorter = await whoamiWith(week, other);
        assert.equal(shorter.status, 200, 'still kept, 6 days unused');
        assert.equal(shorter.body.session.absoluteExpiresAt, new Date(started + 7 * DAY).toISOString(), 'but to 7 days from sign-in, not 30');
        clock.set(started + 7 * DAY);
        assert.equal((await whoamiWith(week, other)).status, 401, 'ended at 7 days');
      } finally {
        await off.close();
        await week.close();
      }
    });
  });
}
