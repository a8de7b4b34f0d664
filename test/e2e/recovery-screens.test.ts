// Screenshots of the password-recovery and Change-password screens at desktop (1280) and phone
// (390) width, in English, and the recovery code page and new password in Russian, into
// test-results/screens/. Each shot also checks sideways scrolling, labels, and script/CSP errors
// (see createShooter in e2e-kit.ts). Like screens.test.ts, one database (the first of TEST_DIALECTS).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, type Browser } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';

const OLD_PASSWORD = 'amber tram rattles past midnight';
const NEW_PASSWORD = 'seven paper kites over the bay';
const NEWEST_PASSWORD = 'violet moss under granite bridges';
const dialect = testDialects[0]!;

const SCREENS_PER_VIEWPORT = 14;

describe(`recovery screens (${dialect})`, () => {
  // A manual clock from the real time, moved past the minute between the recovery's code and
  // Change password's (one code a minute per account, over every flow).
  const clock = createManualClock(Date.now());
  let app: TestGatehouse;
  let browser: Browser;
  const shots: string[] = [];
  before(async () => {
    [app, browser] = await Promise.all([startTestGatehouse(dialect, { clock }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of screenViewports) {
    test(`recovery and Change password at ${viewport.name} width`, async () => {
      const page = await viewport.open(browser);
      const { shoot, language } = createShooter(page, viewport.name, shots);
      const email = `recovery.screens.${viewport.name}@example.com`;
      await createShopper(app, { email, loginName: `recovery_${viewport.name}`, password: OLD_PASSWORD });

      // Password recovery, then the same with an empty submit (forced past the disabled button).
      await page.goto(`${app.url}/recovery`);
      await shoot('recovery');
      const [refused] = await Promise.all([
        page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/recovery'),
        page.getByRole('button', { name: 'Continue' }).evaluate((button: HTMLButtonElement) => {
          button.disabled = false;
          button.click();
        }),
      ]);
      assert.equal(refused.status(), 422, 'the server refuses an empty field too');
      await page.locator('#field-identifier-error').filter({ hasText: 'Enter your email address or login name.' }).waitFor();
      await shoot('recovery-error');

      // The code page, in Russian, and after pressing Get code too early (forced).
      await page.getByLabel('Email or login name').fill(email);
      const sentAfter = new Date(Date.now() - 1000);
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/recovery\/code\?flow=/);
      const codeUrl = page.url();
      await shoot('recovery-code');
      await language('ru');
      await shoot('recovery-code-ru');
      await language('en');
      await page.getByRole('button', { name: /^Get code/ }).evaluate((button: HTMLButtonElement) => {
        button.disabled = false;
        button.click();
      });
      await page.getByText(/You can get a new code in (\d+ seconds?|1 minute)\./).waitFor();
      await shoot('recovery-code-too-soon');

      // Other ways to verify, and back.
      await page.goto(codeUrl);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/recovery\/other-ways\?flow=/);
      await shoot('recovery-other-ways');
      await page.getByRole('link', { name: 'Back to the code' }).click();
      await waitForPath(page, /^\/recovery\/code\?flow=/);

      // New password: empty, in Russian, then with a mismatch (values kept).
      const code = await app.codeFor(email, sentAfter);
      await page.getByLabel('Verification code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/recovery\/password\?flow=/);
      await shoot('recovery-new-password');
      await language('ru');
      await shoot('recovery-new-password-ru');
      await language('en');
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Repeat the new password').fill('seven paper kites over the sea');
      await page.getByRole('button', { name: 'Update password' }).click();
      await page.locator('#field-password_confirmation-error').waitFor();
      await shoot('recovery-new-password-error');
      await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Update password' }).click();
      await waitForPath(page, /^\/recovery\/done\?flow=/);
      await shoot('recovery-done');

      // Change password: Settings, its code page, new password, done.
      await signIn(page, app.url, email, NEW_PASSWORD);
      await page.goto(`${app.url}/account/settings`);
      await page.getByRole('heading', { name: 'Change password' }).waitFor();
      await shoot('settings-change-password');
      clock.advance(61_000);
      const changeSentAfter = new Date(Date.now() - 10);
      await page.getByRole('main').getByRole('button', { name: 'Change password' }).click();
      await waitForPath(page, /^\/account\/password\/code\?flow=/);
      await shoot('change-code');
      const changeCode = await app.codeFor(email, changeSentAfter);
      await page.getByLabel('Verification code', { exact: true }).fill(changeCode);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/account\/password\/new\?flow=/);
      await page.getByLabel('New password', { exact: true }).fill(NEWEST_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEWEST_PASSWORD);
      await page.getByLabel('Sign out of all other devices').uncheck();
      await shoot('change-new-password');
      await page.getByRole('button', { name: 'Update password' }).click();
      await waitForPath(page, /^\/account\/password\/done\?flow=/);
      await shoot('change-done');

      await page.close();
    });
  }

  test('the screens were written', () => {
    assert.equal(shots.length, 2 * SCREENS_PER_VIEWPORT, `shots: ${shots.join(', ')}`);
  });
});
