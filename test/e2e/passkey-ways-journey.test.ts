// "Use a passkey" as a way of two-step sign-in, recovery and Change password, in real Chromium
// with a virtual authenticator (CDP WebAuthn: ctap2, internal transport, resident keys, user
// verification), at 1280 and 390 px. A shopper adds a passkey and the authenticator app and turns
// two-step on; Change password's Other ways offers the passkey; signing in with the password asks
// for the passkey first and it signs in; recovery by email code + passkey (the passkey standing
// for the authenticator) sets a new password. Screens in English and Russian:
// test-results/screens/passkey-ways-*.png.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, type Browser } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';
import { confirmCodeInBrowser, justBefore, passwordStepInBrowser, setUpAuthenticatorInBrowser, switchLanguage } from './factors-e2e-kit.ts';
import { addVirtualAuthenticator } from './passkey-e2e-kit.ts';

const PASSWORD = 'lantern over the northern bay';
const NEW_PASSWORD = 'copper kettle mountain 2026';
const dialect = testDialects[0]!;

describe(`Use a passkey in two-step, recovery and Change password, in Chromium (${dialect})`, () => {
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
    test(`two-step with password + passkey, and recovery by email code + passkey for a two-step account, at ${viewport.name} width`, { timeout: 180_000 }, async () => {
      const page = await viewport.open(browser);
      const authenticator = await addVirtualAuthenticator(page);
      const shooter = createShooter(page, viewport.name, shots);
      const both = async (screen: string) => {
        await shooter.shoot(`passkey-ways-${screen}`);
        await switchLanguage(page, app.url, 'ru');
        await shooter.shoot(`passkey-ways-${screen}-ru`);
        await switchLanguage(page, app.url, 'en');
      };
      const email = `passkey.ways.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      await signIn(page, app.url, email, PASSWORD);

      // ---- set up: a passkey (within the sign-in's 10 minutes), the authenticator, two-step on ----
      await page.goto(`${app.url}/account/security/passkeys/add`);
      // Two-step stays off here (the box comes ticked): this journey turns it on its own way, or not at all.
      assert.equal(await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).isChecked(), true);
      await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).uncheck();
      await page.getByRole('button', { name: 'Create passkey' }).click();
      await waitForPath(page, /^\/account\/security\?saved=passkey_added$/);
      assert.equal((await authenticator.credentials()).length, 1);
      await setUpAuthenticatorInBrowser(page, app); // two-step on with it, as the set-up offers

      // ---- Change password: Other ways offers the passkey ------------------------------------------
      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Settings' }).click();
      await waitForPath(page, /^\/account\/settings$/);
      await page.getByRole('main').getByRole('button', { name: 'Change password' }).click();
      await waitForPath(page, /^\/account\/password\/code\?flow=/);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/account\/password\/other-ways\?flow=/);
      await page.locator('[data-way="passkey"]').getByRole('link', { name: 'Use a passkey' }).waitFor();
      await both('change-password-other-ways');

      // ---- sign out; the password, then the passkey first -----------------------------------------
      // No touch while the password is typed: /login's quiet autofill request would sign in by passkey.
      await authenticator.presence(false);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(page, /^\/login/);
      await passwordStepInBrowser(page, app.url, email, PASSWORD, /^\/login\/verify\/passkey\?flow=/);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/login\/verify\/other-ways\?flow=/);
      assert.equal(await page.locator('[data-way]').first().getAttribute('data-way'), 'passkey', 'the passkey is listed first');
      await both('two-step-other-ways');
      await page.locator('[data-way="passkey"]').getByRole('link', { name: 'Use a passkey' }).click();
      await waitForPath(page, /^\/login\/verify\/passkey\?flow=/);
      await authenticator.presence(true);
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await waitForPath(page, /^\/account$/);
      await page.goto(`${app.url}/account/security`);
      await page.getByText('password + passkey').first().waitFor();

      // ---- sign out; recovery: email code, then the passkey for the authenticator ------------------
      await authenticator.presence(false);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(page, /^\/login/);
      await page.goto(`${app.url}/recovery`);
      await page.getByLabel('Email or login name').fill(email);
      const sentAfter = justBefore();
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/recovery\/code\?flow=/);
      await confirmCodeInBrowser(page, await app.codeFor(email, sentAfter));
      await waitForPath(page, /^\/recovery\/authenticator\?flow=[^&]+&then=1$/);
      await page.getByRole('link', { name: 'Other ways to verify' }).click();
      await waitForPath(page, /^\/recovery\/other-ways\?flow=/);
      await both('recovery-other-ways');
      await page.locator('[data-way="passkey"]').getByRole('link', { name: 'Use a passkey' }).click();
      await waitForPath(page, /^\/recovery\/passkey\?flow=/);
      await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
      await both('recovery-step');
      await authenticator.presence(true);
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await waitForPath(page, /^\/recovery\/password\?flow=/);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Update password' }).click();
      await waitForPath(page, /^\/recovery\/done\?flow=/);
      await page.close();
    });
  }
});
