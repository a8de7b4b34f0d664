// Security → Passkeys in real Chromium with a virtual authenticator (Chrome DevTools Protocol
// WebAuthn.addVirtualAuthenticator: ctap2, internal transport, resident keys, user verification):
// sign in, let the 10-minute proof run out, Security → Add a passkey → Confirm it's you → Create
// passkey → listed with its name; rename; remove. At 1280 and 390 px, with screenshots of the
// Security page with a passkey and of the add, rename and remove pages in English and Russian
// (test-results/screens/passkeys-*.png); each shot checks no sideways scroll, labelled controls,
// and no script error or CSP violation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, type Browser } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';
import { switchLanguage } from './factors-e2e-kit.ts';
import { addVirtualAuthenticator } from './passkey-e2e-kit.ts';

const PASSWORD = 'harbour lights over quiet water';
const dialect = testDialects[0]!;

describe(`passkeys in Chromium with a virtual authenticator (${dialect})`, () => {
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
    test(`add after Confirm it's you, rename and remove a passkey at ${viewport.name} width`, { timeout: 120_000 }, async () => {
      const page = await viewport.open(browser);
      const authenticator = await addVirtualAuthenticator(page);
      const shooter = createShooter(page, viewport.name, shots);
      const both = async (screen: string) => {
        await shooter.shoot(`passkeys-${screen}`);
        await switchLanguage(page, app.url, 'ru');
        await shooter.shoot(`passkeys-${screen}-ru`);
        await switchLanguage(page, app.url, 'en');
      };
      const email = `passkeys.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      await signIn(page, app.url, email, PASSWORD);
      // The sign-in's proof runs out: adding a passkey must ask for the password again.
      clock.advance(11 * 60_000);

      await page.goto(`${app.url}/account/security`);
      await page.getByText('No passkeys yet.').waitFor();
      await page.getByRole('link', { name: 'Add a passkey' }).click();
      await waitForPath(page, /^\/account\/confirm/);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/account\/security\/passkeys\/add$/);
      await page.getByRole('button', { name: 'Create passkey' }).waitFor();
      await both('add');
      // Two-step stays off here (the box comes ticked): this journey turns it on its own way, or not at all.
      assert.equal(await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).isChecked(), true);
      await page.getByRole('checkbox', { name: 'Turn on two-step verification' }).uncheck();
      await page.getByRole('button', { name: 'Create passkey' }).click();
      await waitForPath(page, /^\/account\/security\?saved=passkey_added$/);
      await page.getByText('Your passkey is added.').waitFor();
      const item = page.locator('[data-passkey-id]');
      assert.equal(await item.count(), 1);
      const name = (await item.locator('[data-passkey-name]').innerText()).trim();
      assert.match(name, /^\S.+\S/, `the passkey has a name (${name})`);
      assert.doesNotMatch(name, /Mozilla|AppleWebKit/, 'never raw User-Agent text');
      assert.equal((await authenticator.credentials()).length, 1, 'the virtual authenticator holds one resident credential');
      assert.equal((await authenticator.credentials())[0]!.isResidentCredential, true);
      await page.locator('#passkeys').scrollIntoViewIfNeeded();
      await both('security');

      await item.getByRole('link', { name: 'Rename' }).click();
      await waitForPath(page, /^\/account\/security\/passkeys\/rename\?id=/);
      await both('rename');
      await page.getByRole('textbox', { name: 'Name' }).fill('My test laptop');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Your passkey is renamed.').waitFor();
      assert.match(await item.locator('[data-passkey-name]').innerText(), /My test laptop/);

      await item.getByRole('link', { name: 'Remove' }).click();
      await waitForPath(page, /^\/account\/security\/passkeys\/remove\?id=/);
      await page.getByText('“My test laptop” will no longer sign you in.', { exact: false }).waitFor();
      await both('remove');
      await page.getByRole('button', { name: 'Remove passkey' }).click();
      await page.getByText('Your passkey is removed.').waitFor();
      assert.equal(await page.locator('[data-passkey-id]').count(), 0);
      const rows = await app.gatehouse.services.db.selectFrom('passkeys').selectAll().execute();
      assert.equal(rows.filter((r) => r.name === 'My test laptop').length, 0);
      await page.close();
    });
  }
});
