// Second factors (issue 4) in real Chromium, on SQLite and on PostgreSQL: set up a phone (the SMS
// code read from the embedded SMS catcher), an authenticator app (the key read from the page, the
// code computed by Debian's oathtool, the independent RFC 6238 implementation) and backup codes
// (downloaded as a text file), turn on two-step sign-in; sign in with each factor (a replayed
// authenticator step and a used backup code refused); recover the password of an account with an
// authenticator (the email code alone is not enough); Change password through "Other ways to
// verify" with the masked number.
//
// The server's clock is a manual one (starting at the real time, so cookies stay sensible to the
// browser): a new 30 s authenticator step is reached by advancing it, not by sleeping. Every test
// makes its own shopper (its own phone number), so the per-account and per-number send caps of
// one test never touch another.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, newDesktopPage, type Browser, type Page } from '../harness/browser.ts';
import { createShopper, pathOf, signIn, waitForPath, watchForBrowserErrors } from './e2e-kit.ts';
import { addPhone, enrollAuthenticator, signedInShopper, turnOnTwoStep } from '../factors/factors-kit.ts';
import {
  addPhoneInBrowser,
  appNow,
  confirmAuthenticatorInBrowser,
  confirmCodeInBrowser,
  justBefore,
  oathtool,
  passwordStepInBrowser,
  setUpAuthenticatorInBrowser,
  smsCodeFor,
  turnOnTwoStepInBrowser,
} from './factors-e2e-kit.ts';

const PASSWORD = 'lantern moths circle the porch';
const NEW_PASSWORD = 'copper rain on slate rooftops';
const TOTP_STEP_MS = 30_000;

for (const dialect of testDialects) {
  describe(`second factors in Chromium on ${dialect}`, () => {
    const clock = createManualClock(Date.now());
    let app: TestGatehouse;
    let browser: Browser;
    let shoppers = 0;
    const pages: { page: Page; errors: string[] }[] = [];
    before(async () => {
      [app, browser] = await Promise.all([startTestGatehouse(dialect, { clock }), launchBrowser()]);
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    /** A fresh browser whose script errors and CSP violations are checked at the end of the test. */
    async function openPage(): Promise<Page> {
      const page = await newDesktopPage(browser, { locale: 'en-US' });
      pages.push({ page, errors: watchForBrowserErrors(page) });
      return page;
    }
    async function closePages(): Promise<void> {
      for (const { page, errors } of pages.splice(0)) {
        assert.deepEqual(errors, [], `no script errors or CSP violations (${page.url()})`);
        await page.close();
      }
    }

    /** Moves the server past the authenticator step used last (each step works only once). */
    const nextTotpStep = () => clock.advance(TOTP_STEP_MS);

    /**
     * A shopper with a confirmed phone and an authenticator app (and so backup codes), set up
     * through the same Security forms but posted by the in-process client: test (a) walks those
     * screens in Chromium, so the journeys after it spend the browser on what they are about.
     */
    async function shopperWithFactors(twoStep: boolean) {
      shoppers += 1;
      const email = `factors.${shoppers}.${dialect}@example.com`;
      const phone = `+4479111234${String(shoppers).padStart(2, '0')}`;
      const shopper = await signedInShopper(app, email, { password: PASSWORD });
      await addPhone(app, shopper, phone);
      const { secret: key, backupCodes } = await enrollAuthenticator(app, shopper);
      if (twoStep) await turnOnTwoStep(shopper);
      return { email, phone, key, backupCodes };
    }

    /** A fresh browser signed in with the password and then oathtool's code, a step after the last one used. */
    async function signInWithAuthenticator(email: string, key: string): Promise<Page> {
      nextTotpStep();
      const page = await openPage();
      await passwordStepInBrowser(page, app.url, email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      await confirmAuthenticatorInBrowser(page, app, key);
      await waitForPath(page, /^\/account$/);
      return page;
    }

    async function whoamiVia(page: Page): Promise<string> {
      const response = await page.goto(`${app.url}/api/v1/whoami`);
      assert.equal(response?.status(), 200, 'signed in');
      return (await response!.json()).session.authenticatedVia;
    }

    async function thisDeviceRow(page: Page) {
      await page.goto(`${app.url}/account/security`);
      return page.locator('.session-item').filter({ hasText: 'This device' });
    }

    async function chooseNewPassword(page: Page, done: RegExp) {
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Update password' }).click();
      await waitForPath(page, done);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your password has been changed');
    }

    /** /recovery → the identifier → the emailed code; returns the code page's address and the code. */
    async function startRecovery(page: Page, email: string): Promise<{ codeUrl: string; code: string }> {
      await page.goto(`${app.url}/login`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await waitForPath(page, /^\/recovery$/);
      await page.getByLabel('Email or login name').fill(email);
      const sentAfter = justBefore();
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/recovery\/code\?flow=/);
      return { codeUrl: page.url(), code: await app.codeFor(email, sentAfter) };
    }

    // ---- (a) set-up ----------------------------------------------------------------------------------

    test('set up: phone with the SMS code, authenticator with oathtool, backup codes seen and downloaded, two-step on', async () => {
      const email = `factors.setup.${dialect}@example.com`;
      const phone = '+447911123499';
      await createShopper(app, { email, password: PASSWORD });
      const page = await openPage();
      await signIn(page, app.url, email, PASSWORD);

      // Security, nothing yet: two-step is off and cannot be turned on.
      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Security' }).click();
      await waitForPath(page, /^\/account\/security$/);
      assert.equal(await page.locator('[data-two-step]').getAttribute('data-two-step'), 'off');
      assert.equal(await page.getByRole('button', { name: 'Turn on two-step verification' }).count(), 0);
      await page.getByText('Add a phone number, an authenticator app or a passkey first.').waitFor();

      // Phone: the number, the texted code, confirmed; Security shows it masked.
      await addPhoneInBrowser(page, app, phone);
      await page.getByRole('status').filter({ hasText: 'Your phone number is confirmed.' }).waitFor();
      const phoneRow = page.locator('[data-factor="phone"]');
      assert.match((await phoneRow.locator('.factor-state').textContent()) ?? '', /^\+44\s.*\*.*99$/, 'the number is masked, its end shown');
      assert.equal(await phoneRow.getByText(phone).count(), 0, 'never the whole number');

      // Authenticator: the key from the page, oathtool's code turns it on and shows the backup codes.
      // (Two-step unticked here, to turn it on from Security below; passkey-ways-journey keeps the tick.)
      const { key, backupCodes } = await setUpAuthenticatorInBrowser(page, app, { twoStep: false });
      assert.equal(new Set(backupCodes).size, 10, 'ten different codes');
      await page.getByRole('status').filter({ hasText: 'Your authenticator app is set up.' }).waitFor();

      // Download them: a text file holding the 10 codes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as a text file' }).click()]);
      assert.match(download.suggestedFilename(), /backup-codes\.txt$/);
      const file = await readFile((await download.path())!, 'utf8');
      for (const code of backupCodes) assert.ok(file.includes(code), `the file holds ${code}`);

      await page.getByRole('link', { name: 'I have saved my codes' }).click();
      await waitForPath(page, /^\/account\/security$/);
      assert.equal(await page.locator('[data-factor="totp"] .factor-state').textContent(), 'Set up');
      assert.equal(await page.locator('[data-factor="backup_codes"] .factor-state').textContent(), '10 of 10 left');

      // Two-step on.
      await turnOnTwoStepInBrowser(page, app);
      await page.getByRole('status').filter({ hasText: 'Two-step verification is on.' }).waitFor();
      assert.equal(await page.locator('[data-two-step]').textContent(), 'On');
      assert.equal(await page.getByRole('button', { name: 'Turn off' }).count(), 1);

      // The next sign-in asks for the authenticator (a step later than the one that turned it on).
      await signInWithAuthenticator(email, key);
      await closePages();
    });

    // ---- (b) two-step sign-in -------------------------------------------------------------------------

    test('two-step sign-in: authenticator (a replayed step refused), text message via Other ways, backup code (once only); whoami and Security say how', async () => {
      const shopper = await shopperWithFactors(true);

      // Authenticator: oathtool's code for this step signs in.
      nextTotpStep();
      const first = await openPage();
      await passwordStepInBrowser(first, app.url, shopper.email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      assert.equal(await first.getByRole('heading', { level: 1 }).textContent(), 'Enter the code from your authenticator app');
      assert.equal((await first.goto(`${app.url}/api/v1/whoami`))?.status(), 401, 'the password alone is no session');
      await first.goBack();
      const code = oathtool(shopper.key, appNow(app));
      await first.getByLabel('6-digit code').fill(code);
      await first.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(first, /^\/account$/);
      assert.equal(await whoamiVia(first), 'password+totp');
      await (await thisDeviceRow(first)).getByText('(password + authenticator app)').waitFor();

      // A second sign-in in the same 30 s step: the same code is a replay and is refused.
      const second = await openPage();
      await passwordStepInBrowser(second, app.url, shopper.email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      const secondUrl = pathOf(second);
      await second.getByLabel('6-digit code').fill(code);
      await second.getByRole('button', { name: 'Confirm' }).click();
      await second.locator('#field-code-error').waitFor();
      assert.equal(await second.getByLabel('6-digit code').getAttribute('aria-invalid'), 'true');
      assert.equal((await second.goto(`${app.url}/api/v1/whoami`))?.status(), 401, 'the replayed step made no session');

      // The same browser: Other ways to verify → a text message.
      await second.goto(`${app.url}${secondUrl}`);
      await second.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(second, /^\/login\/verify\/other-ways\?flow=/);
      const smsWay = second.locator('[data-way="sms"]');
      await smsWay.getByText(/We’ll text a code to \+44.*\*.*\d\d\./).waitFor();
      const sentAfter = justBefore();
      await smsWay.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(second, /^\/login\/verify\/sms\?flow=/);
      const smsCode = await smsCodeFor(app, shopper.phone, sentAfter);
      await confirmCodeInBrowser(second, smsCode);
      await waitForPath(second, /^\/account$/);
      assert.equal(await whoamiVia(second), 'password+sms');
      await (await thisDeviceRow(second)).getByText('(password + text message)').waitFor();

      // A backup code.
      const third = await openPage();
      await passwordStepInBrowser(third, app.url, shopper.email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      await third.getByRole('link', { name: 'Use a backup code' }).click();
      await waitForPath(third, /^\/login\/verify\/backup-code\?flow=/);
      await confirmCodeInBrowser(third, shopper.backupCodes[0]!, 'Backup code');
      await waitForPath(third, /^\/account$/);
      assert.equal(await whoamiVia(third), 'password+backup_code');
      const row = await thisDeviceRow(third);
      await row.getByText('(password + backup code)').waitFor();
      assert.equal(await third.locator('[data-factor="backup_codes"] .factor-state').textContent(), '9 of 10 left');

      // The same backup code next time: refused.
      const fourth = await openPage();
      await passwordStepInBrowser(fourth, app.url, shopper.email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      await fourth.getByRole('link', { name: 'Use a backup code' }).click();
      await confirmCodeInBrowser(fourth, shopper.backupCodes[0]!, 'Backup code');
      await fourth.locator('#field-code-error').waitFor();
      assert.match(pathOf(fourth), /^\/login\/verify\/backup-code/);
      assert.equal((await fourth.goto(`${app.url}/api/v1/whoami`))?.status(), 401, 'a used backup code made no session');
      await closePages();
    });

    // ---- (c) recovery for an account with an authenticator ---------------------------------------------

    test('recovery: the email code, then the authenticator (oathtool) — the email code alone never reaches the new password', async () => {
      const shopper = await shopperWithFactors(false);
      const page = await openPage();
      const { code } = await startRecovery(page, shopper.email);
      await confirmCodeInBrowser(page, code);

      // The screen asks for the authenticator: "one more check".
      await waitForPath(page, /^\/recovery\/authenticator\?flow=[^&]+&then=1$/);
      const flowId = new URL(page.url()).searchParams.get('flow')!;
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter the code from your authenticator app');
      await page.getByText('Almost done: one more check').waitFor();
      await page.getByRole('status').filter({ hasText: 'Code accepted. Your account also has two-step protection, so one more check.' }).waitFor();

      // The new-password form is out of reach with the email code alone.
      await page.goto(`${app.url}/recovery/password?flow=${flowId}`);
      assert.doesNotMatch(pathOf(page), /^\/recovery\/password/, 'sent back, not shown the new-password form');
      assert.equal(await page.getByLabel('New password', { exact: true }).count(), 0);
      await waitForPath(page, /^\/recovery\/authenticator\?flow=/);

      nextTotpStep();
      await confirmAuthenticatorInBrowser(page, app, shopper.key);
      await waitForPath(page, /^\/recovery\/password\?flow=/);
      await chooseNewPassword(page, /^\/recovery\/done\?flow=/);
      assert.equal((await page.goto(`${app.url}/api/v1/whoami`))?.status(), 401, 'no automatic sign-in after recovery');
      await closePages();
    });

    test('recovery via Other ways: a text message to the account phone, then the authenticator', async () => {
      const shopper = await shopperWithFactors(false);
      const page = await openPage();
      await startRecovery(page, shopper.email);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/recovery\/other-ways\?flow=/);
      // Recovery says nothing about the account: every way is offered, no number shown.
      for (const way of ['sms', 'totp', 'backup_code', 'email']) assert.equal(await page.locator(`[data-way="${way}"]`).count(), 1, `${way} is offered`);
      await page.getByText('We’ll text a code to the phone number on the account.').waitFor();
      const sentAfter = justBefore();
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(page, /^\/recovery\/sms\?flow=/);
      await page.getByText('If the account has a phone number, we have texted a 6-digit code to it.').waitFor();
      await confirmCodeInBrowser(page, await smsCodeFor(app, shopper.phone, sentAfter));

      await waitForPath(page, /^\/recovery\/authenticator\?flow=[^&]+&then=1$/);
      nextTotpStep();
      await confirmAuthenticatorInBrowser(page, app, shopper.key);
      await waitForPath(page, /^\/recovery\/password\?flow=/);
      await chooseNewPassword(page, /^\/recovery\/done\?flow=/);

      // The new password signs in (the account has no two-step sign-in).
      const next = await openPage();
      await signIn(next, app.url, shopper.email, NEW_PASSWORD);
      await closePages();
    });

    test('recovery with the email code and a backup code (which is then spent)', async () => {
      const shopper = await shopperWithFactors(false);
      const page = await openPage();
      const { code } = await startRecovery(page, shopper.email);
      await confirmCodeInBrowser(page, code);
      await waitForPath(page, /^\/recovery\/authenticator\?flow=/);
      await page.getByRole('link', { name: 'Use a backup code' }).click();
      await waitForPath(page, /^\/recovery\/backup-code\?flow=/);
      await page.getByText('Almost done: one more check').waitFor();
      await confirmCodeInBrowser(page, shopper.backupCodes[3]!, 'Backup code');
      await waitForPath(page, /^\/recovery\/password\?flow=/);
      await chooseNewPassword(page, /^\/recovery\/done\?flow=/);

      const next = await openPage();
      await signIn(next, app.url, shopper.email, NEW_PASSWORD);
      assert.equal(await (await thisDeviceRow(next)).count(), 1);
      assert.equal(await next.locator('[data-factor="backup_codes"] .factor-state').textContent(), '9 of 10 left');
      await closePages();
    });

    // ---- (d) Change password through Other ways --------------------------------------------------------

    test('Change password from Settings via Other ways: the masked number, the SMS code, the authenticator, the new password', async () => {
      const shopper = await shopperWithFactors(true);

      // Signed in with the second step, as a two-step shopper is.
      const page = await signInWithAuthenticator(shopper.email, shopper.key);

      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Settings' }).click();
      await waitForPath(page, /^\/account\/settings$/);
      await page.getByRole('main').getByRole('button', { name: 'Change password' }).click();
      await waitForPath(page, /^\/account\/password\/code\?flow=/);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/account\/password\/other-ways\?flow=/);

      // Signed in, the shopper's own number is shown masked (never in full).
      const smsWay = page.locator('[data-way="sms"]');
      const hint = (await smsWay.locator('.field-hint').textContent()) ?? '';
      const lastTwo = shopper.phone.slice(-2);
      assert.match(hint.replace(/\u00a0/g, ' '), new RegExp(`^We’ll text a code to \\+44 [* -]+${lastTwo}\\.$`), `masked: ${hint}`);
      assert.equal(await page.getByText(shopper.phone).count(), 0, 'never the whole number');
      const sentAfter = justBefore();
      await smsWay.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(page, /^\/account\/password\/sms\?flow=/);
      await confirmCodeInBrowser(page, await smsCodeFor(app, shopper.phone, sentAfter));

      // The account has an authenticator: one more check before the new password.
      await waitForPath(page, /^\/account\/password\/authenticator\?flow=[^&]+&then=1$/);
      nextTotpStep();
      await confirmAuthenticatorInBrowser(page, app, shopper.key);
      await waitForPath(page, /^\/account\/password\/new\?flow=/);
      await chooseNewPassword(page, /^\/account\/password\/done\?flow=/);
      await page.getByRole('link', { name: 'Back to My account' }).click();
      await waitForPath(page, /^\/account$/);
      assert.equal(await whoamiVia(page), 'password+totp', 'still signed in, the same session');
      await closePages();
    });
  });
}
