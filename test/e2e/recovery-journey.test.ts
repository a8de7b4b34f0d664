// Password recovery and Change password in real Chromium, on SQLite and on PostgreSQL, the way the
// seed walks them: "Forgot password?" → one field → the emailed code (Get code only after 60 s,
// which the server enforces too) → the new password twice → "Your password has been changed".
// A second browser that was signed in loses its session; the old password stops working. Then
// My account → Settings → Change password walks the same steps for a signed-in shopper, who stays
// signed in (and, with "Sign out of all other devices" unticked, so does their other browser).
//
// The server's clock is a manual one (starting at the real time, so cookie expiry dates stay
// sensible to the browser): the 60 s resend wait is crossed by advancing it, not by sleeping.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, newDesktopPage, type Browser, type Page } from '../harness/browser.ts';
import { createShopper, pathOf, signIn, waitForPath, watchForBrowserErrors, wrongCodeFor } from './e2e-kit.ts';

const OLD_PASSWORD = 'amber tram rattles past midnight';
const NEW_PASSWORD = 'seven paper kites over the bay';
const NEWEST_PASSWORD = 'violet moss under granite bridges';

for (const dialect of testDialects) {
  describe(`recovery journey in Chromium on ${dialect}`, () => {
    const clock = createManualClock(Date.now());
    let app: TestGatehouse;
    let browser: Browser;
    before(async () => {
      [app, browser] = await Promise.all([startTestGatehouse(dialect, { clock }), launchBrowser()]);
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    test('forgot password: code (resend after 60 s), new password, other sessions end; then Change password from Settings', async () => {
      const email = `recover.${dialect}@example.com`;
      const loginName = `recover_${dialect}`;
      await createShopper(app, { email, loginName, password: OLD_PASSWORD });

      // The shopper is signed in on another device (a second browser context).
      const other = await newDesktopPage(browser, { locale: 'en-US' });
      const otherErrors = watchForBrowserErrors(other);
      await signIn(other, app.url, email, OLD_PASSWORD);

      const page = await newDesktopPage(browser, { locale: 'en-US' });
      const errors = watchForBrowserErrors(page);

      // --- Sign in → "Forgot password?" ---------------------------------------------------------
      await page.goto(`${app.url}/login`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await waitForPath(page, /^\/recovery$/);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Password recovery');

      // --- One field; Continue only when it holds something -------------------------------------
      const identifier = page.getByLabel('Email or login name');
      const continueButton = page.getByRole('button', { name: 'Continue' });
      assert.equal(await continueButton.isDisabled(), true, 'Continue is disabled while the field is empty');
      await identifier.pressSequentially('r');
      assert.equal(await continueButton.isEnabled(), true, 'Continue is enabled once something is typed');
      await identifier.fill('   ');
      assert.equal(await continueButton.isDisabled(), true, 'only spaces do not count');
      await identifier.fill(loginName);
      assert.equal(await continueButton.isEnabled(), true);
      const firstSentAfter = new Date(Date.now() - 1000);
      await continueButton.click();
      await waitForPath(page, /^\/recovery\/code\?flow=[^&]+$/);
      const codeUrl = page.url();

      // --- The code page --------------------------------------------------------------------------
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter the verification code');
      await page.getByText(`If ${loginName} belongs to an account, we have sent a 6-digit code to its email address.`).waitFor();
      assert.equal(await page.getByRole('main').getByText(email).count(), 0, 'the page does not reveal the address behind a login name');
      await page.getByText("Didn't receive the code?").waitFor();
      assert.equal(await page.getByRole('link', { name: 'Other ways to verify' }).count(), 1);
      const getCode = page.getByRole('button', { name: /^Get code/ });
      assert.equal(await getCode.isDisabled(), true, 'Get code waits after a send');
      assert.match((await getCode.textContent()) ?? '', /^Get code \((5\d|60) s\)$/);
      const firstCode = await app.codeFor(email, firstSentAfter);

      // 15 s later (server time) the page says 45 s are left.
      clock.advance(15_000);
      await page.goto(codeUrl);
      assert.equal(await getCode.isDisabled(), true);
      assert.equal(await getCode.getAttribute('data-countdown'), '45');

      // Pressing it early is impossible in the page; force the form through anyway: the server refuses.
      await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/recovery/resend')),
        getCode.evaluate((button: HTMLButtonElement) => {
          button.disabled = false;
          button.click();
        }),
      ]).then(([response]) => {
        assert.equal(response.status(), 429);
        assert.equal(response.headers()['retry-after'], '45');
      });
      await page.getByText('You can get a new code in 45 seconds.').waitFor();
      assert.equal(await getCode.isDisabled(), true, 'still waiting after the refusal');

      // Past the minute: Get code is enabled after a reload; pressing it sends a new code.
      clock.advance(46_000);
      await page.goto(codeUrl);
      assert.equal(await getCode.isEnabled(), true, 'Get code is enabled 61 s after the send');
      assert.equal((await getCode.textContent())?.trim(), 'Get code');
      const secondSentAfter = new Date(Date.now() - 10);
      await getCode.click();
      await waitForPath(page, /^\/recovery\/code\?flow=[^&]+&sent=1$/);
      await page.getByRole('status').filter({ hasText: 'We sent a new code. The previous one no longer works.' }).waitFor();
      assert.equal(await getCode.isDisabled(), true, 'and waits again');
      const code = await app.codeFor(email, secondSentAfter);

      // The old code no longer works; a wrong one neither; both inline at the field.
      const codeField = page.getByLabel('Verification code', { exact: true });
      const confirm = page.getByRole('button', { name: 'Confirm' });
      if (firstCode !== code) {
        await codeField.fill(firstCode);
        await confirm.click();
        await page.locator('#field-code-error').filter({ hasText: 'That code is not right.' }).waitFor();
        assert.match(pathOf(page), /^\/recovery\/code/);
      }
      await codeField.fill(wrongCodeFor(code));
      await confirm.click();
      await page.locator('#field-code-error').filter({ hasText: 'That code is not right. Check it and try again.' }).waitFor();
      assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
      // Chromium runs autofocus at its next rendering update, a moment after the page is shown.
      await page.waitForFunction(() => document.activeElement?.id === 'field-code', undefined, { timeout: 5_000 }).catch(() => undefined);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-code');

      await codeField.fill(code);
      await confirm.click();
      await waitForPath(page, /^\/recovery\/password\?flow=/);

      // --- New password -------------------------------------------------------------------------
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Create a new password');
      const password = page.getByLabel('New password', { exact: true });
      const confirmation = page.getByLabel('Repeat the new password');
      const signOutOthers = page.getByLabel('Sign out of all other devices');
      const update = page.getByRole('button', { name: 'Update password' });
      assert.equal(await signOutOthers.isChecked(), true, '"Sign out of all other devices" is checked by default');
      const meter = page.locator('[data-strength-for="field-password"]');

      // A policy error first (too short), then a mismatch: inline, values kept, box still ticked.
      await password.fill('too short');
      await confirmation.fill('too short');
      await update.click();
      await page.locator('#field-password-error').filter({ hasText: 'Use at least 12 characters.' }).waitFor();
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
      assert.equal(await password.inputValue(), 'too short');

      await password.fill(NEW_PASSWORD);
      await meter.waitFor({ state: 'visible' });
      await confirmation.fill(`${NEW_PASSWORD}!`);
      await update.click();
      await page.locator('#field-password_confirmation-error').filter({ hasText: 'The two passwords do not match.' }).waitFor();
      assert.equal(await confirmation.getAttribute('aria-invalid'), 'true');
      assert.equal(await password.inputValue(), NEW_PASSWORD, 'the new password is kept');
      assert.equal(await confirmation.inputValue(), `${NEW_PASSWORD}!`, 'the repeat is kept');
      assert.equal(await signOutOthers.isChecked(), true, 'the box is still ticked');
      // The page script draws the meter for the kept value once it runs after the reload: wait for it.
      await meter.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await meter.isVisible(), true, 'the meter shows for the kept value');
      assert.match(pathOf(page), /^\/recovery\/password/);

      await confirmation.fill(NEW_PASSWORD);
      const changedAfter = new Date(Date.now() - 10);
      await update.click();
      await waitForPath(page, /^\/recovery\/done\?flow=/);

      // --- Success --------------------------------------------------------------------------------
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your password has been changed');
      await app.mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= changedAfter && /password.*changed/i.test(m.subject), 10_000);
      assert.equal((await page.goto(`${app.url}/api/v1/whoami`))?.status(), 401, 'no automatic sign-in after recovery');
      await page.goBack();
      await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
      await waitForPath(page, /^\/login/);

      // The old password fails, the new one works.
      await page.getByLabel('Email or login name').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(OLD_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'The email, login name or password is not right.' }).waitFor();
      await page.getByLabel('Email or login name').fill(loginName);
      await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(page, /^\/account$/);

      // The other browser's session ended with the recovery: its next page load lands on sign-in.
      await other.reload();
      assert.match(pathOf(other), /^\/login/);
      await other.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();

      // --- Change password from My account → Settings --------------------------------------------
      // The other browser signs in again; this time it is to stay signed in.
      await signIn(other, app.url, email, NEW_PASSWORD);
      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Settings' }).click();
      await waitForPath(page, /^\/account\/settings$/);
      await page.getByRole('heading', { name: 'Change password' }).waitFor();
      clock.advance(61_000); // one code a minute per account, over every flow
      const changeSentAfter = new Date(Date.now() - 10);
      await page.getByRole('main').getByRole('button', { name: 'Change password' }).click();
      await waitForPath(page, /^\/account\/password\/code\?flow=/);
      await page.getByText(`We have sent a 6-digit code to ${email}.`).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Get code/ }).isDisabled(), true);
      const changeCode = await app.codeFor(email, changeSentAfter);
      await page.getByLabel('Verification code', { exact: true }).fill(changeCode);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/account\/password\/new\?flow=/);

      const changeOthers = page.getByLabel('Sign out of all other devices');
      assert.equal(await changeOthers.isChecked(), true);
      await changeOthers.uncheck();
      await page.getByLabel('New password', { exact: true }).fill(NEWEST_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEWEST_PASSWORD);
      await page.getByRole('button', { name: 'Update password' }).click();
      await waitForPath(page, /^\/account\/password\/done\?flow=/);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your password has been changed');
      await page.getByRole('link', { name: 'Back to My account' }).click();
      await waitForPath(page, /^\/account$/);
      await page.getByRole('main').getByText(email).waitFor();

      // Still signed in here, and (box unticked) on the other browser too.
      const mine = await page.goto(`${app.url}/api/v1/whoami`);
      assert.equal(mine?.status(), 200);
      assert.equal((await mine!.json()).account.email, email);
      await other.reload();
      assert.match(pathOf(other), /^\/account$/);

      // The newest password is the one that signs in.
      const third = await newDesktopPage(browser, { locale: 'en-US' });
      await third.goto(`${app.url}/login`);
      await third.getByLabel('Email or login name').fill(email);
      await third.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await third.getByRole('button', { name: 'Sign in', exact: true }).click();
      await third.getByRole('alert').filter({ hasText: 'The email, login name or password is not right.' }).waitFor();
      await signIn(third, app.url, email, NEWEST_PASSWORD);

      assert.deepEqual(errors, [], 'no script errors or CSP violations in the first browser');
      assert.deepEqual(otherErrors, [], 'no script errors or CSP violations in the second browser');
      await third.close();
      await other.close();
      await page.close();
    });
  });
}
