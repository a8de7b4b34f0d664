// Screenshots of every screen at desktop (1280) and phone (390) width, in English, and sign-in, the
// code page and Security in Russian, into test-results/screens/ (recovery and Change password are
// in recovery-screens.test.ts). Each shot also checks that the page does not scroll sideways, that
// every form control has a label, and that the browser reported no script error or CSP violation
// (an inline style would be one).
//
// Screens are about markup and CSS, not storage, so they run on one database (the first of
// TEST_DIALECTS). The dev mailbox is not mounted when an SMTP server is configured, so it is not here.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { launchBrowser, type Browser } from '../harness/browser.ts';
import { createShooter, screenViewports, waitForPath, wrongCodeFor } from './e2e-kit.ts';

const PASSWORD = 'quiet harbour lanterns glow';
const dialect = testDialects[0]!;

describe(`screens (${dialect})`, () => {
  let app: TestGatehouse;
  let browser: Browser;
  const shots: string[] = [];
  before(async () => {
    [app, browser] = await Promise.all([startTestGatehouse(dialect), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of screenViewports) {
    test(`every screen at ${viewport.name} width`, async () => {
      const page = await viewport.open(browser);
      const { shoot, language } = createShooter(page, viewport.name, shots);
      const email = `screens.${viewport.name}@example.com`;
      const loginName = `screens_${viewport.name}`;

      // Sign in, and sign in with a wrong password.
      await page.goto(`${app.url}/login`);
      await shoot('login');
      await language('ru');
      await shoot('login-ru');
      await language('en');
      await page.getByLabel('Email or login name').fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').waitFor();
      await shoot('login-error');

      // Create account, then with a field error, then the meter while typing.
      await page.goto(`${app.url}/register`);
      await shoot('register');
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      await shoot('register-error');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Login name (optional)').fill(loginName);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Repeat password').fill(PASSWORD);
      await shoot('register-filled');

      // The code page, in English and Russian, then with a wrong code.
      const sentAfter = new Date(Date.now() - 1000);
      await page.getByRole('button', { name: 'Create account' }).click();
      await waitForPath(page, /^\/register\/code\?flow=/);
      await shoot('code');
      await page.getByText("Didn't receive the code?").click();
      await shoot('code-help');
      await language('ru');
      await shoot('code-ru');
      await language('en');
      const code = await app.codeFor(email, sentAfter);
      await page.getByLabel('Verification code', { exact: true }).fill(wrongCodeFor(code));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('#field-code-error').waitFor();
      await shoot('code-error');
      await page.getByLabel('Verification code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/account/);

      // My account.
      await shoot('account-overview');
      await page.goto(`${app.url}/account/settings`);
      await shoot('account-settings');
      // A second device (another browser, through plain HTTP) so Security lists two sessions.
      const phoneApp = createClient(app.url, {
        userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      });
      const signedIn = await phoneApp.post('/login', { identifier: email, password: PASSWORD });
      assert.equal(signedIn.status, 303);
      await page.goto(`${app.url}/account/security`);
      assert.equal(await page.getByRole('list', { name: 'Where you are signed in' }).getByRole('listitem').count(), 2);
      await shoot('account-security');
      await language('ru');
      await shoot('account-security-ru');
      await language('en');

      // A page that does not exist. (Recovery and Change password: recovery-screens.test.ts.)
      const missing = await page.goto(`${app.url}/no-such-page`);
      assert.equal(missing?.status(), 404);
      await shoot('not-found');

      await page.close();
    });
  }

  test('the screens were written', () => {
    assert.equal(shots.length, 2 * 15, `shots: ${shots.join(', ')}`);
  });
});
