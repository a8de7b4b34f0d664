// The whole shopper journey in real Chromium, on SQLite and on PostgreSQL: sign up with the emailed
// code (a wrong code first), sign out, sign in with the login name, sign in from a second browser
// with the email, and end that second session from Security. Locators are accessible ones
// (getByLabel, getByRole): a field without a label or a button without a name fails here first.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, newDesktopPage, type Browser, type Page } from '../harness/browser.ts';
import { eventually, pathOf, waitForPath, watchForBrowserErrors, wrongCodeFor } from './e2e-kit.ts';

const PASSWORD = 'copper kettle whistles at dawn';

for (const dialect of testDialects) {
  describe(`account journey in Chromium on ${dialect}`, () => {
    let app: TestGatehouse;
    let browser: Browser;
    before(async () => {
      [app, browser] = await Promise.all([startTestGatehouse(dialect), launchBrowser()]);
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    test('sign up with the emailed code, sign out and in, and end the session of another browser', async () => {
      const email = `shopper.${dialect}@example.com`;
      const loginName = `shopper_${dialect}`;
      const page = await newDesktopPage(browser, { locale: 'en-US' });
      const errors = watchForBrowserErrors(page);

      // --- Create account -------------------------------------------------------------------
      await page.goto(`${app.url}/register`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Create account');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Login name (optional)').fill(loginName);

      const password = page.getByLabel('Password', { exact: true });
      const meter = page.locator('[data-strength-for="field-password"]');
      assert.equal(await meter.isVisible(), false, 'the strength meter waits for the first character');
      await password.pressSequentially('abc');
      await meter.waitFor({ state: 'visible' });
      const weakWord = await meter.locator('.strength-word').textContent();
      assert.equal(weakWord, 'Too short');
      await password.fill(PASSWORD);
      const strongWord = await eventually(() => meter.locator('.strength-word').textContent(), (word) => word !== weakWord, 'strength word');
      assert.match(strongWord ?? '', /Good|Strong|Fair/);
      assert.notEqual(await meter.getAttribute('data-score'), '-1');
      await page.getByLabel('Repeat password').fill(PASSWORD);

      const sentAfter = new Date(Date.now() - 1000);
      await page.getByRole('button', { name: 'Create account' }).click();
      await waitForPath(page, /^\/register\/code\?flow=/);

      // --- Enter the verification code --------------------------------------------------------
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter the verification code');
      assert.ok((await page.getByRole('main').textContent())?.includes(email), 'the page says where the code went');
      const getCode = page.getByRole('button', { name: /Get code/ });
      assert.equal(await getCode.isDisabled(), true, 'Get code waits after a send');
      const firstLabel = (await getCode.textContent()) ?? '';
      const firstSeconds = Number(/(\d+)\s*s/.exec(firstLabel)?.[1]);
      assert.ok(firstSeconds > 50 && firstSeconds <= 60, `countdown shows the seconds: "${firstLabel}"`);
      // The countdown runs in the page (enhance.js).
      await eventually(
        async () => Number(/(\d+)\s*s/.exec((await getCode.textContent()) ?? '')?.[1]),
        (seconds) => seconds < firstSeconds,
        'countdown ticks',
      );

      // "Didn't receive the code?" opens its help.
      const helpText = page.getByText('Check your spam or junk folder.');
      assert.equal(await helpText.isVisible(), false);
      await page.getByText("Didn't receive the code?").click();
      await helpText.waitFor({ state: 'visible' });

      // The language switch turns the page Russian and back, staying on the same flow.
      const codePath = pathOf(page);
      await page.getByRole('link', { name: 'Русский' }).click();
      await page.getByRole('heading', { name: 'Введите код подтверждения' }).waitFor();
      assert.equal(pathOf(page), codePath);
      assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
      assert.ok(await page.getByLabel('Код подтверждения', { exact: true }).isVisible());
      assert.match((await page.getByRole('button', { name: /Получить код/ }).textContent()) ?? '', /\d+\s*с/);
      await page.getByRole('link', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Enter the verification code' }).waitFor();
      assert.equal(pathOf(page), codePath);
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');

      const code = await app.codeFor(email, sentAfter);
      assert.match(code, /^\d{6}$/);

      // A wrong code first: the error shows at the field, which stays focused and invalid.
      const codeField = page.getByLabel('Verification code', { exact: true });
      await codeField.fill(wrongCodeFor(code));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('That code is not right. Check it and try again.').waitFor();
      assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
      assert.match((await codeField.getAttribute('aria-describedby')) ?? '', /field-code-error/);
      // Chromium runs autofocus at its next rendering update, a moment after the page is shown.
      await page.waitForFunction(() => document.activeElement?.id === 'field-code', undefined, { timeout: 5_000 }).catch(() => undefined);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-code');
      assert.match(pathOf(page), /^\/register\/code/);

      await codeField.fill(code);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/account/);

      // --- My account ---------------------------------------------------------------------------
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Overview');
      await page.getByRole('status').filter({ hasText: 'Your email is confirmed' }).waitFor();
      await page.getByRole('main').getByText(email).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');

      // --- Sign out (header button), sign in again with the login name ------------------------
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(page, /^\/login/);
      await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
      assert.equal((await page.goto(`${app.url}/api/v1/whoami`))?.status(), 401);
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email or login name').fill(loginName);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(page, /^\/account$/);
      await page.getByRole('main').getByText(loginName).waitFor();

      // --- A second browser signs in with the email -------------------------------------------
      const other = await newDesktopPage(browser, { locale: 'en-US' });
      const otherErrors = watchForBrowserErrors(other);
      await other.goto(`${app.url}/login`);
      await other.getByLabel('Email or login name').fill(email);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await other.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(other, /^\/account$/);
      await other.getByRole('main').getByText(email).waitFor();

      // --- Security in the first browser: two sessions, end the other one ---------------------
      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Security' }).click();
      await waitForPath(page, /^\/account\/security/);
      const sessions = page.getByRole('list', { name: 'Where you are signed in' }).getByRole('listitem');
      assert.equal(await sessions.count(), 2, 'two sessions listed');
      const thisDevice = sessions.filter({ hasText: 'This device' });
      assert.equal(await thisDevice.count(), 1, 'exactly one is marked "This device"');
      assert.equal(await thisDevice.getByRole('button').count(), 0, 'the current session has no sign-out button in the list');
      const otherSession = sessions.filter({ hasNotText: 'This device' });
      await otherSession.getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(page, /^\/account\/security\?ended=one$/);
      await page.getByRole('status').filter({ hasText: 'That device has been signed out.' }).waitFor();
      assert.equal(await sessions.count(), 1);
      await page.getByText('You are not signed in anywhere else.').waitFor();

      // The second browser is signed out: its next page load lands on sign-in, whoami says 401.
      await other.reload();
      assert.match(pathOf(other), /^\/login/);
      await other.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      const whoami = await other.goto(`${app.url}/api/v1/whoami`);
      assert.equal(whoami?.status(), 401);
      assert.equal((await whoami!.json()).error.code, 'request.unauthenticated');

      // The first browser still is who it was.
      const mine = await page.goto(`${app.url}/api/v1/whoami`);
      assert.equal(mine?.status(), 200);
      assert.equal((await mine!.json()).account.email, email);

      assert.deepEqual(errors, [], 'no script errors or CSP violations in the first browser');
      assert.deepEqual(otherErrors, [], 'no script errors or CSP violations in the second browser');
      await other.close();
      await page.close();
    });
  });
}
