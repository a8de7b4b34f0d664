// Screenshots of the second-factor screens (issue 4) at desktop (1280) and phone (390) width, in
// English and some in Russian, into test-results/screens/factors-*.png: Security with its
// "Two-step verification" section, "Confirm it's you", adding a phone, setting up an authenticator
// app, the backup codes, "Other ways to verify" in Change password (masked number), in two-step
// sign-in and in recovery, and each way's code page. Every shot also checks that the page does not
// scroll sideways, that every control has a label, and that the browser reported no script error
// or CSP violation (createShooter in e2e-kit.ts); all problems are reported together at the end.
// Like the other screens tests, one database (the first of TEST_DIALECTS).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, newDesktopPage, newPhonePage, type Browser } from '../harness/browser.ts';
import { createShooter, createShopper, signIn, waitForPath, wrongCodeFor } from './e2e-kit.ts';
import { addPhoneInBrowser, appNow, backupCodesOnPage, justBefore, keyOnPage, oathtool, passwordStepInBrowser, smsCodeFor, switchLanguage } from './factors-e2e-kit.ts';

const PASSWORD = 'harbour lights over quiet water';
const dialect = testDialects[0]!;

const viewports = [
  { name: 'desktop', phone: '+79123456712', open: (browser: Browser) => newDesktopPage(browser, { locale: 'en-US' }) },
  { name: 'phone', phone: '+79123456734', open: (browser: Browser) => newPhonePage(browser, { locale: 'en-US' }) },
] as const;

const SCREENS_PER_VIEWPORT = 32;

describe(`second-factor screens (${dialect})`, () => {
  const clock = createManualClock(Date.now());
  let app: TestGatehouse;
  let browser: Browser;
  const shots: string[] = [];
  before(async () => {
    // Screens, not limits: one shopper walks every way here, so the send budgets are roomier.
    const env = { SMS_PER_NUMBER_PER_HOUR: '50', CODE_SENDS_PER_HOUR: '50', CODE_SENDS_PER_DAY: '100', CODE_SENDS_PER_CLIENT_PER_HOUR: '200' };
    [app, browser] = await Promise.all([startTestGatehouse(dialect, { clock, env }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of viewports) {
    test(`second-factor screens at ${viewport.name} width`, async () => {
      const page = await viewport.open(browser);
      const shooter = createShooter(page, viewport.name, shots);
      const problems: string[] = [];
      // Every shot is taken even when an earlier one has a problem; the problems fail the test at the end.
      const shoot = async (screen: string) => {
        await shooter.shoot(`factors-${screen}`).catch((error: Error) => {
          problems.push(error.message);
          shooter.errors.length = 0;
        });
      };
      const ru = async (screen: string) => {
        await switchLanguage(page, app.url, 'ru');
        await shoot(`${screen}-ru`);
        await switchLanguage(page, app.url, 'en');
      };
      const email = `factors.screens.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      await signIn(page, app.url, email, PASSWORD);

      // --- My account → Security, nothing set up ---------------------------------------------------
      await page.goto(`${app.url}/account/security`);
      await page.getByRole('heading', { name: /Two-step verification/ }).waitFor();
      await shoot('security-off');

      // --- Confirm it's you (wrong password first) ---------------------------------------------------
      await page.goto(`${app.url}/account/confirm?return_to=${encodeURIComponent('/account/security/phone')}`);
      await shoot('confirm');
      await page.getByLabel('Password', { exact: true }).fill('not my password at all');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('#field-password-error').waitFor();
      await shoot('confirm-error');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/account\/security\/phone$/);

      // --- Add a phone: the form, a wrong number, the SMS code page ---------------------------------
      await shoot('phone');
      await ru('phone');
      await page.getByLabel('Mobile number').fill('12345');
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await page.locator('#field-phone-error').waitFor();
      await shoot('phone-error');
      await page.getByLabel('Mobile number').fill(viewport.phone);
      const phoneSentAfter = justBefore();
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(page, /^\/account\/security\/phone\/code\?flow=/);
      await shoot('phone-code');
      const phoneCode = await smsCodeFor(app, viewport.phone, phoneSentAfter);
      await page.getByLabel('Verification code', { exact: true }).fill(phoneCode);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(page, /^\/account\/security\?saved=phone$/);
      await shoot('security-phone');

      // --- Authenticator app: QR and key, a wrong code, then oathtool's; the backup codes ------------
      await page.locator('[data-factor="totp"]').getByRole('button', { name: 'Set up authenticator app' }).click();
      await waitForPath(page, /^\/account\/security\/authenticator\?flow=/);
      await shoot('authenticator');
      await ru('authenticator');
      const key = await keyOnPage(page);
      await page.getByLabel('6-digit code').fill(wrongCodeFor(oathtool(key, appNow(app))));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.locator('#field-code-error').waitFor();
      await shoot('authenticator-error');
      await page.getByLabel('6-digit code').fill(oathtool(key, appNow(app)));
      assert.equal(await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).isChecked(), true, 'two-step comes ticked, and stays so after a wrong code');
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Your backup codes' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Your authenticator app is set up, and two-step verification is on.' }).waitFor();
      const backupCodes = await backupCodesOnPage(page);
      await shoot('backup-codes');
      await page.getByRole('link', { name: 'I have saved my codes' }).click();
      await waitForPath(page, /^\/account\/security$/);

      // --- Two-step on (ticked in the set-up, as it comes); new backup codes (the old ones void) ------
      assert.equal(await page.locator('[data-two-step]').getAttribute('data-two-step'), 'on');
      await shoot('security-on');
      await ru('security-on');
      await page.locator('[data-factor="backup_codes"]').getByRole('button', { name: 'Get new codes' }).click();
      await page.getByText('Any codes you had before no longer work.').waitFor();
      await shoot('backup-codes-new');
      const newBackupCodes = await backupCodesOnPage(page);
      assert.notDeepEqual(newBackupCodes, backupCodes);

      // --- Change password → Other ways (masked number) → text message -------------------------------
      await page.goto(`${app.url}/account/settings`);
      await page.getByRole('main').getByRole('button', { name: 'Change password' }).click();
      await waitForPath(page, /^\/account\/password\/code\?flow=/);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/account\/password\/other-ways\?flow=/);
      await shoot('change-other-ways');
      await ru('change-other-ways');
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(page, /^\/account\/password\/sms\?flow=/);
      await shoot('change-sms');

      // --- Two-step sign-in: authenticator, backup code, other ways, text message --------------------
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(page, /^\/login/);
      await passwordStepInBrowser(page, app.url, email, PASSWORD, /^\/login\/verify\/authenticator\?flow=/);
      await shoot('login-authenticator');
      await ru('login-authenticator');
      await page.getByRole('link', { name: 'Use a backup code' }).click();
      await waitForPath(page, /^\/login\/verify\/backup-code\?flow=/);
      await shoot('login-backup-code');
      await page.getByLabel('Backup code', { exact: true }).fill('zzzz-zzzz');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('#field-code-error').waitFor();
      await shoot('login-backup-code-error');
      clock.advance(61_000); // the minute after the last text to this account, before the page shows its countdown
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/login\/verify\/other-ways\?flow=/);
      await shoot('login-other-ways');
      await ru('login-other-ways');
      await page.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(page, /^\/login\/verify\/sms\?flow=/);
      await shoot('login-sms');

      // --- Recovery (signed out): every way offered, each way's page, then the second step ------------
      const stranger = await viewport.open(browser);
      const strangerShooter = createShooter(stranger, viewport.name, shots);
      const shootStranger = async (screen: string) => {
        await strangerShooter.shoot(`factors-${screen}`).catch((error: Error) => {
          problems.push(error.message);
          strangerShooter.errors.length = 0;
        });
      };
      clock.advance(61_000); // the minute after the sign-in's text and Change password's mail
      await stranger.goto(`${app.url}/recovery`);
      await stranger.getByLabel('Email or login name').fill(email);
      const emailSentAfter = new Date(Date.now() - 5);
      await stranger.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(stranger, /^\/recovery\/code\?flow=/);
      const codeUrl = stranger.url();
      await stranger.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(stranger, /^\/recovery\/other-ways\?flow=/);
      await shootStranger('recovery-other-ways');
      await switchLanguage(stranger, app.url, 'ru');
      await shootStranger('recovery-other-ways-ru');
      await switchLanguage(stranger, app.url, 'en');
      await stranger.getByRole('link', { name: 'Use the authenticator app' }).click();
      await waitForPath(stranger, /^\/recovery\/authenticator\?flow=/);
      await shootStranger('recovery-authenticator');
      await stranger.getByRole('link', { name: 'Use a backup code' }).click();
      await waitForPath(stranger, /^\/recovery\/backup-code\?flow=/);
      await shootStranger('recovery-backup-code');
      await stranger.getByRole('link', { name: 'Other ways to verify' }).click();
      await stranger.getByRole('button', { name: 'Text me a code' }).click();
      await waitForPath(stranger, /^\/recovery\/sms\?flow=/);
      await shootStranger('recovery-sms');
      await stranger.goto(codeUrl);
      await stranger.getByLabel('Verification code', { exact: true }).fill(await app.codeFor(email, emailSentAfter));
      await stranger.getByRole('button', { name: 'Confirm' }).click();
      await waitForPath(stranger, /^\/recovery\/authenticator\?flow=.*then=1/);
      await shootStranger('recovery-authenticator-second');
      await stranger.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(stranger, /^\/recovery\/other-ways\?flow=/);
      await shootStranger('recovery-other-ways-second');

      await stranger.close();
      await page.close();
      assert.deepEqual(problems, [], 'every screen: no sideways scroll, every control labelled, no script or CSP errors');
    });
  }

  test('the screens were written', () => {
    assert.equal(shots.length, 2 * SCREENS_PER_VIEWPORT, `shots: ${shots.join(', ')}`);
  });
});
