// DESIGN.md §2 "logs": no password, code, token or full email address in any log line. The log is
// captured at info level through a whole journey (sign-up with a code, a wrong code, a resend,
// sign-out, sign-in, a wrong sign-in, sign-up with a taken address, broken requests; then password
// recovery and Change password with wrong codes, resends and the new password) and searched.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { assertNoSecretLogged, capturedLog, flowIdFrom, makeAccount, sessionTokenFrom, signIn, waitForLogLines, whoamiWith } from './kit.ts';

for (const dialect of testDialects) {
  describe(`logs on ${dialect}`, { timeout: 180_000 }, () => {
    test('logs: no line holds a password, a code, a session token, a CSRF token or a full email address', async () => {
      // No redaction configured here: the code itself must not log these (redaction is a backstop).
      const { logger, lines } = capturedLog();
      const clock = createManualClock(Date.now());
      const app = await startTestGatehouse(dialect, { clock, logger, env: { LOG_LEVEL: 'info' } });
      const secrets: { what: string; value: string }[] = [];
      const keep = (what: string, value: string) => secrets.push({ what, value });
      try {
        const typedEmail = 'Journey.Person@Example.COM';
        const email = typedEmail.toLowerCase();
        const password = 'violet harbour lantern 42';
        const wrongPassword = 'violet harbour lantern 43';
        keep('email as typed', typedEmail);
        keep('email', email);
        keep('password', password);
        keep('wrong password', wrongPassword);
        keep('URL-encoded email', encodeURIComponent(email));

        const browser = createClient(app.url);
        await browser.get('/register');
        keep('CSRF token', browser.csrf);
        keep('browser cookie', browser.jar.get('__Host-gh_browser')!);
        let sentAfter = new Date();
        const started = await browser.post('/register', { email: typedEmail, login_name: 'journey_person', password, password_confirmation: password });
        assert.equal(started.status, 303);
        const flowId = flowIdFrom(started.location);
        keep('flow id', flowId);
        const firstCode = await app.codeFor(email, sentAfter);
        keep('first code', firstCode);
        await browser.get(started.location!);

        // A wrong code, then a resend (the first code is voided), then the right one.
        const wrongCode = String((Number(firstCode) + 1) % 1_000_000).padStart(6, '0');
        keep('wrong code', wrongCode);
        assert.equal((await browser.post('/register/code', { flow: flowId, code: wrongCode })).status, 422);
        clock.advance(61_000);
        sentAfter = new Date();
        assert.equal((await browser.post('/register/resend', { flow: flowId })).status, 303);
        const code = await app.codeFor(email, sentAfter);
        keep('code', code);
        const confirmed = await browser.post('/register/code', { flow: flowId, code });
        assert.equal(confirmed.status, 303);
        keep('session token from sign-up', sessionTokenFrom(confirmed));

        await browser.get('/account');
        assert.equal((await browser.post('/logout', {})).status, 303);

        const signedIn = await signIn(browser, typedEmail, password);
        assert.equal(signedIn.status, 303);
        const token = sessionTokenFrom(signedIn);
        keep('session token from sign-in', token);
        assert.equal((await whoamiWith(app, token)).status, 200);
        const bearer = await fetch(new URL('/api/v1/whoami', app.url), { headers: { authorization: `Bearer ${token}` } });
        assert.equal(bearer.status, 200);

        const stranger = createClient(app.url);
        assert.equal((await signIn(stranger, email, wrongPassword)).status, 401);
        assert.equal((await signIn(stranger, 'journey_person', wrongPassword)).status, 401);
        assert.equal((await signIn(stranger, 'unknown.person@example.com', wrongPassword)).status, 401);
        keep('unknown email', 'unknown.person@example.com');

        // Sign-up with the taken address: its owner is mailed a notice.
        const other = createClient(app.url);
        await other.get('/register');
        clock.advance(61_000); // one mail a minute per sign-up address, over every flow
        sentAfter = new Date();
        assert.equal((await other.post('/register', { email, login_name: '', password: wrongPassword, password_confirmation: wrongPassword })).status, 303);
        await app.mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= sentAfter && /tried/.test(m.subject), 10_000);

        // Broken requests that carry the secrets.
        await stranger.post('/login', { identifier: email, password, extra: 'x'.repeat(2000) });
        await stranger.post('/login', { identifier: email, password }, { csrf: false });
        await stranger.raw('POST', '/login', { body: `identifier=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}&x=%FF`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        await fetch(new URL(`/nope?email=${encodeURIComponent(email)}&code=${code}&token=${token}`, app.url));

        // The courier logs each delivery; wait for the last one to be logged.
        await waitForLogLines(lines, '"email sent"', 3);
      } finally {
        await app.close();
      }

      if (process.env.SHOW_LOG) console.log(lines.join(""));
      assert.ok(lines.length > 20, `the journey was logged (${lines.length} lines)`);
      assert.ok(lines.some((line) => line.includes('"msg":"request"')), 'request lines are there');
      assert.ok(lines.filter((line) => line.includes('"email sent"')).length >= 3, 'deliveries are logged');
      assertNoSecretLogged(lines, secrets, /journey\.person@/i, 'a log line holds the start of the address');
    });

    test('logs: a recovery and change-password journey logs no code, token, password, flow id or full email address', async () => {
      const { logger, lines } = capturedLog();
      const clock = createManualClock(Date.now());
      const app = await startTestGatehouse(dialect, { clock, logger, env: { LOG_LEVEL: 'info' } });
      const secrets: { what: string; value: string }[] = [];
      const keep = (what: string, value: string) => secrets.push({ what, value });
      /** After every mail already caught (one read just now can share this millisecond). */
      const afterNow = () => new Date(Date.now() + 1);
      const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      try {
        const typedEmail = 'Forgetful.Shopper@Example.COM';
        const email = typedEmail.toLowerCase();
        const oldPassword = 'amber kettle drizzle 1984';
        const recoveredPassword = 'violet harbour lantern 77';
        const changedPassword = 'copper meadow whistle 2031';
        const account = await makeAccount(app, { email, loginName: 'forgetful_shopper', password: oldPassword });
        for (const [what, value] of [['email as typed', typedEmail], ['email', email], ['URL-encoded email', encodeURIComponent(email)], ['old password', oldPassword], ['recovered password', recoveredPassword], ['changed password', changedPassword]]) keep(what!, value!);

        // Another device, signed in before the recovery.
        const phone = createClient(app.url);
        const phoneSignIn = await signIn(phone, email, oldPassword);
        assert.equal(phoneSignIn.status, 303);
        keep('phone session token', sessionTokenFrom(phoneSignIn));

        // Recovery by the email as typed: a wrong code, a resend too soon, a resend, the right code.
        const browser = createClient(app.url);
        await browser.get('/recovery');
        keep('CSRF token', browser.csrf);
        keep('browser cookie', browser.jar.get('__Host-gh_browser')!);
        let sentAfter = afterNow();
        const started = await browser.post('/recovery', { identifier: typedEmail });
        assert.equal(started.status, 303);
        const flowId = flowIdFrom(started.location);
        keep('recovery flow id', flowId);
        const firstCode = await app.codeFor(email, sentAfter);
        keep('first recovery code', firstCode);
        keep('wrong recovery code', wrong(firstCode));
        await browser.get(started.location!);
        assert.equal((await browser.post('/recovery/code', { flow: flowId, code: wrong(firstCode) })).status, 422);
        assert.equal((await browser.post('/recovery/resend', { flow: flowId })).status, 429);
        clock.advance(61_000);
        sentAfter = afterNow();
        assert.equal((await browser.post('/recovery/resend', { flow: flowId })).status, 303);
        const code = await app.codeFor(email, sentAfter);
        keep('recovery code', code);
        assert.equal((await browser.post('/recovery/code', { flow: flowId, code })).status, 303);
        await browser.get(`/recovery/password?flow=${flowId}`);
        assert.equal((await browser.post('/recovery/password', { flow: flowId, password: recoveredPassword, password_confirmation: recoveredPassword + 'x', sign_out_others: '1' })).status, 422);
        assert.equal((await browser.post('/recovery/password', { flow: flowId, password: recoveredPassword, password_confirmation: recoveredPassword, sign_out_others: '1' })).status, 303);
        assert.equal((await browser.post('/recovery/password', { flow: flowId, password: recoveredPassword, password_confirmation: recoveredPassword, sign_out_others: '1' })).status, 409);

        // Recovery for an unknown address and by login name (started only).
        const stranger = createClient(app.url);
        await stranger.get('/recovery');
        const unknownStart = await stranger.post('/recovery', { identifier: 'Nobody.Here@Example.COM' });
        assert.equal(unknownStart.status, 303);
        keep('unknown email', 'nobody.here@example.com');
        keep('unknown flow id', flowIdFrom(unknownStart.location));
        clock.advance(61_000); // one code a minute per account, over every flow
        sentAfter = afterNow();
        const byName = await stranger.post('/recovery', { identifier: 'forgetful_shopper' });
        assert.equal(byName.status, 303);
        keep('login-name flow id', flowIdFrom(byName.location));
        keep('login-name recovery code', await app.codeFor(email, sentAfter));

        // Sign in with the recovered password, then Change password from Settings.
        const signedIn = await signIn(browser, email, recoveredPassword);
        assert.equal(signedIn.status, 303);
        keep('session token', sessionTokenFrom(signedIn));
        await browser.get('/account/settings');
        clock.advance(61_000);
        sentAfter = afterNow();
        const change = await browser.post('/account/password', {});
        assert.equal(change.status, 303);
        const changeFlow = flowIdFrom(change.location);
        keep('change flow id', changeFlow);
        const changeFirst = await app.codeFor(email, sentAfter);
        keep('first change code', changeFirst);
        assert.equal((await browser.post('/account/password/code', { flow: changeFlow, code: wrong(changeFirst) })).status, 422);
        keep('wrong change code', wrong(changeFirst));
        clock.advance(61_000);
        sentAfter = afterNow();
        assert.equal((await browser.post('/account/password/resend', { flow: changeFlow })).status, 303);
        const changeCode = await app.codeFor(email, sentAfter);
        keep('change code', changeCode);
        assert.equal((await browser.post('/account/password/code', { flow: changeFlow, code: changeCode })).status, 303);
        assert.equal((await browser.post('/account/password/new', { flow: changeFlow, password: changedPassword, password_confirmation: changedPassword })).status, 303);
        assert.equal((await signIn(createClient(app.url), account.loginName!, changedPassword)).status, 303);

        // Broken requests that carry the secrets.
        await browser.post('/recovery/code', { flow: flowId, code, extra: 'x'.repeat(2000) });
        await browser.post('/account/password/new', { flow: changeFlow, password: changedPassword, password_confirmation: changedPassword }, { csrf: false });
        await stranger.raw('POST', '/recovery', { body: `identifier=${encodeURIComponent(email)}&x=%FF`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        await fetch(new URL(`/recovery/code?flow=${flowId}&code=${code}&email=${encodeURIComponent(email)}`, app.url));

        // Seven emails: four recovery/change codes by email, one by login name, two "password changed".
        await waitForLogLines(lines, '"email sent"', 7);
      } finally {
        await app.close();
      }

      if (process.env.SHOW_LOG) console.log(lines.join(''));
      assert.ok(lines.some((line) => line.includes('"msg":"request"')), 'request lines are there');
      assert.ok(lines.filter((line) => line.includes('"email sent"')).length >= 7, 'deliveries are logged');
      assertNoSecretLogged(lines, secrets, /forgetful\.shopper@|nobody\.here@/i, 'a log line holds the start of an address');
    });
  });
}
