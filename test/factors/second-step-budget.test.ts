// Issue 9 §2: knowing only the email, 20 wrong codes in recovery spent the account's daily budget,
// and the owner — right password, right authenticator code — then got 429 for an hour, in the
// browser and in the app. The second step after a correct password has budgets of its own;
// recovery's budget still protects recovery. The signed-in changes (Change password, a new phone)
// likewise: a stranger's wrong recovery codes cannot keep a signed-in owner from them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { sessionSetCookie } from '../security/kit.ts';
import { startPasswordChange, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { afterNow, appNow, oathtool, otherCode, passwordStep, PHONE, signedInShopper, signInWithSecondStep, smsCodeFor, startClockedGatehouse, startPhone, twoStepShopper } from './factors-kit.ts';

const HOUR = 3600_000;

for (const dialect of testDialects) {
  describe(`second step budgets apart from recovery's (${dialect})`, { timeout: 120_000 }, () => {
    test('second step: 20 wrong recovery codes by someone who knows only the email do not stop the owner’s right password + authenticator code (browser, app, SMS)', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect, { CODE_SENDS_PER_HOUR: '20', CODE_SENDS_PER_DAY: '40' });
      t.after(() => app.close());
      const owner = await twoStepShopper(app, clock, 'kept-out@example.com', { phone: true, totp: true });
      clock.advance(HOUR); // past the set-up's sends

      // A stranger, from another browser: 15 wrong email codes over three recovery flows and 5
      // wrong authenticator codes — 20, the whole of recovery's day.
      const stranger = createClient(app.url);
      for (let round = 0; round < 3; round++) {
        const { flowId } = await startRecovery(app, stranger, owner.email);
        for (let i = 0; i < 5; i++) await stranger.post('/recovery/code', { flow: flowId, code: wrongCode('000000', i) });
        clock.advance(61_000);
      }
      const { flowId: lastFlow } = await startRecovery(app, stranger, owner.email);
      for (let i = 0; i < 5; i++) await stranger.post('/recovery/authenticator', { flow: lastFlow, code: otherCode(oathtool(owner.secret, appNow(app))) });
      const resting = await stranger.post('/recovery/code', { flow: lastFlow, code: '123456' });
      assert.equal(resting.status, 429, "recovery's own budget is spent and protects recovery");

      // The owner, with the right password and the right code, signs in.
      const browser = await signInWithSecondStep(app, owner, 'totp', oathtool(owner.secret, appNow(app)));
      assert.equal(browser.response.status, 303, `browser: ${browser.response.status}`);
      assert.ok(sessionSetCookie(browser.response));
      clock.advance(30_000);
      const appAnswer = await fetch(new URL('/api/v1/app/sessions', app.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'StoreApp/3.1 (iPhone; iOS 17.5)' },
        body: JSON.stringify({ identifier: owner.email, password: owner.password, secondFactor: { way: 'totp', code: oathtool(owner.secret, appNow(app)) } }),
      });
      assert.equal(appAnswer.status, 201, 'the app too');
      // And a text at sign-in goes out and its code works: recovery's sends did not spend the second step's.
      const textBrowser = createClient(app.url);
      const { flowId } = await passwordStep(app, textBrowser, owner.email, owner.password);
      const sentAfter = afterNow();
      assert.equal((await textBrowser.post('/login/verify/sms/send', { flow: flowId })).status, 303);
      const code = await smsCodeFor(app, PHONE, sentAfter);
      assert.equal((await textBrowser.post('/login/verify/sms', { flow: flowId, code })).status, 303);
    });

    test('second step: its own 20 wrong codes a day make it rest 1 h, and that spends nothing of recovery’s', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const owner = await twoStepShopper(app, clock, 'own-budget@example.com');
      const right = () => oathtool(owner.secret, appNow(app));
      for (let round = 0; round < 4; round++) {
        const browser = createClient(app.url);
        const { flowId } = await passwordStep(app, browser, owner.email, owner.password);
        for (let i = 0; i < 5; i++) await browser.post('/login/verify/authenticator', { flow: flowId, code: otherCode(right()) });
      }
      const rested = await signInWithSecondStep(app, owner, 'totp', right());
      assert.equal(rested.response.status, 429, 'the 21st second-step try rests');
      // Recovery by email is untouched by it.
      clock.advance(61_000);
      const browser = createClient(app.url);
      const recovery = await startRecovery(app, browser, owner.email, owner.email);
      assert.equal((await browser.post('/recovery/code', { flow: recovery.flowId, code: recovery.code })).status, 303);
      clock.advance(HOUR);
      assert.equal((await signInWithSecondStep(app, owner, 'totp', right())).response.status, 303, 'after the hour of rest');
    });

    test('signed-in changes: 20 wrong recovery codes by someone who knows only the email do not stop the signed-in owner’s Change password code or a new phone’s code', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect, { CODE_SENDS_PER_HOUR: '20', CODE_SENDS_PER_DAY: '40' });
      t.after(() => app.close());
      const owner = await signedInShopper(app, 'signed-in-budget@example.com');

      const stranger = createClient(app.url);
      for (let round = 0; round < 4; round++) {
        const { flowId, code } = await startRecovery(app, stranger, owner.email, owner.email);
        for (let i = 0; i < 5; i++) await stranger.post('/recovery/code', { flow: flowId, code: wrongCode(code, i) });
        clock.advance(61_000);
      }
      const { flowId: restingFlow, code: rightButResting } = await startRecovery(app, stranger, owner.email, owner.email);
      assert.equal((await stranger.post('/recovery/code', { flow: restingFlow, code: rightButResting })).status, 429, "recovery's own budget is spent and protects recovery");

      // The owner, signed in a few minutes ago (still fresh), changes the password and adds a phone
      // (a minute on: the wait between mails to one account holds across flows).
      clock.advance(61_000);
      const change = await startPasswordChange(app, owner.browser, owner.email);
      const confirmed = await owner.browser.post('/account/password/code', { flow: change.flowId, code: change.code });
      assert.equal(confirmed.status, 303, `Change password's code is accepted (${confirmed.status})`);
      assert.match(confirmed.location ?? '', /^\/account\/password\/new\?flow=/);
      const phone = await startPhone(app, owner, PHONE);
      const added = await owner.browser.post('/account/security/phone/code', { flow: phone.flowId, code: phone.code });
      assert.equal(added.status, 303, `the new phone's code is accepted (${added.status})`);
      assert.equal(added.location, '/account/security?saved=phone');
    });
  });
}
