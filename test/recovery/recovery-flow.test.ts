// Issue 3: the recovery flow is a stored state machine bound to the browser that started it
// (DESIGN.md §3): someone else's browser cannot see or use it, it expires, the new-password step
// cannot be reached before the code is right, a completed flow cannot be replayed; and a throttled
// sign-in does not stand in the way of recovery (DESIGN.md §2 "sign-in throttling").
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, countRows, makeAccount, signIn, signInOk } from '../security/kit.ts';
import { HOUR, NEW_PASSWORD, finishRecovery, outboxCount, passwordHashOf, startRecovery, wrongCode } from './recovery-kit.ts';

const NOT_IN_THIS_BROWSER = 'This link is not valid in this browser. Please start again.';

for (const dialect of testDialects) {
  describe(`recovery flow on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = () => makeAccount(app, { email: `flow.owner${++n}@example.com`, loginName: `flow_owner_${n}` });
    const nextDay = () => clock.advance(25 * HOUR);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    test('recovery flow: bound to the browser that started it — another browser sees "not found" on every step and changes nothing', async () => {
      nextDay();
      const account = await freshAccount();
      const owner = createClient(app.url);
      const intruder = createClient(app.url);
      const { flowId, code } = await startRecovery(app, owner, account.email, account.email);
      await intruder.get('/recovery');

      const before = await countRows(app);
      for (const path of [`/recovery/code?flow=${flowId}`, `/recovery/other-ways?flow=${flowId}`, `/recovery/password?flow=${flowId}`]) {
        const page = await intruder.get(path);
        assert.equal(page.status, 404, path);
        assert.equal(alertText(page.text), NOT_IN_THIS_BROWSER, path);
        assert.ok(!page.text.includes(account.email), `${path}: nothing of the flow shows`);
      }
      const stolen = await intruder.post('/recovery/code', { flow: flowId, code });
      assert.equal(stolen.status, 404, 'the right code typed into someone else’s flow fails');
      assert.equal(alertText(stolen.text), NOT_IN_THIS_BROWSER);
      clock.advance(61_000);
      assert.equal((await intruder.post('/recovery/resend', { flow: flowId })).status, 404);
      assert.equal((await intruder.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' })).status, 404);
      assert.deepEqual(await countRows(app), before, 'no code tried, no send, no flow moved');

      // Nor does a code typed into the intruder's own flow for the same account work.
      const theirs = await startRecovery(app, intruder, account.email, account.email);
      if (theirs.code !== code) assert.equal((await intruder.post('/recovery/code', { flow: theirs.flowId, code })).status, 422);

      // The owner's flow is untouched: the code still works there.
      await finishRecovery(owner, flowId, code);
      assert.equal((await signIn(createClient(app.url), account.email, NEW_PASSWORD)).status, 303);
    });

    test('recovery flow: expires after an hour — the code page, the code and the new-password step all answer "expired"', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const waiting = await startRecovery(app, browser, account.email, account.email);
      clock.advance(61_000); // one code a minute per account: within it the new flow would take this one over
      const verified = await startRecovery(app, browser, account.loginName!, account.email);
      const confirmed = await browser.post('/recovery/code', { flow: verified.flowId, code: verified.code });
      assert.equal(confirmed.status, 303);
      const hashBefore = await passwordHashOf(app, account.id);

      clock.advance(HOUR);
      const page = await browser.get(`/recovery/code?flow=${waiting.flowId}`);
      assert.equal(page.status, 410);
      assert.equal(alertText(page.text), 'This page has expired. Please start again.');
      assert.equal((await browser.post('/recovery/code', { flow: waiting.flowId, code: waiting.code })).status, 410);
      assert.equal((await browser.post('/recovery/resend', { flow: waiting.flowId })).status, 410);
      assert.equal((await browser.get(`/recovery/password?flow=${verified.flowId}`)).status, 410);
      const late = await browser.post('/recovery/password', { flow: verified.flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(late.status, 410, 'a verified flow that sat past its hour cannot set the password');
      assert.equal(await passwordHashOf(app, account.id), hashBefore, 'the password is unchanged');
      assert.equal((await signIn(createClient(app.url), account.email, account.password)).status, 303, 'the old password still works');
    });

    test('recovery flow: the new-password step cannot be reached or posted before the code is right', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      const hashBefore = await passwordHashOf(app, account.id);
      const post = () => browser.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });

      const form = await browser.get(`/recovery/password?flow=${flowId}`);
      assert.equal(form.status, 303, 'the form is not shown');
      assert.equal(form.location, `/recovery/code?flow=${flowId}`, 'back to the code');
      const early = await post();
      assert.equal(early.status, 409);
      assert.equal(alertText(early.text), 'Confirm the code first.');

      // A wrong code does not open it either.
      assert.equal((await browser.post('/recovery/code', { flow: flowId, code: wrongCode(code) })).status, 422);
      assert.equal((await browser.get(`/recovery/password?flow=${flowId}`)).status, 303);
      assert.equal((await post()).status, 409);
      assert.equal(await passwordHashOf(app, account.id), hashBefore, 'the password is unchanged');

      // The right code does.
      assert.equal((await browser.post('/recovery/code', { flow: flowId, code })).status, 303);
      assert.equal((await browser.get(`/recovery/password?flow=${flowId}`)).status, 200);
      assert.equal((await post()).status, 303);
      assert.notEqual(await passwordHashOf(app, account.id), hashBefore);
    });

    test('recovery flow: a completed flow cannot be replayed — every step answers "already done" and nothing changes', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      await finishRecovery(browser, flowId, code);
      const hashAfter = await passwordHashOf(app, account.id);

      clock.advance(61_000);
      const before = await countRows(app);
      const replays = [
        await browser.post('/recovery/password', { flow: flowId, password: 'another pass phrase 2027', password_confirmation: 'another pass phrase 2027', sign_out_others: '1' }),
        await browser.post('/recovery/code', { flow: flowId, code }),
        await browser.post('/recovery/resend', { flow: flowId }),
        await browser.get(`/recovery/code?flow=${flowId}`),
        await browser.get(`/recovery/password?flow=${flowId}`),
      ];
      for (const replay of replays) {
        assert.equal(replay.status, 409);
        assert.equal(alertText(replay.text), 'This step is already done.');
      }
      assert.deepEqual(await countRows(app), before, 'no send, no session, no mail');
      assert.equal(await passwordHashOf(app, account.id), hashAfter, 'the password set by the flow stays');
      assert.equal((await signIn(createClient(app.url), account.email, 'another pass phrase 2027')).status, 401);
    });

    test('recovery flow: a throttled sign-in (growing delay after failures) does not block recovery; the new password signs in at once', async () => {
      nextDay();
      const account = await freshAccount();
      const attacker = createClient(app.url);
      for (let i = 1; i <= 5; i++) assert.equal((await signIn(attacker, account.email, `wrong guess number ${i}`)).status, 401, `failure ${i}`);
      const throttled = await signIn(attacker, account.email, account.password);
      assert.equal(throttled.status, 429, 'the account is in its delay');
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);

      // Recovery goes through while the account is throttled (no clock movement at all).
      const shopper = createClient(app.url);
      const { flowId, code } = await startRecovery(app, shopper, account.loginName!, account.email);
      await finishRecovery(shopper, flowId, code);
      const signedIn = await signIn(shopper, account.email, NEW_PASSWORD);
      assert.equal(signedIn.status, 303, 'signed in with the new password right away');
      await signInOk(createClient(app.url), account.loginName!, NEW_PASSWORD);
    });

    test('recovery flow: parallel posts of the new password — exactly one sets it, one email, the rest answer "already done"', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      assert.equal((await browser.post('/recovery/code', { flow: flowId, code })).status, 303);
      await browser.get(`/recovery/password?flow=${flowId}`);
      const outboxBefore = await outboxCount(app);
      const passwords = Array.from({ length: 8 }, (_, i) => `racing pass phrase number ${i}`);
      const answers = await Promise.all(passwords.map((password) => browser.post('/recovery/password', { flow: flowId, password, password_confirmation: password, sign_out_others: '1' })));
      const winners = answers.map((a, i) => (a.status === 303 ? i : -1)).filter((i) => i >= 0);
      assert.equal(winners.length, 1, `exactly one wins (statuses ${answers.map((a) => a.status).join(', ')})`);
      for (const a of answers) assert.ok(a.status === 303 || a.status === 409, `${a.status}`);
      assert.equal(await outboxCount(app), outboxBefore + 1, 'one "password changed" email');
      assert.equal((await signIn(createClient(app.url), account.email, passwords[winners[0]!]!)).status, 303, 'the winner’s password is the one set');
    });

    test('recovery flow: an account locked by an administrator mid-recovery gets no further code and cannot finish', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const waiting = await startRecovery(app, browser, account.email, account.email);
      clock.advance(61_000); // one code a minute per account: within it the new flow would take this one over
      const verified = await startRecovery(app, browser, account.loginName!, account.email);
      assert.equal((await browser.post('/recovery/code', { flow: verified.flowId, code: verified.code })).status, 303);
      const hashBefore = await passwordHashOf(app, account.id);
      const { accounts, clock: appClock } = app.gatehouse.services;
      await accounts.setLocked(account.id, appClock.now(), appClock.now());

      clock.advance(61_000);
      const outboxBefore = await outboxCount(app);
      const resent = await browser.post('/recovery/resend', { flow: waiting.flowId });
      assert.equal(resent.status, 303, 'the same answer as before the lock');
      assert.equal(await outboxCount(app), outboxBefore, 'but no code is mailed');
      const typed = await browser.post('/recovery/code', { flow: waiting.flowId, code: waiting.code });
      assert.ok(typed.status === 422 || typed.status === 410, `the code does not open the flow (${typed.status})`);
      const finish = await browser.post('/recovery/password', { flow: verified.flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.ok(finish.status >= 400 && finish.status < 500, `a verified flow cannot set the password of a locked account (${finish.status})`);
      assert.equal(await passwordHashOf(app, account.id), hashBefore, 'the password is unchanged');
      assert.equal(await outboxCount(app), outboxBefore, 'no "password changed" email either');
    });
  });
}
