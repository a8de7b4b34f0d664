// Screenshots of the QR sign-in screens at desktop (1280) and phone (390) width, in English, and
// sign-in with the QR panel in Russian, into test-results/screens/qr-*.png and app-*.png: the
// sign-in page with its QR panel, the panel once scanned and once cancelled, the phone's
// confirmation page, Confirmed, Cancelled, a link that is not valid, and the reference app (/app)
// signed in, with its camera running (Chromium's fake camera), and signed out. Each shot also checks that the page does not scroll sideways, that
// every form control has a label, and that the browser reported no script error or CSP violation.
//
// At each width both browsers — the one showing the QR and the "phone" confirming — have that
// width: the phone pages are shot at 1280 too (the app's page opened on a computer).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { freePort } from '../harness/free-port.ts';
import { launchBrowser, newDesktopPage, newPhonePage, type Browser } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';
import { cameraFile, launchBrowserWithCamera, readQr, waitForPanel, tapContinue } from './qr-kit.ts';

const PASSWORD = 'marble fox naps under pines';
const dialect = testDialects[0]!;

describe(`QR sign-in screens (${dialect})`, () => {
  let app: TestGatehouse;
  let browser: Browser;
  const shots: string[] = [];
  before(async () => {
    const port = await freePort();
    [app, browser] = await Promise.all([startTestGatehouse(dialect, { port, env: { TRUST_PROXY: '1' } }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of screenViewports) {
    test(`QR sign-in screens at ${viewport.name} width`, async (t) => {
      const email = `qr.screens.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      const waiting = await viewport.open(browser);
      const phone = await viewport.open(browser);
      const onWaiting = createShooter(waiting, viewport.name, shots);
      const onPhone = createShooter(phone, viewport.name, shots);

      // The sign-in page with its QR panel, in English and Russian.
      await waiting.goto(`${app.url}/login`);
      await readQr(waiting);
      await onWaiting.shoot('qr-login');
      await onWaiting.language('ru');
      await waiting.getByRole('heading', { name: 'Вход через приложение' }).waitFor();
      await onWaiting.shoot('qr-login-ru');
      await onWaiting.language('en');

      // The phone (signed in) opens the QR's link: the confirmation page; the panel says "Scanned".
      const first = await readQr(waiting);
      await signIn(phone, app.url, email, PASSWORD);
      await phone.goto(`${app.url}${first.path}`);
      await phone.getByRole('heading', { level: 1, name: 'Sign in to a computer?' }).waitFor();
      await onPhone.shoot('qr-review');
      await tapContinue(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();
      await onPhone.shoot('qr-confirm');
      await waitForPanel(waiting, 'scanned', 'Scanned — confirm on your phone');
      await onWaiting.shoot('qr-login-scanned');

      // Confirm: the phone says so, the waiting browser is signed in.
      await Promise.all([waitForPath(waiting, /^\/account\?signed_in=qr$/), phone.getByRole('button', { name: 'Confirm' }).click()]);
      await phone.getByRole('heading', { level: 1, name: 'Confirmed' }).waitFor();
      await onPhone.shoot('qr-confirmed');

      // A second round, cancelled: the phone's page and the panel saying so (before its new code).
      await waiting.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await waitForPath(waiting, /^\/login/);
      const second = await readQr(waiting);
      await phone.goto(`${app.url}${second.path}`);
      await tapContinue(phone);
      await waitForPanel(waiting, 'scanned');
      await phone.getByRole('button', { name: 'Cancel' }).click();
      await phone.getByRole('heading', { level: 1, name: 'Cancelled' }).waitFor();
      await onPhone.shoot('qr-cancelled');
      await waitForPanel(waiting, 'denied', 'Cancelled in the app.');
      await onWaiting.shoot('qr-login-cancelled');

      // A computer in another country than the phone (addresses as a trusted proxy would pass
      // them): the warning, then the second, explicit "yes" after the first Confirm.
      await waiting.setExtraHTTPHeaders({ 'x-forwarded-for': '90.0.0.1' });
      await phone.setExtraHTTPHeaders({ 'x-forwarded-for': '77.88.8.8' });
      await waiting.goto(`${app.url}/login`);
      const third = await readQr(waiting);
      await phone.goto(`${app.url}${third.path}`);
      await tapContinue(phone);
      await phone.locator('[data-qr-elsewhere]').waitFor();
      await onPhone.shoot('qr-confirm-elsewhere');
      await phone.getByRole('button', { name: 'Confirm' }).click();
      await phone.getByRole('button', { name: 'Yes, this is me on that computer' }).waitFor();
      await onPhone.shoot('qr-confirm-elsewhere-again');
      await phone.getByRole('button', { name: 'Cancel' }).click();
      await phone.getByRole('heading', { level: 1, name: 'Cancelled' }).waitFor();
      await waiting.setExtraHTTPHeaders({});
      await phone.setExtraHTTPHeaders({});

      // A link that is no QR of ours (or no longer is one).
      assert.equal((await phone.goto(`${app.url}/qr/${'A'.repeat(43)}`))?.status(), 404);
      await phone.getByRole('alert').waitFor();
      await onPhone.shoot('qr-invalid');

      // The reference app: signed in (the phone) and signed out (the waiting browser).
      await phone.goto(`${app.url}/app`);
      await phone.getByRole('heading', { level: 1, name: 'Scan to sign in' }).waitFor();
      await phone.getByLabel('Sign-in link').waitFor();
      await phone.waitForLoadState('load');
      await onPhone.shoot('app-signed-in');

      // The camera running, with its viewfinder (a fake camera filming a plain grey scene).
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-camera-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      cameraFile(join(dir, 'scene.y4m'));
      const withCamera = await launchBrowserWithCamera(join(dir, 'scene.y4m'));
      t.after(() => withCamera.close());
      const scanner = viewport.name === 'phone' ? await newPhonePage(withCamera, { locale: 'en-US' }) : await newDesktopPage(withCamera, { locale: 'en-US' });
      const onScanner = createShooter(scanner, viewport.name, shots);
      await signIn(scanner, app.url, email, PASSWORD);
      await scanner.goto(`${app.url}/app`);
      await scanner.getByRole('button', { name: 'Start camera' }).click();
      await scanner.locator('[data-scanner]').waitFor({ state: 'visible' });
      await scanner.waitForFunction(() => (document.querySelector('[data-scanner-video]') as HTMLVideoElement | null)?.readyState === 4);
      assert.equal(await scanner.getByRole('button', { name: 'Start camera' }).isVisible(), false, 'the button gives way to the camera');
      await onScanner.shoot('app-camera');
      await scanner.close();

      await waiting.goto(`${app.url}/app`);
      await waiting.getByRole('main').getByRole('link', { name: 'Sign in' }).waitFor();
      await onWaiting.shoot('app-signed-out');

      await phone.close();
      await waiting.close();
    });
  }

  test('the screens were written', () => {
    assert.equal(shots.length, 2 * 14, `shots: ${shots.join(', ')}`);
  });
});
