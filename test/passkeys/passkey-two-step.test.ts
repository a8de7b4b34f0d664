// Issue 10, item 3: a passkey as the second step of two-step sign-in, after the right password.
// Offered first when the account has one (also when it is the account's only factor), listed
// under Other ways with the rest; user verification preferred; the session says
// 'password+passkey'. A refused passkey is a wrong code: same budget, nothing signed in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { sessionSetCookie, sessionTokenFrom, whoamiWith } from '../security/kit.ts';
import { oathtool, appNow, passwordStep, sessionCount } from '../factors/factors-kit.ts';
import { HOUR } from '../recovery/recovery-kit.ts';
import { passkeyOwner, postAnswer, usePasskey, wrongTriesOf } from './passkey-way-kit.ts';
import { api } from '../qr-login/qr-kit.ts';

const STEP = '/login/verify/passkey';

for (const dialect of testDialects) {
  describe(`two-step sign-in with a passkey (${dialect})`, { timeout: 120_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;
    const owner = async (options: Parameters<typeof passkeyOwner>[2] = {}) => {
      clock.advance(25 * HOUR);
      const made = await passkeyOwner(app, `two.step.passkey.${++n}@example.com`, { twoStep: true, ...options });
      clock.advance(30_000); // a later TOTP step than the enrolment's
      return made;
    };

    test('the app: a two-step account whose only factor is a passkey is told "passkey" after its password, and signs in with the passkey', async () => {
      const who = await owner();
      const refused = await api(app, undefined, '/api/v1/app/sessions', { identifier: who.email, password: who.password });
      assert.equal(refused.status, 401, refused.text);
      assert.equal(refused.json.error.code, 'login.second_factor_required');
      assert.deepEqual(refused.json.secondStep.ways, ['passkey'], 'never an empty list of ways');
      const started = await api(app, undefined, '/api/v1/app/sessions/passkey/options', {});
      const signedIn = await api(app, undefined, '/api/v1/app/sessions/passkey', { signInId: started.json.signInId, response: who.authenticator.authenticate(started.json.options) });
      assert.equal(signedIn.status, 201, signedIn.text);
    });

    test('an account with two-step and only a passkey is asked for the passkey first, and the right one signs in as password+passkey', async () => {
      const who = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      assert.equal(first.location, `${STEP}?flow=${first.flowId}`, 'the passkey step, not the backup-code one');
      const { page, options, response } = await usePasskey(browser, STEP, first.flowId, who.authenticator);
      assert.match(page.text, /<h1[^>]*>Use a passkey<\/h1>/);
      assert.match(page.text, /A passkey needs JavaScript/, 'without JavaScript the page says so');
      assert.match(page.text, new RegExp(`href="/login/verify/other-ways\\?flow=${first.flowId}"`), 'and links to the other ways');
      assert.equal(options.userVerification, 'preferred', 'a second step prefers user verification');
      assert.deepEqual(options.allowCredentials?.map((c) => c.id), [who.credentialId], "after the password the options name the account's passkeys");
      assert.equal(response.status, 303, `the passkey signs in (${response.status})`);
      assert.equal(response.location, '/account');
      const me = await whoamiWith(app, sessionTokenFrom(response));
      assert.equal(me.body.session.authenticatedVia, 'password+passkey', 'whoami says how');
      const account = await browser.get('/account/security');
      assert.match(account.text, /password \+ passkey/, 'the Security list names how the session was made');
    });

    test('in Russian the step page is translated and Security says "пароль + ключ доступа"', async () => {
      const who = await owner({ locale: 'ru' });
      const browser = createClient(app.url);
      browser.jar.set('__Host-gh_lang', 'ru');
      const first = await passwordStep(app, browser, who.email, who.password);
      const { page, response } = await usePasskey(browser, STEP, first.flowId, who.authenticator);
      assert.match(page.text, /<h1[^>]*>Подтверждение ключом доступа<\/h1>/);
      assert.match(page.text, /Для ключа доступа нужен JavaScript/);
      assert.equal(response.status, 303);
      assert.match((await browser.get('/account/security')).text, /пароль \+ ключ доступа/);
    });

    test('with an authenticator too, the passkey is offered first and the authenticator stays under Other ways', async () => {
      const who = await owner({ totp: true });
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      assert.equal(first.location, `${STEP}?flow=${first.flowId}`);
      const ways = await browser.get(`/login/verify/other-ways?flow=${first.flowId}`);
      assert.equal(ways.status, 200);
      const listed = [...ways.text.matchAll(/data-way="([a-z_]+)"/g)].map((m) => m[1]);
      assert.deepEqual(listed.slice(0, 2), ['passkey', 'totp'], 'the passkey first, the authenticator after it');
      assert.match(ways.text, /Use a passkey/);
      const done = await browser.post('/login/verify/authenticator', { flow: first.flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(done.status, 303, 'the authenticator still finishes the step');
    });

    test("another account's passkey is refused like a wrong code: a 4xx on the same page, a try spent, no session", async () => {
      const who = await owner();
      const other = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      const sessions = await sessionCount(app, who.id);
      const tries = await wrongTriesOf(app, who.id, 'wrong_code:second_step');
      const { response } = await usePasskey(browser, STEP, first.flowId, other.authenticator, { credentialId: other.credentialId });
      assert.equal(response.status, 422, 'the status of a wrong code');
      assert.match(response.text, /That passkey was not accepted/);
      assert.match(response.text, /data-passkey-assertion/, 'the step is drawn again, with new options');
      assert.equal(sessionSetCookie(response), undefined);
      assert.equal(await sessionCount(app, who.id), sessions, 'no session');
      assert.equal(await wrongTriesOf(app, who.id, 'wrong_code:second_step'), tries + 1, "the try counts against the account's second-step budget, like a wrong code");
      const right = await usePasskey(browser, STEP, first.flowId, who.authenticator);
      assert.equal(right.response.status, 303, 'the right passkey still signs in');
    });

    test('a replayed assertion is refused: its challenge was used, and another flow never accepts it', async () => {
      const who = await owner();
      const browser = createClient(app.url);
      const one = await passwordStep(app, browser, who.email, who.password);
      const used = await usePasskey(browser, STEP, one.flowId, who.authenticator);
      assert.equal(used.response.status, 303);
      const again = await postAnswer(browser, STEP, one.flowId, used.answer);
      assert.ok(again.status >= 400 && again.status < 500, `the same flow, finished, refuses it (${again.status})`);
      const two = await passwordStep(app, browser, who.email, who.password);
      await browser.get(`${STEP}?flow=${two.flowId}`);
      const sessions = await sessionCount(app, who.id);
      const replayed = await postAnswer(browser, STEP, two.flowId, used.answer);
      assert.equal(replayed.status, 422, 'a new flow refuses the old answer like a wrong code');
      assert.equal(sessionSetCookie(replayed), undefined);
      assert.equal(await sessionCount(app, who.id), sessions);
    });

    test('bad input (not JSON, the wrong shape, a huge field, bad base64url) gets a 400 and spends nothing', async () => {
      const who = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      const page = await browser.get(`${STEP}?flow=${first.flowId}`);
      assert.equal(page.status, 200);
      const tries = await wrongTriesOf(app, who.id, 'wrong_code:second_step');
      for (const bad of ['', 'not json', '{}', '[1,2]', JSON.stringify({ id: '!!', rawId: '!!', type: 'public-key', response: { clientDataJSON: '***', authenticatorData: 'a', signature: 'a' } }), 'x'.repeat(40_000)]) {
        const response = await postAnswer(browser, STEP, first.flowId, bad);
        assert.equal(response.status, 400, `"${bad.slice(0, 20)}" is a 400 (${response.status})`);
        assert.equal(sessionSetCookie(response), undefined);
      }
      assert.equal(await wrongTriesOf(app, who.id, 'wrong_code:second_step'), tries, 'no try spent');
      const right = await usePasskey(browser, STEP, first.flowId, who.authenticator);
      assert.equal(right.response.status, 303, 'and the right passkey still signs in');
    });

    test('user verification is preferred, not required, for a second step: a passkey without it still signs in after the password', async () => {
      const who = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      const { response } = await usePasskey(browser, STEP, first.flowId, who.authenticator, { userVerified: false });
      assert.equal(response.status, 303, `signed in (${response.status})`);
    });

    test('an unknown or foreign flow ends the step with its own page, before any passkey is checked', async () => {
      const who = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      const page = await browser.get(`${STEP}?flow=${first.flowId}`);
      assert.equal(page.status, 200);
      const stranger = createClient(app.url);
      assert.equal((await stranger.get(`${STEP}?flow=${first.flowId}`)).status, 404, "another browser's flow is not found");
      assert.equal((await stranger.get(`${STEP}?flow=not-a-flow`)).status, 404);
      const answer = who.authenticator.authenticate(JSON.parse('{"challenge":"x","allowCredentials":[]}'));
      assert.equal((await postAnswer(stranger, STEP, first.flowId, answer)).status, 404, 'a POST from another browser too');
      assert.equal((await usePasskey(browser, STEP, first.flowId, who.authenticator)).response.status, 303, 'the flow is untouched for its own browser');
    });

    test('five refused passkeys use up the way in this flow, as five wrong codes would', async () => {
      const who = await owner();
      const other = await owner();
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, who.email, who.password);
      for (let i = 0; i < 4; i++) assert.equal((await usePasskey(browser, STEP, first.flowId, other.authenticator)).response.status, 422);
      const fifth = await usePasskey(browser, STEP, first.flowId, other.authenticator);
      assert.equal(fifth.response.status, 410, 'the fifth wrong try uses the way up (code.used_up)');
      const sixth = await usePasskey(browser, STEP, first.flowId, who.authenticator);
      assert.equal(sixth.response.status, 410, 'even the right passkey is refused once the tries are spent');
      assert.match(sixth.response.text, /Too many tries with a passkey/);
    });
  });
}
