// Sign-in with a passkey on /login (issue 10, item 2): the identifier's autofill and the button,
// no password and no second step, the same session as a password sign-in but recorded as
// 'passkey'; unknown, removed and locked accounts' passkeys answer alike; replayed, foreign-origin
// and unverified assertions are refused; failures count against the client address; bad input is
// a 4xx that changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { REVERIFY_WINDOW_MS, signedInShopper, startClockedGatehouse, turnOnTwoStep } from '../factors/factors-kit.ts';
import { addPasskey, authenticatorFor, passkeyRows } from '../passkeys/passkey-page-kit.ts';
import { BROWSER_COOKIE } from '../../src/http/cookies.ts';
import { sessionSetCookie, sessionTokenFrom, whoamiWith } from '../security/kit.ts';
import { alertIn, requestOptionsIn, sessionRows, signInWithPasskey } from './passkey-sign-in-kit.ts';

for (const dialect of testDialects) {
  describe(`Sign in with a passkey (${dialect})`, { timeout: 120_000 }, () => {
    test('/login offers passkeys in the identifier autofill and behind a button hidden until the script finds WebAuthn; the options name no account and require user verification', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const page = await createClient(app.url).get('/login');
      assert.match(page.text, /autocomplete="username webauthn"/);
      assert.match(page.text, /<form method="post" action="\/login\/passkey"[^>]*data-passkey-assertion=""[^>]*data-passkey-autofill=""/);
      assert.match(page.text, /<button type="submit" class="button button-secondary" data-passkey-start="" data-way="passkey" hidden>Sign in with a passkey<\/button>/);
      assert.match(page.text, /<script src="\/static\/simplewebauthn-browser.js" nonce="[^"]+" defer><\/script><script src="\/static\/passkey-assertion.js" nonce="[^"]+" defer>/);
      // Without JavaScript the password form still works.
      assert.match(page.text, /<form method="post" action="\/login" class="form" novalidate>/);
      const options = requestOptionsIn(page.text);
      assert.equal(options.userVerification, 'required');
      assert.deepEqual(options.allowCredentials ?? [], []);
      assert.equal(options.rpId, new URL(app.gatehouse.services.config.publicUrl).hostname);
      const ru = await createClient(app.url).get('/login', { 'accept-language': 'ru' });
      assert.match(ru.text, /Войти с ключом доступа/);
    });

    test('a passkey signs in without a password: the same session cookie as a password sign-in, recorded as passkey, and whoami says passkey', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'signs.in@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const { response } = await signInWithPasskey(app, authenticator, { returnTo: '/account/settings' });
      assert.equal(response.status, 303, response.text.slice(0, 400));
      assert.equal(response.location, '/account/settings');
      const byPassword = createClient(app.url);
      await byPassword.get('/login');
      const passwordCookie = sessionSetCookie(await byPassword.post('/login', { identifier: shopper.email, password: shopper.password }))!;
      const attributes = (line: string) => line.replace(/^([^=]+)=[^;]+/, '$1=…');
      assert.equal(attributes(sessionSetCookie(response)!), attributes(passwordCookie), 'the same cookie, name and attributes, as a password sign-in');
      const who = await whoamiWith(app, sessionTokenFrom(response));
      assert.equal(who.status, 200);
      assert.equal(who.body.account.id, shopper.id);
      assert.equal(who.body.session.kind, 'browser');
      assert.equal(who.body.session.authenticatedVia, 'passkey');
      const rows = await sessionRows(app, shopper.id);
      assert.deepEqual(rows.map((r) => r.authenticated_via).sort(), ['passkey', 'password', 'password']);
      assert.equal((await passkeyRows(app, shopper.id))[0]!.last_used_at !== null, true, 'the passkey records its use');
    });

    test('a passkey sign-in ends the session this browser held before (a new token on every sign-in)', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'rotates@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const [before] = await sessionRows(app, shopper.id);
      // A signed-in browser is sent on from /login, so the options come straight from the service,
      // bound to this browser's id cookie as the page's would be.
      const browserId = shopper.browser.jar.get(BROWSER_COOKIE)!;
      const { options } = await app.gatehouse.services.login.passkeyOptions(browserId);
      const response = await shopper.browser.post('/login/passkey', { response: JSON.stringify(authenticator.authenticate(options)) });
      assert.equal(response.status, 303);
      const after = await sessionRows(app, shopper.id);
      assert.equal(after.length, 2);
      assert.notEqual(after.find((r) => r.id === before!.id)!.revoked_at, null, 'the old session is ended');
      assert.equal(after.find((r) => r.id !== before!.id)!.authenticated_via, 'passkey');
    });

    test('with two-step on, a passkey sign-in asks for no second step: user verification makes it two factors', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'two.step@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      await turnOnTwoStep(shopper);
      const { response } = await signInWithPasskey(app, authenticator);
      assert.equal(response.status, 303);
      assert.equal(response.location, '/account', 'straight in, as a password sign-in without two-step');
      assert.equal((await whoamiWith(app, sessionTokenFrom(response))).body.session.authenticatedVia, 'passkey');
    });

    test('an assertion without user verification is refused at sign-in', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'no.uv@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const { response } = await signInWithPasskey(app, authenticator, { bend: { userVerified: false } });
      assert.equal(response.status, 401);
      assert.equal(sessionSetCookie(response), undefined);
      assert.equal((await sessionRows(app, shopper.id)).length, 1);
    });

    test('a removed passkey is refused exactly like an unknown one and a locked account’s: same status, same words, no session', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const removedOwner = await signedInShopper(app, 'removed@example.com');
      const removed = await addPasskey(app, removedOwner);
      const [row] = await passkeyRows(app, removedOwner.id);
      assert.equal((await removedOwner.browser.post('/account/security/passkeys/remove', { id: row!.id })).status, 303);
      const lockedOwner = await signedInShopper(app, 'locked@example.com');
      const locked = await addPasskey(app, lockedOwner);
      await app.gatehouse.services.accounts.setLocked(lockedOwner.id, app.gatehouse.services.clock.now(), app.gatehouse.services.clock.now());
      const unknown = authenticatorFor(app);
      // A credential this Gatehouse never registered: made from real creation options, never sent back.
      const creation = await app.gatehouse.services.passkeys.registrationOptions({ accountId: removedOwner.id, browserId: 'elsewhere', userName: removedOwner.email });
      assert.ok(creation.ok);
      unknown.register(creation.options);
      const sessionsBefore = (await sessionRows(app)).length;
      const answers = [];
      for (const authenticator of [unknown, removed.authenticator, locked.authenticator]) {
        const { response } = await signInWithPasskey(app, authenticator);
        answers.push({ status: response.status, alert: alertIn(response.text), cookie: sessionSetCookie(response) });
      }
      assert.deepEqual(answers[0], { status: 401, alert: 'That passkey was not accepted.', cookie: undefined });
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[2], answers[0]);
      assert.equal((await sessionRows(app)).length, sessionsBefore);
    });

    test('a replayed assertion is refused: the challenge is single use', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'replay@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const { browser, response, answer } = await signInWithPasskey(app, authenticator);
      assert.equal(response.status, 303);
      await browser.post('/logout', {});
      const again = await browser.post('/login/passkey', { response: JSON.stringify(answer) });
      assert.equal(again.status, 410);
      assert.equal(alertIn(again.text), 'This request has expired or was already used. Start again.');
      assert.equal((await sessionRows(app, shopper.id)).filter((r) => r.authenticated_via === 'passkey').length, 1);
    });

    test('an assertion made for another origin is refused', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'phished@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const { response } = await signInWithPasskey(app, authenticator, { bend: { origin: 'https://shop.example.com.evil.test' } });
      assert.equal(response.status, 401);
      assert.equal(sessionSetCookie(response), undefined);
      const rp = await signInWithPasskey(app, authenticator, { bend: { rpId: 'evil.test' } });
      assert.equal(rp.response.status, 401);
    });

    test('a challenge handed to one browser is refused from another (bound to the browser that asked)', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'bound@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const asker = createClient(app.url);
      const answer = authenticator.authenticate(requestOptionsIn((await asker.get('/login')).text));
      const other = createClient(app.url);
      await other.get('/login');
      const response = await other.post('/login/passkey', { response: JSON.stringify(answer) });
      assert.equal(response.status, 410);
      assert.equal(sessionSetCookie(response), undefined);
    });

    test('a passkey sign-in is fresh proof for security changes for 10 minutes, then Confirm it’s you is asked', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'fresh@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const { browser } = await signInWithPasskey(app, authenticator);
      assert.equal((await browser.get('/account/security/passkeys/add')).status, 200);
      clock.advance(REVERIFY_WINDOW_MS);
      const stale = await browser.get('/account/security/passkeys/add');
      assert.equal(stale.status, 303);
      assert.match(stale.location!, /^\/account\/confirm\?/);
    });

    test('the Security session list says a session was signed in with a passkey (en and ru)', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      for (const locale of ['en', 'ru'] as const) {
        const shopper = await signedInShopper(app, `listed.${locale}@example.com`, locale);
        const { authenticator } = await addPasskey(app, shopper);
        const { browser } = await signInWithPasskey(app, authenticator);
        assert.match((await browser.get('/account/security')).text, locale === 'en' ? /\(passkey\)/ : /\(ключ доступа\)/);
      }
    });

    test('passkey sign-in failures count against the client address with password failures (20 per 10 minutes), then 429 with Retry-After', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'throttled@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const browser = createClient(app.url);
      await browser.get('/login');
      for (let i = 0; i < 20; i++) assert.equal((await browser.post('/login/passkey', { response: '{}' })).status, 400);
      const { response } = await signInWithPasskey(app, authenticator, { browser });
      assert.equal(response.status, 429);
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      assert.equal(sessionSetCookie(response), undefined);
      const byPassword = await browser.post('/login', { identifier: shopper.email, password: shopper.password });
      assert.equal(byPassword.status, 429, 'the password sign-in shares the limit');
    });

    test('bad input (not JSON, wrong types, bad base64url, too long, a field twice) gets a 4xx with words and changes nothing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'bad.input@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const browser = createClient(app.url);
      const good = authenticator.authenticate(requestOptionsIn((await browser.get('/login')).text));
      const before = JSON.stringify(await sessionRows(app));
      const bodies = [
        'not json',
        JSON.stringify({ ...good, id: 42 }),
        JSON.stringify({ ...good, response: { ...good.response, signature: 'not base64url!' } }),
        JSON.stringify({ ...good, response: { ...good.response, authenticatorData: 'A'.repeat(5000) } }),
        JSON.stringify([good]),
        '',
      ];
      for (const body of bodies) {
        const response = await browser.post('/login/passkey', { response: body });
        assert.ok(response.status >= 400 && response.status < 500, `${body.slice(0, 40)} → ${response.status}`);
        assert.equal(alertIn(response.text), 'Your browser’s answer could not be read. Try again.');
      }
      const tooLong = await browser.post('/login/passkey', { response: 'x'.repeat(40_000) });
      assert.ok(tooLong.status >= 400 && tooLong.status < 500, `too long → ${tooLong.status}`);
      const twice = await browser.raw('POST', '/login/passkey', { body: `_csrf=${browser.csrf}&response=a&response=b`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.ok(twice.status >= 400 && twice.status < 500, `a field twice → ${twice.status}`);
      const noCsrf = await browser.post('/login/passkey', { response: JSON.stringify(good) }, { csrf: false });
      assert.equal(noCsrf.status, 403);
      assert.equal(JSON.stringify(await sessionRows(app)), before);
      // The good answer still works afterwards: nothing above used its challenge.
      assert.equal((await browser.post('/login/passkey', { response: JSON.stringify(good) })).status, 303);
    });
  });
}
