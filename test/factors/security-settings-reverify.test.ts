// My account → Security: every change of how the account is protected needs a fresh verification
// (a sign-in or the password typed again within 10 minutes). Without one the shopper is sent to
// "Confirm it's you", nothing changes, and wrong passwords there count like wrong sign-ins.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { countRows, fieldError, signIn } from '../security/kit.ts';
import {
  addPhone,
  enrollAuthenticator,
  factorState,
  REVERIFY_WINDOW_MS,
  reverify,
  signedInShopper,
  smsCount,
  startClockedGatehouse,
  turnOnTwoStep,
  twoStepBadge,
} from './factors-kit.ts';

/** Every state-changing form of the second-factor settings, with fields that would change something. */
const CHANGES: Array<[path: string, fields: Record<string, string>]> = [
  ['/account/security/phone/remove', {}],
  ['/account/security/phone', { phone: '+79123456712' }],
  ['/account/security/two-step', { on: '0' }],
  ['/account/security/authenticator/start', {}],
  ['/account/security/authenticator/remove', {}],
  ['/account/security/backup-codes', {}],
];

for (const dialect of testDialects) {
  describe(`Security settings: fresh verification (${dialect})`, { timeout: 60_000 }, () => {
    test('fresh verification: after 10 minutes every change (phone add/remove, authenticator, backup codes, two-step) redirects to Confirm it’s you and changes nothing', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'stale@example.com');
      await addPhone(app, shopper);
      await enrollAuthenticator(app, shopper);
      await turnOnTwoStep(shopper);
      clock.advance(REVERIFY_WINDOW_MS);
      const before = await factorState(app, shopper.id);
      const rows = await countRows(app);
      const texts = smsCount(app);
      await shopper.browser.get('/account/security');
      for (const [path, fields] of CHANGES) {
        const response = await shopper.browser.post(path, fields);
        assert.equal(response.status, 303, `${path} is not allowed without a fresh verification`);
        assert.match(response.location ?? '', /^\/account\/confirm\?return_to=%2Faccount%2Fsecurity/, `${path} → Confirm it's you`);
        assert.ok(!response.text.includes('data-backup-code'), `${path} shows no codes`);
      }
      const form = await shopper.browser.get('/account/security/phone');
      assert.equal(form.status, 303, 'the phone form itself asks for the password first');
      assert.equal(form.location, '/account/confirm?return_to=%2Faccount%2Fsecurity%2Fphone');
      assert.equal(await factorState(app, shopper.id), before, 'no factor changed');
      assert.equal(smsCount(app), texts, 'no text message sent');
      const after = await countRows(app);
      assert.equal(after.flows, rows.flows, 'no set-up flow started');
      assert.equal(after.outbox, rows.outbox);
      assert.equal(await twoStepBadge(shopper), 'on');
    });

    test('fresh verification: a wrong password at Confirm it’s you is refused and counts toward sign-in throttling', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'wrong-reverify@example.com');
      await addPhone(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS);
      const before = await factorState(app, shopper.id);
      for (let i = 0; i < 5; i++) {
        const wrong = await reverify(shopper, `not the password ${i}`);
        assert.equal(wrong.status, 401, `wrong password ${i + 1} is refused`);
        assert.equal(fieldError(wrong.text, 'password'), 'That password is not right.');
      }
      const empty = await shopper.browser.post('/account/confirm', { password: '', return_to: '/account/security' });
      assert.ok(empty.status === 422 || empty.status === 429, `an empty password is refused (${empty.status})`);
      // Five wrong passwords: the account's sign-in delay has started, for the real sign-in form too.
      const elsewhere = await signIn(createClient(app.url), shopper.email, shopper.password);
      assert.equal(elsewhere.status, 429, 'sign-in with the right password now waits');
      assert.ok(Number(elsewhere.headers.get('retry-after')) >= 1);
      const throttled = await reverify(shopper, shopper.password);
      assert.equal(throttled.status, 429, 'Confirm it’s you waits too, with a clear message');
      assert.match(fieldError(throttled.text, 'password') ?? '', /try again in|wait/i);
      const remove = await shopper.browser.post('/account/security/phone/remove', {});
      assert.match(remove.location ?? '', /^\/account\/confirm/, 'still not verified');
      assert.equal(await factorState(app, shopper.id), before);
    });

    test('fresh verification: the right password brings the shopper back and the change is allowed, for 10 minutes', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'right-reverify@example.com');
      await addPhone(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS);
      const refused = await shopper.browser.post('/account/security/phone/remove', {});
      const back = new URL(refused.location!, 'http://x').searchParams.get('return_to')!;
      const page = await shopper.browser.get(refused.location!);
      assert.equal(page.status, 200);
      assert.match(page.text, /Confirm it’s you/);
      const confirmed = await reverify(shopper, shopper.password, back);
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, '/account/security', 'back where the shopper was');
      const removed = await shopper.browser.post('/account/security/phone/remove', {});
      assert.equal(removed.status, 303);
      assert.equal(removed.location, '/account/security?saved=removed');
      assert.equal(await app.gatehouse.services.factors.findPhone(shopper.id), undefined);

      clock.advance(REVERIFY_WINDOW_MS - 1000);
      assert.equal((await shopper.browser.get('/account/security/phone')).status, 200, 'still fresh just before 10 minutes');
      clock.advance(1000);
      assert.equal((await shopper.browser.get('/account/security/phone')).status, 303, 'stale again at 10 minutes');
      const offsite = await reverify(shopper, shopper.password, '//evil.example/');
      assert.equal(offsite.location, '/account', 'return_to never leaves the site');
    });
  });
}
