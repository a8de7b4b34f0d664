// One walk through every way, to prove the pieces are wired: phone, authenticator, backup codes,
// two-step sign-in with each factor, recovery that needs the authenticator as well as the email.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { createManualClock, startTestGatehouse } from '../harness/test-app.ts';
import { whoamiWith, sessionTokenFrom } from '../security/kit.ts';
import { startRecovery } from '../recovery/recovery-kit.ts';
import { addPhone, appNow, afterNow, enrollAuthenticator, oathtool, passwordStep, PHONE, signedInShopper, smsCodeFor, turnOnTwoStep } from './factors-kit.ts';

for (const dialect of testDialects) {
  describe(`second factors, end to end over HTTP (${dialect})`, () => {
    test('set up every factor, sign in with each, recover with email + authenticator', async (t) => {
      // A clock of its own: with the real one, a 30 s step boundary passing between the
      // enrolment and the replay (a slow moment) would make the "replay" a new step's code.
      const app = await startTestGatehouse(dialect, { clock: createManualClock(Date.now()) });
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'walk@example.com');
      await addPhone(app, shopper);
      const { secret, backupCodes } = await enrollAuthenticator(app, shopper);
      assert.equal(backupCodes.length, 10);
      await turnOnTwoStep(shopper);
      const security = await shopper.browser.get('/account/security');
      assert.match(security.text, /data-two-step="on"/);

      // Sign-in: password, then the authenticator.
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, shopper.email, shopper.password);
      assert.match(first.location, /^\/login\/verify\/authenticator/);
      // The enrolment used the current step; this one is refused as a replay, the next step works.
      const replay = await browser.post('/login/verify/authenticator', { flow: first.flowId, code: oathtool(secret, appNow(app)) });
      assert.equal(replay.status, 422, 'the step already used at enrolment is refused');

      // Backup code instead.
      const viaBackup = await browser.post('/login/verify/backup-code', { flow: first.flowId, code: backupCodes[0]! });
      assert.equal(viaBackup.status, 303, `a backup code signs in (${viaBackup.status}) ${viaBackup.text.slice(0, 200)}`);
      const who = await whoamiWith(app, sessionTokenFrom(viaBackup));
      assert.equal(who.body.session.authenticatedVia, 'password+backup_code');

      // SMS as the second step.
      const phoneBrowser = createClient(app.url);
      const second = await passwordStep(app, phoneBrowser, shopper.email, shopper.password);
      const sentAfter = afterNow();
      const sent = await phoneBrowser.post('/login/verify/sms/send', { flow: second.flowId });
      assert.equal(sent.status, 303, `a text code is sent (${sent.status})`);
      const smsCode = await smsCodeFor(app, PHONE, sentAfter);
      const viaSms = await phoneBrowser.post('/login/verify/sms', { flow: second.flowId, code: smsCode });
      assert.equal(viaSms.status, 303);
      assert.equal((await whoamiWith(app, sessionTokenFrom(viaSms))).body.session.authenticatedVia, 'password+sms');

      // Recovery: the email code alone is not enough for an account with an authenticator.
      const stranger = createClient(app.url);
      const { flowId, code } = await startRecovery(app, stranger, shopper.email, shopper.email);
      const afterEmail = await stranger.post('/recovery/code', { flow: flowId, code });
      assert.equal(afterEmail.status, 303);
      assert.match(afterEmail.location ?? '', /^\/recovery\/authenticator\?flow=/, 'the email code leads to the authenticator step');
      const notYet = await stranger.get(`/recovery/password?flow=${flowId}`);
      assert.equal(notYet.status, 303, 'the new-password form is not reachable yet');
      const viaBackupRecovery = await stranger.post('/recovery/backup-code', { flow: flowId, code: backupCodes[1]! });
      assert.equal(viaBackupRecovery.status, 303);
      assert.equal(viaBackupRecovery.location, `/recovery/password?flow=${flowId}`);
    });
  });
}
