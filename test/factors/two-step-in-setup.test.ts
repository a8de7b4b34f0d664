// Setting up the first authenticator app offers to turn two-step sign-in on right there, ticked
// by default (security-settings-routes.tsx, confirmAuthenticator): the app has just proved it
// works, so a shopper need not find a second button for it. Unticked, two-step stays as it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { flowIdFrom } from '../security/kit.ts';
import { addPhone, appNow, backupCodesIn, oathtool, signedInShopper, startClockedGatehouse, turnOnTwoStep, twoStepBadge, type Shopper } from './factors-kit.ts';
import type { TestGatehouse } from '../harness/test-app.ts';

async function openSetUp(shopper: Shopper): Promise<{ flowId: string; secret: string; html: string }> {
  const started = await shopper.browser.post('/account/security/authenticator/start', {});
  assert.equal(started.status, 303);
  const page = await shopper.browser.get(started.location!);
  assert.equal(page.status, 200);
  return { flowId: flowIdFrom(started.location), secret: /data-totp-secret="([A-Z2-7]+)"/.exec(page.text)![1]!, html: page.text };
}

const TICKED_BOX = /<input type="checkbox" id="field-two_step" name="two_step" value="1" checked(="[^"]*")? aria-describedby="field-two_step-hint"\/?>\s*<label for="field-two_step">Turn on two-step verification<\/label>/;

for (const dialect of testDialects) {
  describe(`two-step in the authenticator set-up (${dialect})`, () => {
    let app: TestGatehouse;
    test.before(async () => {
      ({ app } = await startClockedGatehouse(dialect));
    });
    test.after(() => app.close());

    test('the first authenticator’s set-up offers two-step, ticked; confirming with it ticked turns two-step on and says so above the backup codes', async () => {
      const shopper = await signedInShopper(app, 'setup.ticked@example.com');
      const { flowId, secret, html } = await openSetUp(shopper);
      assert.match(html, TICKED_BOX);
      assert.match(html, /Signing in will then ask for your password and a code from this app\./);
      const confirmed = await shopper.browser.post('/account/security/authenticator', { flow: flowId, code: oathtool(secret, appNow(app)), two_step: '1' });
      assert.equal(confirmed.status, 200);
      assert.match(confirmed.text, /Your authenticator app is set up, and two-step verification is on\./);
      assert.equal(backupCodesIn(confirmed.text).length, 10, 'then the backup codes');
      assert.equal(await twoStepBadge(shopper), 'on');
      const events = await app.gatehouse.services.db.selectFrom('security_events').select('type').where('account_id', '=', shopper.id).execute();
      assert.ok(events.some((event) => event.type === 'two_step.turned_on'), 'recorded in the security activity');
    });

    test('unticked (the box sends nothing), the authenticator is set up and two-step stays off', async () => {
      const shopper = await signedInShopper(app, 'setup.unticked@example.com');
      const { flowId, secret } = await openSetUp(shopper);
      const confirmed = await shopper.browser.post('/account/security/authenticator', { flow: flowId, code: oathtool(secret, appNow(app)) });
      assert.equal(confirmed.status, 200);
      assert.match(confirmed.text, /Your authenticator app is set up\./);
      assert.equal(await twoStepBadge(shopper), 'off');
    });

    test('a wrong code changes nothing, and the page comes back with the box as the shopper left it', async () => {
      const shopper = await signedInShopper(app, 'setup.wrong@example.com');
      const { flowId, secret } = await openSetUp(shopper);
      const right = oathtool(secret, appNow(app));
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const unticked = await shopper.browser.post('/account/security/authenticator', { flow: flowId, code: wrong });
      assert.equal(unticked.status, 422);
      assert.match(unticked.text, /<input type="checkbox" id="field-two_step" name="two_step" value="1" aria-describedby/, 'left unticked');
      const ticked = await shopper.browser.post('/account/security/authenticator', { flow: flowId, code: wrong, two_step: '1' });
      assert.equal(ticked.status, 422);
      assert.match(ticked.text, TICKED_BOX, 'left ticked');
      assert.equal(await twoStepBadge(shopper), 'off', 'nothing turned on by a wrong code');
    });

    test('with two-step already on (by a phone), the set-up does not offer it again', async () => {
      const shopper = await signedInShopper(app, 'setup.already@example.com');
      await addPhone(app, shopper);
      await turnOnTwoStep(shopper);
      const { html } = await openSetUp(shopper);
      assert.doesNotMatch(html, /field-two_step/);
    });
  });
}
