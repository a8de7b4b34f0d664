// Adding the first passkey while two-step is off offers to turn it on right there, ticked
// (settings/passkey-routes.tsx, finishAdding): on in the same transaction, and — since a
// passkey-only account with two-step on must not be one lost phone from locked out — the first
// backup codes are shown then. Unticked, or with two-step already on, nothing else changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { appNow, backupCodesIn, enrollAuthenticator, oathtool, signedInShopper, startClockedGatehouse, turnOnTwoStep, twoStepBadge } from '../factors/factors-kit.ts';
import { flowIdFrom } from '../security/kit.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addPasskey, authenticatorFor, optionsIn } from './passkey-page-kit.ts';

for (const dialect of testDialects) {
  describe(`two-step offered with the first passkey (${dialect})`, () => {
    let app: TestGatehouse;
    test.before(async () => {
      ({ app } = await startClockedGatehouse(dialect));
    });
    test.after(() => app.close());

    test('ticked: the passkey is added, two-step turns on, and the first backup codes are shown once', async () => {
      const shopper = await signedInShopper(app, 'passkey.ticked@example.com');
      const { response, page } = await addPasskey(app, shopper, authenticatorFor(app), { two_step: '1' });
      assert.match(page.text, /<input type="checkbox" id="field-two_step" name="two_step" value="1" checked/, 'offered, ticked');
      assert.equal(response.status, 200, response.text.slice(0, 300));
      assert.match(response.text, /Your passkey is added, and two-step verification is on\./);
      assert.equal(backupCodesIn(response.text).length, 10);
      assert.equal(response.headers.get('cache-control'), 'no-store', 'the only copy of the codes is not cached');
      assert.equal(await twoStepBadge(shopper), 'on');
      const security = await shopper.browser.get('/account/security');
      assert.match(security.text, /data-factor="backup_codes"[\s\S]*?10 of 10 left/);
    });

    test('unticked: the passkey is added and two-step stays off, as before', async () => {
      const shopper = await signedInShopper(app, 'passkey.unticked@example.com');
      const { response } = await addPasskey(app, shopper);
      assert.equal(response.status, 303);
      assert.equal(response.location, '/account/security?saved=passkey_added');
      assert.equal(await twoStepBadge(shopper), 'off');
    });

    test('ticked with backup codes already there: two-step on, no new codes (the old set stays valid)', async () => {
      const shopper = await signedInShopper(app, 'passkey.hascodes@example.com');
      const { backupCodes } = await enrollAuthenticator(app, shopper);
      assert.equal(backupCodes.length, 10);
      assert.equal(await twoStepBadge(shopper), 'off');
      const { response } = await addPasskey(app, shopper, authenticatorFor(app), { two_step: '1' });
      assert.equal(response.status, 303);
      assert.equal(response.location, '/account/security?saved=passkey_added_on');
      const security = await shopper.browser.get(response.location!);
      assert.match(security.text, /Your passkey is added, and two-step verification is on\./);
      assert.match(security.text, /10 of 10 left/);
    });

    test('an authenticator confirmed and a passkey added at the same moment make one set of backup codes, shown once — never two, the second voiding the first', async () => {
      for (let round = 0; round < 3; round += 1) {
        const shopper = await signedInShopper(app, `race.codes.${round}@example.com`);
        const started = await shopper.browser.post('/account/security/authenticator/start', {});
        const setUp = await shopper.browser.get(started.location!);
        const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(setUp.text)![1]!;
        const addPage = await shopper.browser.get('/account/security/passkeys/add');
        const answer = authenticatorFor(app).register(optionsIn(addPage.text));
        const [totp, passkey] = await Promise.all([
          shopper.browser.post('/account/security/authenticator', { flow: flowIdFrom(started.location), code: oathtool(secret, appNow(app)), two_step: '1' }),
          shopper.browser.post('/account/security/passkeys/add', { response: JSON.stringify(answer), two_step: '1' }),
        ]);
        const shown = [backupCodesIn(totp.text), backupCodesIn(passkey.text)].filter((codes) => codes.length > 0);
        assert.equal(shown.length, 1, `round ${round}: one set shown (${totp.status}, ${passkey.status})`);
        assert.equal(shown[0]!.length, 10);
        assert.match((await shopper.browser.get('/account/security')).text, /10 of 10 left/);
        assert.equal(await twoStepBadge(shopper), 'on');
      }
    });

    test('with two-step already on, the add page does not offer it', async () => {
      const shopper = await signedInShopper(app, 'passkey.alreadyon@example.com');
      await enrollAuthenticator(app, shopper);
      await turnOnTwoStep(shopper);
      const { page, response } = await addPasskey(app, shopper);
      assert.doesNotMatch(page.text, /field-two_step/);
      assert.equal(response.location, '/account/security?saved=passkey_added');
    });
  });
}
