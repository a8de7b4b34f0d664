// Two-step sign-in in the browser: after the right password an account with two-step on gets no
// session but a second step (authenticator, text message or backup code); the session records how
// it was authenticated. TOTP step rules at sign-in are here too. Budgets, browser binding, replay,
// other ways and the app API: two-step-rules.test.ts and two-step-app-api.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, sessionSetCookie, sessionTokenFrom, signIn, whoamiWith, withoutTokens } from '../security/kit.ts';
import {
  appNow,
  oathtool,
  passwordStep,
  PHONE,
  PHONE_MASKED_END,
  sessionCount,
  signInWithSecondStep,
  smsCodeFor,
  smsCount,
  startClockedGatehouse,
  STEP_MS,
  twoStepShopper,
  signedInShopper,
  afterNow,
} from './factors-kit.ts';

for (const dialect of testDialects) {
  describe(`Two-step sign-in (${dialect})`, { timeout: 60_000 }, () => {
    test('two-step sign-in: the right password gives no session cookie but a redirect to /login/verify/authenticator', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'no-cookie@example.com');
      const sessions = await sessionCount(app, shopper.id);
      const texts = smsCount(app);
      const browser = createClient(app.url);
      const response = await signIn(browser, shopper.email, shopper.password);
      assert.equal(response.status, 303);
      assert.match(response.location ?? '', /^\/login\/verify\/authenticator\?flow=[0-9a-f-]{36}$/);
      assert.equal(sessionSetCookie(response), undefined, 'no session cookie yet');
      assert.equal(await sessionCount(app, shopper.id), sessions, 'no session row yet');
      assert.equal(smsCount(app), texts, 'no text message when there is an authenticator');
      const account = await browser.get('/account');
      assert.equal(account.status, 303, 'My account is still closed');
      assert.match(account.location ?? '', /^\/login/);
      const page = await browser.get(response.location!);
      assert.equal(page.status, 200);
      assert.match(page.text, /name="code"[^>]*autocomplete="one-time-code"|autocomplete="one-time-code"[^>]*name="code"/);
    });

    test('two-step sign-in: with only a phone, the password step texts a code and redirects to /login/verify/sms', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'phone-only@example.com', { phone: true });
      const browser = createClient(app.url);
      await browser.get('/login');
      const sentAfter = afterNow();
      const response = await browser.post('/login', { identifier: shopper.email, password: shopper.password });
      assert.equal(response.status, 303);
      assert.match(response.location ?? '', /^\/login\/verify\/sms\?flow=[0-9a-f-]{36}$/);
      assert.equal(sessionSetCookie(response), undefined);
      const code = await smsCodeFor(app, PHONE, sentAfter);
      const page = await browser.get(response.location!);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(PHONE_MASKED_END) && !page.text.includes('7911'), 'the page names the phone, masked');
      const flowId = new URL(response.location!, 'http://x').searchParams.get('flow')!;
      const done = await browser.post('/login/verify/sms', { flow: flowId, code });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account');
      const who = await whoamiWith(app, sessionTokenFrom(done));
      assert.equal(who.status, 200);
      assert.equal(who.body.session.authenticatedVia, 'password+sms');
      const security = await browser.get('/account/security');
      assert.match(security.text, /This device[\s\S]*?\(password \+ text message\)/, 'the Security page says how this session signed in');
    });

    test('authenticator at sign-in: oathtool’s code is accepted; whoami says password+totp and the Security page shows it', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'totp-ok@example.com');
      const { response, browser } = await signInWithSecondStep(app, shopper, 'totp', oathtool(shopper.secret, appNow(app)));
      assert.equal(response.status, 303);
      assert.equal(response.location, '/account');
      const who = await whoamiWith(app, sessionTokenFrom(response));
      assert.equal(who.body.session.authenticatedVia, 'password+totp');
      assert.equal(who.body.account.id, shopper.id);
      const security = await browser.get('/account/security');
      assert.match(security.text, /This device[\s\S]*?\(password \+ authenticator app\)/);
    });

    test('backup code at sign-in: accepted once; whoami says password+backup_code', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'backup-ok@example.com');
      const { response, browser } = await signInWithSecondStep(app, shopper, 'backup_code', ` ${shopper.backupCodes[5]!.replace('-', ' ')} `);
      assert.equal(response.status, 303, 'spaces instead of the hyphen are fine');
      assert.equal((await whoamiWith(app, sessionTokenFrom(response))).body.session.authenticatedVia, 'password+backup_code');
      assert.match((await browser.get('/account/security')).text, /This device[\s\S]*?\(password \+ backup code\)/);
    });

    test('authenticator at sign-in: the previous step is accepted', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'totp-previous@example.com');
      clock.advance(2 * STEP_MS);
      const { response } = await signInWithSecondStep(app, shopper, 'totp', oathtool(shopper.secret, appNow(app) - STEP_MS));
      assert.equal(response.status, 303, 'the code of the step before is still accepted (slow typing, clock drift)');
      // Just before the next step begins, the current code is also still fine.
      clock.advance(STEP_MS - 1);
      assert.equal((await signInWithSecondStep(app, shopper, 'totp', oathtool(shopper.secret, appNow(app)))).response.status, 303);
    });

    test('authenticator at sign-in: two steps back and the next step are refused', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'totp-window@example.com');
      clock.advance(3 * STEP_MS);
      const browser = createClient(app.url);
      const { flowId } = await passwordStep(app, browser, shopper.email, shopper.password);
      const now = appNow(app);
      for (const [label, at] of [['two steps back', now - 2 * STEP_MS], ['next step', now + STEP_MS], ['ten steps back', now - 10 * STEP_MS]] as const) {
        const code = oathtool(shopper.secret, at);
        if (code === oathtool(shopper.secret, now) || code === oathtool(shopper.secret, now - STEP_MS)) continue; // a 1-in-a-million collision
        const response = await browser.post('/login/verify/authenticator', { flow: flowId, code });
        assert.equal(response.status, 422, `${label} is refused`);
        assert.equal(sessionSetCookie(response), undefined);
      }
      const right = await browser.post('/login/verify/authenticator', { flow: flowId, code: oathtool(shopper.secret, now) });
      assert.equal(right.status, 303, 'the current step works in the same flow');
    });

    test('authenticator at sign-in: a step already used is refused (replay), the enrolment step included', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'totp-replay@example.com');
      // twoStepShopper moved one step on: the previous step is the one that confirmed the enrolment.
      const enrolmentCode = oathtool(shopper.secret, appNow(app) - STEP_MS);
      const atEnrolment = await signInWithSecondStep(app, shopper, 'totp', enrolmentCode);
      assert.equal(atEnrolment.response.status, 422, 'the enrolment step is spent');
      const code = oathtool(shopper.secret, appNow(app));
      assert.equal((await signInWithSecondStep(app, shopper, 'totp', code)).response.status, 303);
      const sessions = await sessionCount(app, shopper.id);
      const replay = await signInWithSecondStep(app, shopper, 'totp', code);
      assert.equal(replay.response.status, 422, 'the same code again, in another browser, is refused');
      assert.equal(sessionSetCookie(replay.response), undefined);
      clock.advance(STEP_MS);
      const stillOld = await signInWithSecondStep(app, shopper, 'totp', code);
      assert.equal(stillOld.response.status, 422, 'a used step stays used when it becomes the previous step');
      assert.equal(await sessionCount(app, shopper.id), sessions);
    });

    test('two-step sign-in: a wrong password still says "invalid credentials", without revealing two-step', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const guarded = await twoStepShopper(app, clock, 'guarded@example.com', { phone: true, totp: true });
      const plain = await signedInShopper(app, 'plain@example.com');
      const texts = smsCount(app);
      const flows = async () => (await app.gatehouse.services.db.selectFrom('flows').select('id').where('kind', '=', 'sign_in').execute()).length;
      const flowsBefore = await flows();
      const answers = [];
      for (const account of [guarded, plain]) {
        const response = await signIn(createClient(app.url), account.email, 'not the password at all');
        assert.equal(response.status, 401);
        assert.equal(alertText(response.text), 'The email, login name or password is not right.');
        answers.push(withoutTokens(response.text).replace(account.email, 'EMAIL'));
      }
      assert.equal(answers[0], answers[1], 'the same page for an account with two-step and one without');
      assert.equal(await flows(), flowsBefore, 'no second step started');
      assert.equal(smsCount(app), texts, 'no text message');
    });
  });
}
