// Issue 4, rules 5–7 in Change password (My account → Settings): the shopper is signed in, so the
// Other ways page lists only their own ways with the number masked; the second-factor rule is the
// same as in recovery; each way works; codes are bound to the purpose (a recovery text code does
// not work here).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { signIn } from '../security/kit.ts';
import { HOUR, NEW_PASSWORD, passwordHashOf, startPasswordChange, startRecovery } from '../recovery/recovery-kit.ts';
import { addPhone, appNow, enrollAuthenticator, oathtool, phoneNo, sendTextCode, signedInShopper } from './factors-kit.ts';

const BASE = '/account/password';
/** Page text with no-break spaces (which keep a masked number on one line) read as spaces. */
const plain = (html: string) => html.replace(/\u00a0|&nbsp;|&#160;/g, ' ');

for (const dialect of testDialects) {
  describe(`change password with the other ways (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;

    /** A signed-in shopper with the factors asked for; 31 s later, so the authenticator has a fresh step. */
    async function shopperWith(options: { phone?: boolean; totp?: boolean }) {
      n++;
      const shopper = await signedInShopper(app, `changer.${n}@example.com`);
      const phone = phoneNo(n);
      if (options.phone) await addPhone(app, shopper, phone);
      const factors = options.totp ? await enrollAuthenticator(app, shopper) : { secret: '', backupCodes: [] as string[] };
      clock.advance(31_000);
      return { ...shopper, phone, ...factors, hashBefore: await passwordHashOf(app, shopper.id) };
    }

    async function change(who: { browser: Client; email: string }) {
      // A minute after any earlier code to the account: within it, no new one is mailed (the
      // same browser's new flow takes the earlier one over, test/verification/send-cooldown).
      clock.advance(61_000);
      return startPasswordChange(app, who.browser, who.email);
    }

    /** The new-password form → *Update password*: this session stays, the new password signs in. */
    async function assertFinishes(who: { id: string; email: string; password: string; browser: Client; hashBefore: string | null }, flowId: string) {
      assert.equal((await who.browser.get(`${BASE}/new?flow=${flowId}`)).status, 200, 'the new-password form is shown');
      const done = await who.browser.post(`${BASE}/new`, { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(done.status, 303, `the password is changed (${done.status})`);
      assert.equal(done.location, `${BASE}/done?flow=${flowId}`);
      assert.notEqual(await passwordHashOf(app, who.id), who.hashBefore);
      assert.equal((await who.browser.get('/api/v1/whoami')).status, 200, 'this session is kept');
      assert.equal((await signIn(createClient(app.url), who.email, NEW_PASSWORD)).status, 303);
    }

    test('change password other ways: the page shows the masked number and only the ways the account has', async () => {
      clock.advance(25 * HOUR);
      const none = await shopperWith({});
      const phoneOnly = await shopperWith({ phone: true });
      const all = await shopperWith({ phone: true, totp: true });
      const pageOf = async (who: typeof none) => plain((await who.browser.get(`${BASE}/other-ways?flow=${(await change(who)).flowId}`)).text);

      const nonePage = await pageOf(none);
      assert.match(nonePage, /data-way="email"/);
      assert.doesNotMatch(nonePage, /data-way="(sms|totp|backup_code)"/, 'no phone, authenticator or backup codes: only the email again');

      const phonePage = await pageOf(phoneOnly);
      assert.ok(phonePage.includes(`We’ll text a code to +44 **** ****${phoneOnly.phone.slice(-2)}.`), 'the masked number');
      assert.ok(!phonePage.includes(phoneOnly.phone.slice(3, -2)), 'never the whole number');
      assert.match(phonePage, /data-way="email"/);
      assert.doesNotMatch(phonePage, /data-way="(totp|backup_code)"/);

      const allPage = await pageOf(all);
      for (const way of ['sms', 'totp', 'backup_code', 'email']) assert.match(allPage, new RegExp(`data-way="${way}"`));
      assert.ok(allPage.includes(`+44 **** ****${all.phone.slice(-2)}`));
      assert.match(allPage, /You have 10 unused backup codes\./);

      // The text's own page says where it went, masked.
      const flow = (await change(all)).flowId;
      const sent = await sendTextCode(app, all.browser, flow, all.phone, BASE);
      assert.equal(sent.location, `${BASE}/sms?flow=${flow}&sent=1`);
      assert.ok(plain((await all.browser.get(sent.location!)).text).includes(`We have texted a 6-digit code to +44 **** ****${all.phone.slice(-2)}.`));
    });

    test('change password: a recovery text code does not work here, nor a recovery flow (bound to purpose)', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ phone: true });
      // The set-up text, the recovery's and this one: 3 to the number and 5 sends in the hour, both at their limit.
      const { flowId: recoveryFlow } = await startRecovery(app, who.browser, who.email);
      const recoveryText = await sendTextCode(app, who.browser, recoveryFlow, who.phone);
      const { flowId } = await change(who);
      const changeText = await sendTextCode(app, who.browser, flowId, who.phone, BASE);
      if (recoveryText.code !== changeText.code) {
        assert.equal((await who.browser.post(`${BASE}/sms`, { flow: flowId, code: recoveryText.code })).status, 422, 'a recovery code is wrong here');
        assert.equal((await who.browser.post('/recovery/sms', { flow: recoveryFlow, code: changeText.code })).status, 422, 'and a Change password code is wrong in recovery');
      }
      assert.equal((await who.browser.post(`${BASE}/sms`, { flow: recoveryFlow, code: recoveryText.code })).status, 404, 'a recovery flow is not a Change password flow');
      assert.equal((await who.browser.post('/recovery/sms', { flow: flowId, code: changeText.code })).status, 404, 'nor the other way round');
      assert.equal((await who.browser.post(`${BASE}/sms`, { flow: flowId, code: changeText.code })).location, `${BASE}/new?flow=${flowId}`);
      assert.equal((await who.browser.post('/recovery/sms', { flow: recoveryFlow, code: recoveryText.code })).location, `/recovery/password?flow=${recoveryFlow}`);
    });

    test('change password: an account with an authenticator needs it as well as the email or text code', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ phone: true, totp: true });
      for (const via of ['email', 'sms'] as const) {
        const { flowId, code } = await change(who);
        const first =
          via === 'email'
            ? await who.browser.post(`${BASE}/code`, { flow: flowId, code })
            : await who.browser.post(`${BASE}/sms`, { flow: flowId, code: (await sendTextCode(app, who.browser, flowId, who.phone, BASE)).code });
        assert.equal(first.location, `${BASE}/authenticator?flow=${flowId}&then=1`, `${via}: on to the authenticator`);
        const ways = await who.browser.get(`${BASE}/other-ways?flow=${flowId}`);
        assert.doesNotMatch(ways.text, /data-way="(sms|email)"/);
        assert.match(ways.text, /data-way="totp"/);
        const form = await who.browser.get(`${BASE}/new?flow=${flowId}`);
        assert.equal(form.location, `${BASE}/code?flow=${flowId}`, `${via}: no new-password form yet`);
        assert.equal((await who.browser.get(form.location!)).location, `${BASE}/authenticator?flow=${flowId}`);
        const refused = await who.browser.post(`${BASE}/new`, { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
        assert.equal(refused.status, 409, `${via}: a new password is refused`);
        assert.equal(await passwordHashOf(app, who.id), who.hashBefore, `${via}: the password is unchanged`);
      }
    });

    test('change password: an account with only a phone changes it with the text code alone', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ phone: true });
      const { flowId } = await change(who);
      const text = await sendTextCode(app, who.browser, flowId, who.phone, BASE);
      assert.equal(text.status, 303);
      assert.equal((await who.browser.post(`${BASE}/sms`, { flow: flowId, code: text.code })).location, `${BASE}/new?flow=${flowId}`);
      await assertFinishes(who, flowId);
    });

    test('change password: text code + authenticator (oathtool)', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ phone: true, totp: true });
      const { flowId } = await change(who);
      const text = await sendTextCode(app, who.browser, flowId, who.phone, BASE);
      await who.browser.post(`${BASE}/sms`, { flow: flowId, code: text.code });
      const totp = await who.browser.post(`${BASE}/authenticator`, { flow: flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.location, `${BASE}/new?flow=${flowId}`);
      await assertFinishes(who, flowId);
    });

    test('change password: email code + backup code; the backup code is used up', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ totp: true });
      const { flowId, code } = await change(who);
      await who.browser.post(`${BASE}/code`, { flow: flowId, code });
      const backup = await who.browser.post(`${BASE}/backup-code`, { flow: flowId, code: who.backupCodes[4]! });
      assert.equal(backup.location, `${BASE}/new?flow=${flowId}`);
      await assertFinishes(who, flowId);
      const again = await change(who);
      assert.match((await who.browser.get(`${BASE}/other-ways?flow=${again.flowId}`)).text, /You have 9 unused backup codes\./);
      assert.equal((await who.browser.post(`${BASE}/backup-code`, { flow: again.flowId, code: who.backupCodes[4]! })).status, 422, 'a used backup code is refused');
    });

    test('change password: authenticator first, then the email code', async () => {
      clock.advance(25 * HOUR);
      const who = await shopperWith({ totp: true });
      const { flowId, code } = await change(who);
      const totp = await who.browser.post(`${BASE}/authenticator`, { flow: flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.location, `${BASE}/code?flow=${flowId}&then=1`);
      assert.equal((await who.browser.post(`${BASE}/new`, { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 409);
      assert.equal((await who.browser.post(`${BASE}/code`, { flow: flowId, code })).location, `${BASE}/new?flow=${flowId}`);
      await assertFinishes(who, flowId);
    });
  });
}
