// The QR-to-takeover chain of the attack review (issue 9 §1), played in real Chromium on SQLite
// and PostgreSQL: the attacker's desktop shows /login; its QR link is relayed to the victim, whose
// phone is signed in; the victim opens it, taps Continue and Confirm. The attacker's browser is now
// signed in as the victim — the known limit of any QR sign-in — but every way to take the account
// over from there (new backup codes, an own phone number, Change password) stops at "Confirm it's
// you", which wants the password the attacker does not have. The victim is mailed about the new
// sign-in, ends that session from the phone, and the attacker's browser is signed out.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { freePort } from '../harness/free-port.ts';
import { launchBrowser, newDesktopPage, newPhonePage, type Browser } from '../harness/browser.ts';
import { createShopper, pathOf, signIn, waitForPath, watchForBrowserErrors } from './e2e-kit.ts';
import { readQr, tapContinue, waitForPanel } from './qr-kit.ts';

const PASSWORD = 'quiet harbour lamps at dusk';

for (const dialect of testDialects) {
  describe(`QR takeover chain in Chromium on ${dialect}`, () => {
    const email = `victim.${dialect}@example.com`;
    let app: TestGatehouse;
    let browser: Browser;
    before(async () => {
      const port = await freePort();
      [app, browser] = await Promise.all([startTestGatehouse(dialect, { port }), launchBrowser()]);
      await createShopper(app, { email, password: PASSWORD });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    test('a relayed QR signs the attacker in, and every takeover step then asks for the password; the victim is mailed and signs the attacker out', async () => {
      const attacker = await newDesktopPage(browser, { locale: 'en-US' });
      const attackerErrors = watchForBrowserErrors(attacker);
      await attacker.goto(`${app.url}/login`);
      const qr = await readQr(attacker);

      // The victim, signed in on the phone, opens the relayed link and confirms.
      const victim = await newPhonePage(browser, { locale: 'en-US' });
      await signIn(victim, app.url, email, PASSWORD);
      await victim.goto(`${app.url}${qr.path}`);
      await tapContinue(victim);
      await victim.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();
      await waitForPanel(attacker, 'scanned');
      await Promise.all([waitForPath(attacker, /^\/account\?signed_in=qr$/), victim.getByRole('button', { name: 'Confirm' }).click()]);
      await attacker.locator('[data-qr-signed-in]').waitFor();

      // New backup codes: "Confirm it's you".
      await attacker.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Security' }).click();
      await waitForPath(attacker, /^\/account\/security$/);
      await attacker.getByRole('button', { name: 'Get new codes' }).click();
      await attacker.getByRole('heading', { level: 1, name: 'Confirm it’s you' }).waitFor();
      assert.match(pathOf(attacker), /^\/account\/confirm\?return_to=%2Faccount%2Fsecurity/);
      assert.equal(await attacker.locator('[data-backup-code]').count(), 0, 'no backup codes shown');

      // An own phone number: the form itself asks for the password.
      await attacker.goto(`${app.url}/account/security/phone`);
      await attacker.getByRole('heading', { level: 1, name: 'Confirm it’s you' }).waitFor();
      // Change password: the same.
      await attacker.goto(`${app.url}/account/settings`);
      await attacker.getByRole('button', { name: 'Change password' }).click();
      await attacker.getByRole('heading', { level: 1, name: 'Confirm it’s you' }).waitFor();
      // A guess is refused, and the page says why.
      await attacker.getByLabel('Password', { exact: true }).fill('maybe this one 123');
      await attacker.getByRole('button', { name: 'Continue' }).click();
      await attacker.getByText('That password is not right.').waitFor();

      const { db } = app.gatehouse.services;
      const account = await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      assert.equal((await db.selectFrom('account_phones').select('account_id').where('account_id', '=', account.id).execute()).length, 0, 'no phone was added');
      assert.equal((await db.selectFrom('backup_codes').select('id').where('account_id', '=', account.id).execute()).length, 0, 'no backup codes were made');
      assert.equal((await db.selectFrom('flows').select('id').where('account_id', '=', account.id).where('kind', '=', 'password_change').execute()).length, 0, 'no Change password flow began');

      // The victim hears of the sign-in, not of any change (none happened), and ends that session.
      const notice = await app.mail.waitFor((m) => m.to.includes(email) && /^New sign-in from /.test(m.subject), 10_000);
      assert.match(notice.subject, /^New sign-in from (Chrome|Chromium) \d+, Linux near /, notice.subject);
      assert.equal(app.mail.messages().filter((m) => m.to.includes(email) && /phone|backup|authenticator|two-step|password was changed/i.test(m.subject)).length, 0, 'no security change to report');
      await victim.goto(`${app.url}/account/security`);
      const attackerItem = victim.locator('.session-item', { hasText: 'QR code' });
      await attackerItem.getByRole('button', { name: /Sign out/ }).click();
      await waitForPath(victim, /^\/account\/security\?ended=one$/);
      await attacker.goto(`${app.url}/account`);
      await waitForPath(attacker, /^\/login/);
      assert.deepEqual(attackerErrors, [], 'no script errors or CSP violations');
    });
  });
}
