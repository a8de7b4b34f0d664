// Issue 3: My account → Settings → Change password walks the recovery steps bound to the signed-in
// shopper's own account: a session is required, a flow of account A is useless to account B's
// session even in the same browser, the current session survives and the others end unless the
// shopper unticks it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { SESSION_COOKIE, alertText, countRows, makeAccount, signIn, signInOk, whoamiWith } from '../security/kit.ts';
import { HOUR, NEW_PASSWORD, finishRecovery, passwordHashOf, startPasswordChange } from './recovery-kit.ts';

for (const dialect of testDialects) {
  describe(`change password on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = () => makeAccount(app, { email: `changing${++n}@example.com`, loginName: `changing_${n}` });
    const nextDay = () => clock.advance(25 * HOUR);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    /** A new account signed in on a phone and on a laptop, where it has started Change password. */
    async function changingOnLaptop() {
      nextDay();
      const account = await freshAccount();
      const phone = await signInOk(createClient(app.url), account.email, account.password);
      const laptop = createClient(app.url);
      const laptopToken = await signInOk(laptop, account.email, account.password);
      const { flowId, code } = await startPasswordChange(app, laptop, account.email);
      return { account, phone, laptop, laptopToken, flowId, code };
    }

    test('change password: requires a session — signed out, every step redirects to sign in with return_to and changes nothing', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      await signInOk(browser, account.email, account.password);
      const { flowId, code } = await startPasswordChange(app, browser, account.email);
      await browser.get('/account');
      assert.equal((await browser.post('/logout', {})).status, 303);

      const hashBefore = await passwordHashOf(app, account.id);
      const before = await countRows(app);
      for (const path of [`/account/password/code?flow=${flowId}`, `/account/password/new?flow=${flowId}`, `/account/password/other-ways?flow=${flowId}`, '/account/password/done', '/account/settings']) {
        const page = await browser.get(path);
        assert.equal(page.status, 303, path);
        assert.equal(page.location, `/login?return_to=${encodeURIComponent(path)}`, path);
      }
      clock.advance(61_000);
      for (const [path, fields] of [
        ['/account/password', {}],
        ['/account/password/code', { flow: flowId, code }],
        ['/account/password/resend', { flow: flowId }],
        ['/account/password/new', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' }],
      ] as const) {
        const response = await browser.post(path, fields);
        assert.equal(response.status, 303, path);
        assert.match(response.location ?? '', /^\/login\?return_to=/, path);
      }
      assert.deepEqual(await countRows(app), before, 'no flow, code, send or session');
      assert.equal(await passwordHashOf(app, account.id), hashBefore);

      // Signing in again (same browser) picks the flow up where it was.
      await signInOk(browser, account.email, account.password);
      await finishRecovery(browser, flowId, code, NEW_PASSWORD, true, '/account/password');
    });

    test('change password: a flow of account A cannot be used by account B’s session in the same browser (404)', async () => {
      nextDay();
      const a = await freshAccount();
      const b = await freshAccount();
      const browser = createClient(app.url);
      await signInOk(browser, a.email, a.password);
      const { flowId, code } = await startPasswordChange(app, browser, a.email);
      await browser.get('/account');
      assert.equal((await browser.post('/logout', {})).status, 303);
      await signInOk(browser, b.email, b.password);

      const hashA = await passwordHashOf(app, a.id);
      const hashB = await passwordHashOf(app, b.id);
      const before = await countRows(app);
      for (const path of [`/account/password/code?flow=${flowId}`, `/account/password/new?flow=${flowId}`, `/account/password/other-ways?flow=${flowId}`]) {
        const page = await browser.get(path);
        assert.equal(page.status, 404, path);
        assert.ok(!page.text.includes(a.email), `${path}: nothing of A shows`);
      }
      const typed = await browser.post('/account/password/code', { flow: flowId, code });
      assert.equal(typed.status, 404, 'A’s code in A’s flow, from B’s session');
      assert.equal(alertText(typed.text), 'This link is not valid in this browser. Please start again.');
      clock.advance(61_000);
      assert.equal((await browser.post('/account/password/resend', { flow: flowId })).status, 404);
      assert.equal((await browser.post('/account/password/new', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 404);
      assert.deepEqual(await countRows(app), before);
      assert.equal(await passwordHashOf(app, a.id), hashA);
      assert.equal(await passwordHashOf(app, b.id), hashB);

      // The code was not burnt: back as A, the flow still works.
      await browser.get('/account');
      await browser.post('/logout', {});
      await signInOk(browser, a.email, a.password);
      await finishRecovery(browser, flowId, code, NEW_PASSWORD, true, '/account/password');
      assert.equal((await signIn(createClient(app.url), a.email, NEW_PASSWORD)).status, 303);
    });

    test('change password: the current session survives; other sessions end when ticked', async () => {
      const { account, phone, laptop, laptopToken, flowId, code } = await changingOnLaptop();
      const form = await laptop.post('/account/password/code', { flow: flowId, code });
      assert.equal(form.status, 303);
      assert.match((await laptop.get(form.location!)).text, /name="sign_out_others" value="1" checked/, 'ticked by default');
      const done = await laptop.post('/account/password/new', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(done.status, 303);
      assert.equal(done.location, `/account/password/done?flow=${flowId}`);
      assert.equal((await whoamiWith(app, laptop.jar.get(SESSION_COOKIE)!)).status, 200, 'this session survives, under a new token');
      assert.equal((await whoamiWith(app, laptopToken)).status, 401, 'the token from before the change opens nothing');
      assert.equal((await whoamiWith(app, phone)).status, 401, 'the phone is signed out');
      const page = await laptop.get(done.location!);
      assert.equal(page.status, 200);
      assert.match(page.text, /You stay signed in on this device/);
      assert.equal((await signIn(createClient(app.url), account.email, account.password)).status, 401, 'the old password no longer works');
      assert.equal((await signIn(createClient(app.url), account.email, NEW_PASSWORD)).status, 303);
    });

    test('change password: the current session survives; other sessions stay when unticked', async () => {
      const { account, phone, laptop, laptopToken, flowId, code } = await changingOnLaptop();
      await finishRecovery(laptop, flowId, code, NEW_PASSWORD, false, '/account/password');
      assert.equal((await whoamiWith(app, laptop.jar.get(SESSION_COOKIE)!)).status, 200, 'this session survives, under a new token');
      assert.equal((await whoamiWith(app, laptopToken)).status, 401, 'the token from before the change opens nothing');
      assert.equal((await whoamiWith(app, phone)).status, 200, 'the phone stays signed in');
    });

    test('change password: the code goes to the email on file and the new-password step needs it first', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      await signInOk(browser, account.loginName!, account.password);
      const { flowId, code } = await startPasswordChange(app, browser, account.email);
      const page = await browser.get(`/account/password/code?flow=${flowId}`);
      assert.match(page.text, new RegExp(`We have sent a 6-digit code to ${account.email.replace('.', '\\.')}`));
      const early = await browser.get(`/account/password/new?flow=${flowId}`);
      assert.equal(early.status, 303);
      assert.equal(early.location, `/account/password/code?flow=${flowId}`);
      const hashBefore = await passwordHashOf(app, account.id);
      assert.equal((await browser.post('/account/password/new', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 409);
      assert.equal(await passwordHashOf(app, account.id), hashBefore);
      await finishRecovery(browser, flowId, code, NEW_PASSWORD, true, '/account/password');
      // Replaying the last step of a completed Change password is refused too.
      assert.equal((await browser.post('/account/password/new', { flow: flowId, password: 'yet another pass phrase', password_confirmation: 'yet another pass phrase' })).status, 409);
    });
  });
}
