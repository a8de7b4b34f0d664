// Sign-in with a passkey in real Chromium with a CDP virtual authenticator (ctap2, internal,
// resident keys, user verification): add a passkey under Security in the browser, sign out, sign
// in from the identifier field's autofill (conditional mediation) and from the *Sign in with a
// passkey* button without typing a password; "Confirm it's you" by passkey; a removed passkey
// refused; a second virtual authenticator whose credential was never registered refused the same
// way. Screens at 1280 and 390 px, en and ru: /login with the passkey button and Confirm it's you
// with the passkey choice (test-results/screens/passkey-sign-in-*.png).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, type Browser, type Page } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';
import { switchLanguage } from './factors-e2e-kit.ts';
import { addVirtualAuthenticator } from './passkey-e2e-kit.ts';

const PASSWORD = 'lantern over the quiet harbour';
const dialect = testDialects[0]!;

const signOut = async (page: Page) => {
  await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
  await waitForPath(page, /^\/login\?signed_out=1$/);
};

describe(`passkey sign-in in Chromium with a virtual authenticator (${dialect})`, () => {
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

  const via = async () => (await app.gatehouse.services.db.selectFrom('sessions').select(['authenticated_via', 'created_at']).orderBy('created_at', 'desc').execute())[0]?.authenticated_via;

  for (const viewport of screenViewports) {
    test(`sign in with a passkey from the autofill and the button, Confirm it's you by passkey, removed and unregistered passkeys refused, at ${viewport.name} width`, { timeout: 180_000 }, async () => {
      const page = await viewport.open(browser);
      const authenticator = await addVirtualAuthenticator(page);
      const shooter = createShooter(page, viewport.name, shots);
      const both = async (screen: string) => {
        await shooter.shoot(`passkey-sign-in-${screen}`);
        await switchLanguage(page, app.url, 'ru');
        await shooter.shoot(`passkey-sign-in-${screen}-ru`);
        await switchLanguage(page, app.url, 'en');
      };
      const email = `passkey.signin.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      await signIn(page, app.url, email, PASSWORD);

      // Add a passkey in the browser (the sign-in is fresh proof: no Confirm it's you yet).
      await page.goto(`${app.url}/account/security/passkeys/add`);
      // Two-step stays off here (the box comes ticked): this journey turns it on its own way, or not at all.
      assert.equal(await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).isChecked(), true);
      await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).uncheck();
      await page.getByRole('button', { name: 'Create passkey' }).click();
      await waitForPath(page, /^\/account\/security\?saved=passkey_added$/);
      assert.equal((await authenticator.credentials()).length, 1);

      // Confirm it's you offers the passkey; the button's prompt confirms without the password.
      clock.advance(11 * 60_000);
      await page.goto(`${app.url}/account/confirm?return_to=${encodeURIComponent('/account/security/passkeys/add')}`);
      await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
      await both('confirm');
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await waitForPath(page, /^\/account\/security\/passkeys\/add$/);

      // While the authenticator waits for a touch, the page's quiet autofill request stays pending: shoot /login.
      await authenticator.presence(false);
      await signOut(page);
      const identifier = page.getByLabel('Email or login name');
      assert.equal(await identifier.getAttribute('autocomplete'), 'username webauthn');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      await both('login');

      // The identifier's autofill (conditional mediation): the virtual authenticator answers the
      // page's quiet request as the field takes focus; no password is typed, no button pressed.
      await authenticator.presence(true);
      await page.goto(`${app.url}/login`);
      // The answer may already be navigating away, and a field that is gone cannot take focus: the
      // short timeout keeps that from costing the locator's default 30 s.
      await identifier.focus({ timeout: 1_000 }).catch(() => {});
      await waitForPath(page, /^\/account$/);
      assert.equal(await via(), 'passkey');

      // The button: the browser's own prompt replaces the pending quiet request.
      await authenticator.presence(false);
      await signOut(page);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      await authenticator.presence(true);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await waitForPath(page, /^\/account$/);
      assert.equal(await via(), 'passkey');

      // Remove it under Security (the passkey sign-in is fresh proof), then it is refused.
      await page.goto(`${app.url}/account/security`);
      await page.locator('[data-passkey-id]').getByRole('link', { name: 'Remove' }).click();
      await page.getByRole('button', { name: 'Remove passkey' }).click();
      await page.getByText('Your passkey is removed.').waitFor();
      await authenticator.presence(false);
      await signOut(page);
      await authenticator.presence(true);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('alert').getByText('That passkey was not accepted.').waitFor();
      assert.equal(new URL(page.url()).pathname, '/login/passkey');
      const removedAlert = await page.getByRole('alert').innerText();

      // A second authenticator whose credential this store never registered: the same refusal.
      const stranger = await viewport.open(browser);
      const other = await addVirtualAuthenticator(stranger);
      await other.addUnregistered(new URL(app.gatehouse.services.config.publicUrl).hostname);
      await other.presence(false);
      await stranger.goto(`${app.url}/login`);
      await stranger.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      await other.presence(true);
      await stranger.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await stranger.getByRole('alert').getByText('That passkey was not accepted.').waitFor();
      assert.equal(await stranger.getByRole('alert').innerText(), removedAlert);
      await stranger.close();
      await page.close();
    });
  }
});
