// Browser helpers for the second-factor journeys and screens (test/e2e/factors-*.test.ts): the
// real screens of My account → Security to add a phone, set up an authenticator app (the key read
// from the page, codes computed by Debian's oathtool) and turn on two-step sign-in.
import assert from 'node:assert/strict';
import type { Page } from '../harness/browser.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { appNow, oathtool, smsCodeFor } from '../factors/factors-kit.ts';
import { pathOf, waitForPath } from './e2e-kit.ts';

export { appNow, oathtool, smsCodeFor };

/** A moment (real time, as the SMS catcher stamps messages) just before the next send. */
export const justBefore = () => new Date(Date.now() - 5);

/** Switches the language the way the footer does, but stays on this very page (flow and all). */
export async function switchLanguage(page: Page, baseUrl: string, locale: 'en' | 'ru'): Promise<void> {
  await page.goto(`${baseUrl}/language?set=${locale}&return_to=${encodeURIComponent(pathOf(page))}`);
  await page.waitForFunction((expected) => document.documentElement.lang === expected, locale);
}

/** The authenticator key as the set-up page shows it for typing (spaces removed). */
export async function keyOnPage(page: Page): Promise<string> {
  const shown = (await page.locator('.secret-key code').textContent()) ?? '';
  const key = shown.replace(/\s+/g, '');
  assert.match(key, /^[A-Z2-7]{32}$/, `the page shows a 160-bit base32 key: "${shown}"`);
  assert.equal(await page.locator('[data-totp-secret]').getAttribute('data-totp-secret'), key, 'the typed key is the enrolled one');
  return key;
}

/** The 10 codes on the backup codes page. */
export async function backupCodesOnPage(page: Page): Promise<string[]> {
  const codes = await page.locator('[data-backup-code]').allTextContents();
  assert.equal(codes.length, 10, 'ten backup codes are shown');
  return codes.map((code) => code.trim());
}

/** Security → Add phone number → the SMS code. Ends on Security. */
export async function addPhoneInBrowser(page: Page, app: TestGatehouse, phone: string): Promise<void> {
  await page.goto(`${app.url}/account/security`);
  await page.locator('[data-factor="phone"]').getByRole('link', { name: 'Add phone number' }).click();
  await waitForPath(page, /^\/account\/security\/phone$/);
  await page.getByLabel('Mobile number').fill(phone);
  const sentAfter = justBefore();
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await waitForPath(page, /^\/account\/security\/phone\/code\?flow=/);
  const code = await smsCodeFor(app, phone.replace(/[^\d+]/g, ''), sentAfter);
  await confirmCodeInBrowser(page, code);
  await waitForPath(page, /^\/account\/security\?saved=phone$/);
}

/**
 * Security → Set up authenticator app → oathtool's code, with "Turn on two-step verification" left
 * as it comes (ticked) or unticked (`twoStep: false`). Ends on the backup codes page; returns the
 * key and the codes.
 */
export async function setUpAuthenticatorInBrowser(page: Page, app: TestGatehouse, options: { twoStep?: boolean } = {}): Promise<{ key: string; backupCodes: string[] }> {
  await page.goto(`${app.url}/account/security`);
  await page.locator('[data-factor="totp"]').getByRole('button', { name: 'Set up authenticator app' }).click();
  await waitForPath(page, /^\/account\/security\/authenticator\?flow=/);
  const key = await keyOnPage(page);
  await page.getByLabel('6-digit code').fill(oathtool(key, appNow(app)));
  if (options.twoStep === false) await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).uncheck();
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your backup codes' }).waitFor();
  return { key, backupCodes: await backupCodesOnPage(page) };
}

/** Security → Turn on two-step verification. */
export async function turnOnTwoStepInBrowser(page: Page, app: TestGatehouse): Promise<void> {
  await page.goto(`${app.url}/account/security`);
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
  await waitForPath(page, /^\/account\/security\?saved=on$/);
  assert.equal(await page.locator('[data-two-step]').getAttribute('data-two-step'), 'on');
}

/** The password step of sign-in for a two-step account; waits for the second step's page. */
export async function passwordStepInBrowser(page: Page, baseUrl: string, identifier: string, password: string, next: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email or login name').fill(identifier);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitForPath(page, next);
}

/** Types a code into its field (an emailed or texted code, or a backup code) and presses Confirm. */
export async function confirmCodeInBrowser(page: Page, code: string, field: 'Verification code' | 'Backup code' = 'Verification code'): Promise<void> {
  await page.getByLabel(field, { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

/** Types oathtool's code for the server's current 30 s step into "6-digit code" and presses Confirm. */
export async function confirmAuthenticatorInBrowser(page: Page, app: TestGatehouse, key: string): Promise<void> {
  await page.getByLabel('6-digit code').fill(oathtool(key, appNow(app)));
  await page.getByRole('button', { name: 'Confirm' }).click();
}
