// Issue 4, rule 7 with DESIGN.md §2 "second factor": an account with an authenticator app or backup
// codes needs one of them as well as the email or text code to finish recovery, in either order;
// an account with only a phone recovers with the text code alone. Authenticator codes come from
// Debian's oathtool; a used backup code and a replayed authenticator step are refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { signIn } from '../security/kit.ts';
import { HOUR, MINUTE, NEW_PASSWORD, passwordHashOf, startRecovery } from '../recovery/recovery-kit.ts';
import { addPhone, appNow, enrollAuthenticator, makeBackupCodes, oathtool, phoneNo, sendTextCode, signedInShopper } from './factors-kit.ts';

const STEP = 30_000;

for (const dialect of testDialects) {
  describe(`recovery: the second factor (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;

    async function owner(options: { phone?: boolean; totp?: boolean; backupOnly?: boolean }) {
      clock.advance(25 * HOUR);
      n++;
      const shopper = await signedInShopper(app, `second.${n}@example.com`);
      const phone = phoneNo(n);
      if (options.phone) await addPhone(app, shopper, phone);
      let secret = '';
      let backupCodes: string[] = [];
      if (options.totp) ({ secret, backupCodes } = await enrollAuthenticator(app, shopper));
      if (options.backupOnly) backupCodes = await makeBackupCodes(shopper);
      clock.advance(HOUR + MINUTE); // a later TOTP step than the enrolment's, and past the set-up sends
      return { ...shopper, phone, secret, backupCodes, hashBefore: await passwordHashOf(app, shopper.id) };
    }

    async function recover(email: string): Promise<{ browser: Client; flowId: string; emailCode: string }> {
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, email, email);
      return { browser, flowId, emailCode: code };
    }

    /** The second factor is still missing: no new-password form, a refused password, nothing changed. */
    async function assertBlocked(browser: Client, flowId: string, accountId: string, hashBefore: string | null) {
      const form = await browser.get(`/recovery/password?flow=${flowId}`);
      assert.equal(form.status, 303, 'the new-password form sends the browser back');
      assert.equal(form.location, `/recovery/code?flow=${flowId}`);
      const codePage = await browser.get(form.location!);
      assert.match(codePage.location ?? '', new RegExp(`^/recovery/(authenticator|backup-code)\\?flow=${flowId}$`), 'and the code page on to the missing step (the account\'s own kind)');
      const posted = await browser.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(posted.status, 409, 'a new password is refused');
      assert.equal(await passwordHashOf(app, accountId), hashBefore, 'the password is unchanged');
    }

    /** The new-password form → *Update password*; the new password signs in, the old one does not. */
    async function assertFinishes(browser: Client, flowId: string, who: { id: string; email: string; password: string; hashBefore: string | null }, password: string) {
      assert.equal((await browser.get(`/recovery/password?flow=${flowId}`)).status, 200, 'the new-password form is shown');
      const done = await browser.post('/recovery/password', { flow: flowId, password, password_confirmation: password, sign_out_others: '1' });
      assert.equal(done.status, 303, `the password is set (${done.status})`);
      assert.equal(done.location, `/recovery/done?flow=${flowId}`);
      assert.notEqual(await passwordHashOf(app, who.id), who.hashBefore);
      assert.equal((await signIn(createClient(app.url), who.email, password)).status, 303, 'the new password signs in');
      assert.equal((await signIn(createClient(app.url), who.email, who.password)).status, 401, 'the old one does not');
    }

    test('recovery second factor: an account with an authenticator cannot finish with the email code alone', async () => {
      const who = await owner({ totp: true });
      const r = await recover(who.email);
      const afterEmail = await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      assert.equal(afterEmail.status, 303);
      assert.equal(afterEmail.location, `/recovery/authenticator?flow=${r.flowId}&then=1`);
      const step = await r.browser.get(afterEmail.location!);
      assert.match(step.text, /Almost done: one more check/);
      assert.match(step.text, /Code accepted\. Your account also has two-step protection/);
      const ways = await r.browser.get(`/recovery/other-ways?flow=${r.flowId}`);
      assert.match(ways.text, /data-way="totp"/);
      assert.match(ways.text, /data-way="backup_code"/);
      assert.doesNotMatch(ways.text, /data-way="(sms|email)"/, 'the email or text proof is done; only the second factor is offered');
      await assertBlocked(r.browser, r.flowId, who.id, who.hashBefore);
    });

    test('recovery second factor: an account with backup codes only cannot finish with the email code alone; it is sent to the backup code page, which finishes it', async () => {
      const who = await owner({ backupOnly: true });
      const r = await recover(who.email);
      assert.equal((await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode })).location, `/recovery/backup-code?flow=${r.flowId}&then=1`);
      await assertBlocked(r.browser, r.flowId, who.id, who.hashBefore);
      const backup = await r.browser.post('/recovery/backup-code', { flow: r.flowId, code: who.backupCodes[3]!.toUpperCase() });
      assert.equal(backup.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);
    });

    test('recovery second factor: the text code alone does not finish for an account with an authenticator', async () => {
      const who = await owner({ phone: true, totp: true });
      const r = await recover(who.email);
      const text = await sendTextCode(app, r.browser, r.flowId, who.phone);
      const afterText = await r.browser.post('/recovery/sms', { flow: r.flowId, code: text.code });
      assert.equal(afterText.location, `/recovery/authenticator?flow=${r.flowId}&then=1`);
      await assertBlocked(r.browser, r.flowId, who.id, who.hashBefore);
      assert.equal((await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode })).location, `/recovery/authenticator?flow=${r.flowId}&then=1`, 'the email code as well does not replace the second factor');
      await assertBlocked(r.browser, r.flowId, who.id, who.hashBefore);
    });

    test('recovery second factor: email + authenticator (oathtool) finishes', async () => {
      const who = await owner({ totp: true });
      const r = await recover(who.email);
      await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      const totp = await r.browser.post('/recovery/authenticator', { flow: r.flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.status, 303);
      assert.equal(totp.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);
    });

    test('recovery second factor: email + backup code finishes, and that backup code is refused afterwards', async () => {
      const who = await owner({ totp: true });
      const r = await recover(who.email);
      await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      const backup = await r.browser.post('/recovery/backup-code', { flow: r.flowId, code: who.backupCodes[0]! });
      assert.equal(backup.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);

      clock.advance(61_000); // one code a minute per account, over every flow
      const again = await recover(who.email);
      await again.browser.post('/recovery/code', { flow: again.flowId, code: again.emailCode });
      const used = await again.browser.post('/recovery/backup-code', { flow: again.flowId, code: who.backupCodes[0]! });
      assert.equal(used.status, 422, 'a used backup code is a wrong code');
      assert.match(used.text, /That code is not right/);
      assert.equal((await again.browser.post('/recovery/backup-code', { flow: again.flowId, code: who.backupCodes[1]! })).location, `/recovery/password?flow=${again.flowId}`, 'another one works');
    });

    test('recovery second factor: text code + authenticator finishes', async () => {
      const who = await owner({ phone: true, totp: true });
      const r = await recover(who.email);
      const text = await sendTextCode(app, r.browser, r.flowId, who.phone);
      await r.browser.post('/recovery/sms', { flow: r.flowId, code: text.code });
      const totp = await r.browser.post('/recovery/authenticator', { flow: r.flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);
    });

    test('recovery second factor: authenticator first, then the email code, finishes', async () => {
      const who = await owner({ totp: true });
      const r = await recover(who.email);
      const totp = await r.browser.post('/recovery/authenticator', { flow: r.flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.status, 303);
      assert.equal(totp.location, `/recovery/code?flow=${r.flowId}&then=1`, 'then the email (or text) code');
      const codePage = await r.browser.get(totp.location!);
      assert.equal(codePage.status, 200);
      assert.match(codePage.text, /Accepted\. Now enter the code we sent to your email/);
      assert.equal((await r.browser.get(`/recovery/backup-code?flow=${r.flowId}`)).location, `/recovery/code?flow=${r.flowId}`, 'the factor step is done');
      const ways = await r.browser.get(`/recovery/other-ways?flow=${r.flowId}`);
      assert.match(ways.text, /data-way="sms"/);
      assert.match(ways.text, /data-way="email"/);
      assert.doesNotMatch(ways.text, /data-way="(totp|backup_code)"/);
      assert.equal((await r.browser.get(`/recovery/password?flow=${r.flowId}`)).location, `/recovery/code?flow=${r.flowId}`);
      assert.equal((await r.browser.post('/recovery/password', { flow: r.flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 409, 'the factor alone is not enough');
      assert.equal(await passwordHashOf(app, who.id), who.hashBefore);
      const email = await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      assert.equal(email.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);
    });

    test('recovery second factor: a replayed authenticator step is refused (the enrolment’s, a previous flow’s)', async () => {
      clock.advance(25 * HOUR);
      n++;
      const shopper = await signedInShopper(app, `replay.${n}@example.com`);
      const enrolledAt = appNow(app);
      const { secret } = await enrollAuthenticator(app, shopper);
      const who = { ...shopper, hashBefore: await passwordHashOf(app, shopper.id) };
      const r = await recover(who.email);
      await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      const replay = await r.browser.post('/recovery/authenticator', { flow: r.flowId, code: oathtool(secret, enrolledAt) });
      assert.equal(replay.status, 422, 'the step that confirmed the enrolment is refused');
      clock.advance(STEP);
      const fresh = oathtool(secret, appNow(app));
      assert.equal((await r.browser.post('/recovery/authenticator', { flow: r.flowId, code: fresh })).location, `/recovery/password?flow=${r.flowId}`, 'the next step works');
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);

      // 60 s after the first recovery's mail (one code a minute per account) — and `fresh` is still
      // the previous step, which the window would accept if it had not been used.
      clock.advance(STEP);
      const next = await recover(who.email);
      await next.browser.post('/recovery/code', { flow: next.flowId, code: next.emailCode });
      assert.equal((await next.browser.post('/recovery/authenticator', { flow: next.flowId, code: fresh })).status, 422, 'the step used in the previous flow is refused');
      assert.equal((await next.browser.post('/recovery/authenticator', { flow: next.flowId, code: oathtool(secret, enrolledAt) })).status, 422, 'an older step too');
      clock.advance(STEP);
      assert.equal((await next.browser.post('/recovery/authenticator', { flow: next.flowId, code: oathtool(secret, appNow(app)) })).location, `/recovery/password?flow=${next.flowId}`);
    });

    test('recovery second factor: an account with only a phone recovers with the text code alone', async () => {
      const who = await owner({ phone: true });
      const r = await recover(who.email);
      const text = await sendTextCode(app, r.browser, r.flowId, who.phone);
      const confirmed = await r.browser.post('/recovery/sms', { flow: r.flowId, code: text.code });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, `/recovery/password?flow=${r.flowId}`);
      await assertFinishes(r.browser, r.flowId, who, NEW_PASSWORD);
    });
  });
}
