// Issue 3, DESIGN.md §2 "after recovery/change": other sessions are revoked unless the shopper
// unticks it; the owner gets a "password changed" email (HTML and text, in the account's
// language); no automatic sign-in after recovery.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { SESSION_COOKIE, makeAccount, signIn, signInOk, whoamiWith } from '../security/kit.ts';
import { HOUR, NEW_PASSWORD, afterNow, finishRecovery, startRecovery } from './recovery-kit.ts';

for (const dialect of testDialects) {
  describe(`after recovery on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = (locale: 'en' | 'ru' = 'en') => makeAccount(app, { email: `after.recovery${++n}@example.com`, loginName: `after_recovery_${n}`, locale });
    const nextDay = () => clock.advance(25 * HOUR);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    test('after recovery: other sessions end when "Sign out of all other devices" is ticked (the default)', async () => {
      nextDay();
      const account = await freshAccount();
      const phone = await signInOk(createClient(app.url), account.email, account.password);
      const laptop = await signInOk(createClient(app.url), account.loginName!, account.password);
      const bystander = await freshAccount();
      const theirs = await signInOk(createClient(app.url), bystander.email, bystander.password);

      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      assert.equal((await browser.post('/recovery/code', { flow: flowId, code })).status, 303);
      const form = await browser.get(`/recovery/password?flow=${flowId}`);
      assert.match(form.text, /name="sign_out_others" value="1" checked/, 'ticked by default');
      const done = await browser.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(done.status, 303);
      assert.equal((await whoamiWith(app, phone)).status, 401, 'the phone is signed out');
      assert.equal((await whoamiWith(app, laptop)).status, 401, 'the laptop is signed out');
      assert.equal((await whoamiWith(app, theirs)).status, 200, 'another account’s session is left alone');
    });

    test('after recovery: other sessions stay when the box is unticked', async () => {
      nextDay();
      const account = await freshAccount();
      const phone = await signInOk(createClient(app.url), account.email, account.password);
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      await finishRecovery(browser, flowId, code, NEW_PASSWORD, false);
      assert.equal((await whoamiWith(app, phone)).status, 200, 'the phone stays signed in');
    });

    test('after recovery: no automatic sign-in — no session cookie at any step, the done page asks to sign in', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code, response } = await startRecovery(app, browser, account.email, account.email);
      const responses = [response, await browser.post('/recovery/code', { flow: flowId, code })];
      await browser.get(`/recovery/password?flow=${flowId}`);
      const done = await browser.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      responses.push(done);
      const page = await browser.get(done.location!);
      responses.push(page);
      for (const r of responses) assert.ok(!r.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`)), 'no session cookie');
      assert.equal(browser.jar.has(SESSION_COOKIE), false);
      assert.equal((await browser.get('/api/v1/whoami')).status, 401, 'not signed in');
      assert.match(page.text, /Your password has been changed/);
      assert.match(page.text, /<a class="button button-primary" href="\/login">Sign in<\/a>/);
      const sessions = await app.gatehouse.services.db.selectFrom('sessions').selectAll().where('account_id', '=', account.id).execute();
      assert.equal(sessions.length, 0, 'no session was created for the account');
      assert.equal((await signIn(browser, account.email, NEW_PASSWORD)).status, 303, 'signing in is the shopper’s own step');
    });

    test('after recovery: the owner gets a "password changed" email with HTML and text parts, in English for an English account', async () => {
      nextDay();
      const account = await freshAccount('en');
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      const since = afterNow();
      await finishRecovery(browser, flowId, code);
      const mail = await app.mail.waitFor((m) => m.to.includes(account.email) && m.receivedAt >= since && !/\b\d{6}\b/.test(m.text), 10_000);
      assert.equal(mail.subject, 'Your password was changed');
      assert.match(mail.text, /The password of your .+ account was changed on/);
      assert.match(mail.text, /If it wasn't you, secure your account right away/);
      assert.match(mail.html, /Your password was changed/);
      assert.match(mail.html, /href="[^"]*\/recovery"/, 'a link to secure the account');
      assert.match(mail.html, /Secure my account/);
      assert.doesNotMatch(mail.text + mail.html, new RegExp(NEW_PASSWORD), 'the new password is not in the email');
    });

    test('after recovery: the "password changed" email is in Russian for a Russian account, HTML and text', async () => {
      nextDay();
      const account = await freshAccount('ru');
      const browser = createClient(app.url);
      const since = afterNow();
      const { flowId } = await startRecovery(app, browser, account.email);
      const codeMail = await app.mail.waitFor((m) => m.to.includes(account.email) && m.receivedAt >= since, 10_000);
      assert.equal(codeMail.subject, 'Код для сброса пароля', 'the code email is in Russian too');
      const code = /\b(\d{6})\b/.exec(codeMail.text)![1]!;
      const changedSince = afterNow();
      await finishRecovery(browser, flowId, code);
      const mail = await app.mail.waitFor((m) => m.to.includes(account.email) && m.receivedAt >= changedSince && !/\b\d{6}\b/.test(m.text), 10_000);
      assert.equal(mail.subject, 'Ваш пароль изменён');
      assert.match(mail.text, /Пароль от вашего аккаунта .+ был изменён/);
      assert.match(mail.text, /Если это были не вы/);
      assert.match(mail.html, /Ваш пароль изменён/);
      assert.match(mail.html, /Защитить аккаунт/);
      assert.doesNotMatch(mail.text, /Your password/, 'no English in the Russian email');
    });
  });
}
