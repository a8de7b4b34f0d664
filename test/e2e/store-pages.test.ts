// The store's own pages in Chromium, as a shopper sees them:
// - its brand: sign-in, the recovery code page and Security at desktop (1280) and phone (390)
//   width, in English and Russian, with a brand colour and logo that are not ours, into
//   test-results/screens/brand-*.png. Each shot checks sideways scrolling, labels and script/CSP
//   errors (createShooter), and that the brand's colour is what the button is painted with and its
//   logo is what the header shows — not only that the markup names them;
// - the app sign-in on a phone (a button, not a QR it cannot scan);
// - show/hide on password fields;
// - "Keep me signed in on this device": the box, and the copies the passkey and QR forms send;
// - that the axe-core check every shot runs does fail on a page that breaks its rules.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, newDesktopPage, screenshot, type Browser, type Page } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';
import { axeViolations } from '../harness/accessibility.ts';

const PASSWORD = 'teal lanterns over harbour walls';
const dialect = testDialects[0]!;

// A wordmark as a store would ship it: a mark and the name, in the brand's teal.
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 32" width="150" height="32">' +
  '<rect x="0" y="2" width="28" height="28" rx="7" fill="#0b6e69"/><path d="M7 22 L14 9 L21 22 Z" fill="#fff"/>' +
  '<text x="36" y="23" font-family="Georgia,serif" font-size="19" font-weight="700" fill="#0b3d3a">Harbour</text></svg>';

async function paintedColour(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().evaluate((element) => getComputedStyle(element).backgroundColor);
}

describe(`a branded store’s screens (${dialect})`, () => {
  let app: TestGatehouse;
  let browser: Browser;
  const shots: string[] = [];
  before(async () => {
    const logo = join(mkdtempSync(join(tmpdir(), 'gh-brand-screens-')), 'harbour.svg');
    writeFileSync(logo, LOGO);
    const env = {
      STORE_NAME: 'Harbour Books',
      BRAND_COLOR: '#0b6e69',
      BRAND_LOGO: logo,
      SUPPORT_URL: 'https://harbour.example/help',
      TERMS_URL: 'https://harbour.example/terms',
      PRIVACY_URL: 'https://harbour.example/privacy',
    };
    [app, browser] = await Promise.all([startTestGatehouse(dialect, { env }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of screenViewports) {
    test(`sign-in, recovery code and Security in the store’s colours at ${viewport.name} width, English and Russian`, async () => {
      const page = await viewport.open(browser);
      const { shoot, language } = createShooter(page, viewport.name, shots);
      const email = `brand.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });

      await page.goto(`${app.url}/login`);
      assert.equal(await paintedColour(page, 'main button.button-primary'), 'rgb(11, 110, 105)', 'the Sign in button is the brand teal');
      const logo = page.locator('header img.brand-logo');
      assert.ok(await logo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0), 'the logo loaded');
      await shoot('brand-login');
      await language('ru');
      await shoot('brand-login-ru');
      await language('en');

      await page.goto(`${app.url}/recovery`);
      await page.getByLabel('Email or login name').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(page, /^\/recovery\/code\?flow=/);
      await shoot('brand-recovery-code');
      await language('ru');
      await shoot('brand-recovery-code-ru');
      await language('en');

      await signIn(page, app.url, email, PASSWORD);
      await page.goto(`${app.url}/account/security`);
      await shoot('brand-security');
      await language('ru');
      await shoot('brand-security-ru');
      await page.getByRole('contentinfo').getByRole('link', { name: 'Помощь и поддержка' }).waitFor();
      await page.close();
    });
  }

  test('a phone gets “Sign in with the app” as a button that opens the QR’s link, and no QR it cannot scan; a computer gets the QR', async () => {
    for (const viewport of screenViewports) {
      const page = await viewport.open(browser);
      await page.goto(`${app.url}/login`);
      const qr = page.locator('[data-qr-image]');
      const appButton = page.getByRole('link', { name: 'Sign in with the app', exact: true });
      const qrLink = (await page.locator('[data-qr-link]').getAttribute('href'))!;
      assert.match(qrLink, /\/qr\/[A-Za-z0-9_-]{43}$/);
      if (viewport.name === 'phone') {
        assert.equal(await qr.isVisible(), false, 'phone: no QR');
        assert.equal(await appButton.isVisible(), true, 'phone: the button');
        assert.equal(await appButton.getAttribute('href'), qrLink, 'phone: the button opens the QR’s link');
        const box = (await appButton.boundingBox())!;
        assert.ok(box.height >= 44 && box.width >= 300, `phone: a full-width button a thumb can hit (${box.width}×${box.height})`);
        await page.getByText('Signed in to the Harbour Books app on this phone?').waitFor();
      } else {
        assert.equal(await qr.isVisible(), true, 'computer: the QR');
        assert.equal(await appButton.count(), 0, 'computer: no app button, the same link reads “On this phone? Open the sign-in link”');
        await page.getByRole('link', { name: 'On this phone? Open the sign-in link' }).waitFor();
      }
      await screenshot(page, `qr-panel-${viewport.name}`);
      await page.close();
    }
    // A computer zoomed to 400 % (WCAG reflow) is as narrow as a phone, but has a mouse: it keeps its QR.
    const zoomed = await newDesktopPage(browser, { viewport: { width: 320, height: 900 } });
    await zoomed.goto(`${app.url}/login`);
    assert.equal(await zoomed.locator('[data-qr-image]').isVisible(), true, 'a narrow window with a mouse: the QR');
    await zoomed.close();
  });

  test('every password field has a show/hide button: named, pressed state, works from the keyboard, switches only the type, and hides again when the form is sent', async () => {
    const page = await screenViewports[0].open(browser);
    await page.goto(`${app.url}/register`);
    const toggles = page.getByRole('button', { name: 'Show password', exact: true });
    assert.equal(await toggles.count(), 2, 'Password and Repeat password');
    const field = page.getByLabel('Password', { exact: true });
    const toggle = toggles.first();
    assert.equal(await toggle.getAttribute('aria-controls'), await field.getAttribute('id'));
    await field.fill('seven paper kites');
    const autocomplete = await field.getAttribute('autocomplete');
    const name = await field.getAttribute('name');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');

    await field.focus();
    await page.keyboard.press('Tab');
    assert.equal(await toggle.evaluate((button) => button === document.activeElement), true, 'Tab from the field reaches its button');
    await page.keyboard.press('Space');
    assert.deepEqual([await field.getAttribute('type'), await toggle.getAttribute('aria-pressed')], ['text', 'true'], 'Space shows it');
    assert.deepEqual([await field.inputValue(), await field.getAttribute('autocomplete'), await field.getAttribute('name')], ['seven paper kites', autocomplete, name], 'value, autocomplete and name untouched');
    await page.keyboard.press('Enter');
    assert.deepEqual([await field.getAttribute('type'), await toggle.getAttribute('aria-pressed')], ['password', 'false'], 'Enter hides it again');
    assert.equal(await page.getByLabel('Repeat password').getAttribute('type'), 'password', 'each field has its own button');

    await page.keyboard.press('Space');
    const typeAtSubmit = page.evaluate(() => new Promise<string>((resolve) => {
      document.querySelector('form[action="/register"]')!.addEventListener('submit', (event) => {
        event.preventDefault();
        setTimeout(() => resolve((document.getElementById('field-password') as HTMLInputElement).type));
      });
    }));
    await page.getByRole('button', { name: 'Create account' }).evaluate((button: HTMLButtonElement) => {
      button.form!.requestSubmit();
    });
    assert.equal(await typeAtSubmit, 'password', 'sent as a password field');
    await page.close();
  });

  test('the dev mailbox shows each email in tabs — as sent (a sandboxed frame that runs no script), text, headers — that arrow keys move between', async () => {
    // Its own Gatehouse on the built-in mail catcher (SMTP_URL empty), as `npm start` runs.
    const local = await startTestGatehouse(dialect, { env: { SMTP_URL: '', STORE_NAME: 'Harbour Books', BRAND_COLOR: '#0b6e69' } });
    try {
      await createShopper(local, { email: 'mailbox.tabs@example.com', password: PASSWORD });
      const phone = await screenViewports[1].open(browser);
      await phone.goto(`${local.url}/recovery`);
      await phone.getByLabel('Email or login name').fill('mailbox.tabs@example.com');
      await phone.getByRole('button', { name: 'Continue' }).click();
      await waitForPath(phone, /^\/recovery\/code\?flow=/);
      await local.gatehouse.services.mailCatcher!.waitFor((message) => message.to === 'mailbox.tabs@example.com', 10_000);
      await phone.close();

      for (const viewport of screenViewports) {
        const page = await viewport.open(browser);
        const { shoot } = createShooter(page, viewport.name, shots);
        await page.goto(`${local.url}/dev/mailbox`);
        const mail = page.locator('li.mail').first();
        const tabs = mail.getByRole('tab');
        assert.deepEqual(await tabs.allTextContents(), ['As sent (HTML)', 'Text', 'Headers']);
        assert.equal(await tabs.first().getAttribute('aria-selected'), 'true');
        const frame = mail.locator('iframe.mail-frame');
        assert.equal(await frame.getAttribute('sandbox'), '', 'a sandbox with no permissions');
        const framed = page.frameLocator('iframe.mail-frame').first();
        await framed.getByText('Enter this code to continue', { exact: false }).waitFor();
        const code = await framed.locator('div').filter({ hasText: /^\d{6}$/ }).first().textContent();
        assert.match(code ?? '', /^\d{6}$/, 'the code, as the shopper sees it');
        await shoot('mailbox-html');
        await tabs.first().focus();
        await page.keyboard.press('ArrowRight');
        assert.equal(await mail.getByRole('tab', { name: 'Text' }).getAttribute('aria-selected'), 'true', 'ArrowRight: Text');
        assert.equal(await mail.getByRole('tabpanel').count(), 1, 'one panel shown');
        assert.match((await mail.getByRole('tabpanel').textContent()) ?? '', new RegExp(code!));
        await shoot('mailbox-text');
        await page.keyboard.press('End');
        assert.equal(await mail.getByRole('tab', { name: 'Headers' }).getAttribute('aria-selected'), 'true', 'End: Headers');
        assert.match((await mail.getByRole('tabpanel').textContent()) ?? '', /Message-ID: /i);
        await page.keyboard.press('ArrowRight');
        assert.equal(await tabs.first().getAttribute('aria-selected'), 'true', 'ArrowRight wraps to the first');
        await page.close();
      }
    } finally {
      await local.close();
    }
  });

  test('“Keep me signed in on this device” is ticked, works from the keyboard, and the passkey form sends its choice with it', async () => {
    const page = await screenViewports[0].open(browser);
    await page.goto(`${app.url}/login`);
    const box = page.getByLabel('Keep me signed in on this device');
    assert.equal(await box.isChecked(), true, 'ticked by default');
    const copiesSent = () => page.locator('[data-keep-signed-in-copy]').evaluateAll((copies) => copies.map((copy) => !(copy as HTMLInputElement).disabled));
    assert.deepEqual(await copiesSent(), [true], 'the script has enabled the passkey form’s copy');
    await box.focus();
    await page.keyboard.press('Space');
    assert.equal(await box.isChecked(), false, 'Space unticks it');
    assert.deepEqual(await copiesSent(), [false], 'unticked, the passkey form does not send it');
    await page.keyboard.press('Space');
    assert.deepEqual(await copiesSent(), [true]);
    await createShopper(app, { email: 'kept.chromium@example.com', password: PASSWORD });
    await signIn(page, app.url, 'kept.chromium@example.com', PASSWORD);
    const whoami = await page.evaluate(() => fetch('/api/v1/whoami').then((response) => response.json()));
    assert.equal(whoami.session.keptSignedIn, true, 'the password form sent the ticked box');
    const cookie = (await page.context().cookies()).find((c) => c.name === '__Host-gh_session')!;
    assert.ok(cookie.expires > Date.now() / 1000 + 29 * 24 * 3600, 'Chromium keeps the cookie for 30 days');
    await page.close();
  });

  test('the axe-core check each shot runs finds what is wrong on a page that breaks the rules', async () => {
    const page = await screenViewports[0].open(browser);
    await page.setContent('<html><head><title>Broken</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>');
    const rules = (await axeViolations(page)).map((violation) => violation.rule).sort();
    assert.deepEqual(rules, ['color-contrast', 'html-has-lang', 'image-alt', 'label', 'page-has-heading-one'].sort());
    await page.close();
  });

  test('every branded screen was shot at both widths', () => {
    assert.equal(shots.length, 16, shots.join(', '));
  });
});
