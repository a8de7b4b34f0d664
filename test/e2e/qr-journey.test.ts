// Sign-in with the app's QR code in real Chromium, on SQLite and on PostgreSQL (DESIGN.md §4): a
// desktop browser shows /login, the test reads the QR the way a phone camera would (a screenshot
// of the code, decoded with jsQR), a signed-in phone opens that link, sees who is asking and
// confirms — and the desktop lands in My account by itself, with no reload and no click. Also:
// Cancel (the panel says so, then shows a new code by itself), expiry after 60 s (a new code
// without reload; the old link is refused), a signed-out phone sent through sign-in and back, and
// the QR session in Security, which the phone can end. And the reference app's scanner (/app):
// a phone whose (fake) camera films the desktop's QR opens the confirmation page by itself.
//
// The server's clock is a manual one, started at the real time (so cookie expiry dates stay
// sensible to the browser): the 60 s life of a QR is crossed by advancing it, not by sleeping.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { freePort } from '../harness/free-port.ts';
import { launchBrowser, newDesktopPage, newPhonePage, type Browser, type Page } from '../harness/browser.ts';
import { formatTime } from '../../src/account/account-pages.tsx';
import { maskEmail } from '../../src/courier/mask.ts';
import { describeUserAgent } from '../../src/sessions/user-agent.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { createShopper, pathOf, signIn, waitForPath, watchForBrowserErrors } from './e2e-kit.ts';
import { cameraFile, launchBrowserWithCamera, panelState, readQr, waitForNewQr, waitForPanel, tapContinue } from './qr-kit.ts';

const PASSWORD = 'lantern orchard sings at noon';

for (const dialect of testDialects) {
  describe(`QR sign-in journey in Chromium on ${dialect}`, () => {
    const clock = createManualClock(Date.now());
    const email = `qr.${dialect}@example.com`;
    let app: TestGatehouse;
    let browser: Browser;
    before(async () => {
      // A real port, so PUBLIC_URL (and with it the QR's link) names the port the browsers use.
      const port = await freePort();
      [app, browser] = await Promise.all([startTestGatehouse(dialect, { clock, port }), launchBrowser()]);
      await createShopper(app, { email, password: PASSWORD });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    const qrRow = (token: string) =>
      app.gatehouse.services.db.selectFrom('qr_login_requests').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();

    /** A desktop browser on /login, with the navigations it makes from now on. */
    async function desktopOnLogin(): Promise<{ page: Page; errors: string[]; navigations: string[] }> {
      const page = await newDesktopPage(browser, { locale: 'en-US' });
      const errors = watchForBrowserErrors(page);
      await page.goto(`${app.url}/login`);
      const navigations: string[] = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(`${request.method()} ${new URL(request.url()).pathname}`);
      });
      return { page, errors, navigations };
    }

    /** A phone browser (in `phones`, the shared one unless given), with the script errors and CSP violations it reports. */
    async function openPhone(phones: Browser = browser): Promise<{ phone: Page; phoneErrors: string[] }> {
      const phone = await newPhonePage(phones, { locale: 'en-US' });
      return { phone, phoneErrors: watchForBrowserErrors(phone) };
    }

    /** Neither browser reported a script error or CSP violation; then both are closed. */
    async function closeClean(desktop: { page: Page; errors: string[] }, phone: Page, phoneErrors: string[]): Promise<void> {
      assert.deepEqual(desktop.errors, [], 'no script errors or CSP violations on the desktop');
      assert.deepEqual(phoneErrors, [], 'no script errors or CSP violations on the phone');
      await phone.close();
      await desktop.page.close();
    }

    test('the phone confirms: the desktop lands in My account by itself; Security shows the QR session and the phone ends it', async () => {
      const desktop = await desktopOnLogin();
      const { page } = desktop;
      await page.getByRole('heading', { name: 'Sign in with the app' }).waitFor();
      assert.equal((await panelState(page)).status, 'Scan with the app');

      // The QR, read from the screen: only a link to this server's /qr/<token>.
      const qr = await readQr(page);
      assert.equal(qr.url.origin, new URL(app.url).origin, 'the QR links to this Gatehouse (PUBLIC_URL)');
      assert.equal(qr.url.search + qr.url.hash, '', 'nothing but the token');
      assert.equal(await page.locator('[data-qr-link]').getAttribute('href'), qr.url.href, 'the link under the QR is the same');
      assert.equal(await page.getByRole('button', { name: 'I confirmed in the app — continue' }).isVisible(), false, 'the no-script button is hidden');

      // The shopper's phone: signed in as usual, then the link from the QR.
      const { phone, phoneErrors } = await openPhone();
      await signIn(phone, app.url, email, PASSWORD);
      await phone.goto(`${app.url}${qr.path}`);
      await tapContinue(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();

      // Who is asking: the desktop's browser and system, its place (unknown: its address), the time.
      const row = await qrRow(qr.token);
      const device = describeUserAgent(await page.evaluate(() => navigator.userAgent));
      const facts = await phone.locator('.facts').evaluate((list) =>
        Object.fromEntries([...list.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])),
      );
      assert.deepEqual(facts, {
        Device: `${device.browser}, ${device.system}`,
        'Approximate place': `unknown (network address ${row.browser_address})`,
        Requested: formatTime(row.created_at, 'en'),
      });
      assert.match(facts.Device ?? '', /Chrom/, `the desktop's browser, not the phone's: ${facts.Device}`);
      assert.doesNotMatch(facts.Device ?? '', /Android/);

      // The desktop learns of the scan (server-sent events) and says so.
      await waitForPanel(page, 'scanned', 'Scanned — confirm on your phone');
      assert.deepEqual(desktop.navigations, [], 'no navigation on the desktop yet');

      // Confirm on the phone; the desktop follows by itself.
      const clicked = performance.now();
      const [landed] = await Promise.all([
        page.waitForURL((url) => url.pathname === '/account', { waitUntil: 'commit', timeout: 10_000 }).then(() => performance.now()),
        phone.getByRole('button', { name: 'Confirm' }).click(),
      ]);
      await page.waitForLoadState('load');
      const loaded = performance.now();
      console.log(`[qr-journey ${dialect}] Confirm click → desktop at /account: ${Math.round(landed - clicked)} ms (page loaded: ${Math.round(loaded - clicked)} ms)`);
      assert.ok(landed - clicked < 5_000, 'the desktop follows within a few seconds');
      assert.deepEqual(desktop.navigations, ['POST /qr/complete', 'GET /account'], 'the page script submitted /qr/complete; no reload');
      await phone.getByRole('heading', { level: 1, name: 'Confirmed' }).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await page.getByRole('main').getByText(email).first().waitFor();
      // Which account this browser landed in, said first (a photographed QR could sign it into someone else's).
      const landedIn = await page.locator('[data-qr-signed-in]').innerText();
      assert.ok(landedIn.includes(`Signed in with the app’s QR code as ${maskEmail(email)}`), landedIn);
      assert.ok(await page.locator('[data-qr-signed-in]').getByRole('button', { name: 'Sign out' }).isVisible(), 'the way out is next to it');
      assert.equal((await qrRow(qr.token)).state, 'consumed');

      // Security on the desktop: its own session was made by the QR code.
      await page.getByRole('navigation', { name: 'Account menu' }).getByRole('link', { name: 'Security' }).click();
      await waitForPath(page, /^\/account\/security$/);
      const sessions = page.getByRole('list', { name: 'Where you are signed in' }).getByRole('listitem');
      assert.equal(await sessions.count(), 2, 'the phone and the desktop');
      const thisDesktop = sessions.filter({ hasText: 'This device' });
      assert.match((await thisDesktop.textContent()) ?? '', /\(QR code\)/, 'signed in via "QR code"');
      assert.match((await sessions.filter({ hasNotText: 'This device' }).textContent()) ?? '', /\(password\)/);

      // The phone sees the desktop's QR session and ends it.
      await phone.goto(`${app.url}/account/security`);
      const phoneSessions = phone.getByRole('list', { name: 'Where you are signed in' }).getByRole('listitem');
      const qrSession = phoneSessions.filter({ hasNotText: 'This device' });
      assert.match((await qrSession.textContent()) ?? '', /\(QR code\)/);
      await qrSession.getByRole('button', { name: /^Sign out/ }).click();
      await waitForPath(phone, /^\/account\/security\?ended=one$/);
      await phone.getByText('You are not signed in anywhere else.').waitFor();
      await page.reload();
      assert.match(pathOf(page), /^\/login/, 'the desktop is signed out');

      await closeClean(desktop, phone, phoneErrors);
    });

    test('a signed-out phone is sent through sign-in and back; Cancel: the panel says so, then shows a new code by itself', async () => {
      const desktop = await desktopOnLogin();
      const { page } = desktop;
      const qr = await readQr(page);

      // Signed out, the link asks for sign-in first and comes back to the same link.
      const { phone, phoneErrors } = await openPhone();
      await phone.goto(`${app.url}${qr.path}`);
      await waitForPath(phone, /^\/login\?return_to=/);
      assert.equal(new URL(phone.url()).searchParams.get('return_to'), qr.path);
      assert.equal((await qrRow(qr.token)).state, 'pending', 'a signed-out visit scans nothing');
      assert.equal((await panelState(page)).status, 'Scan with the app');
      await phone.getByLabel('Email or login name').fill(email);
      await phone.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(phone, new RegExp(`^${qr.path}$`));
      await tapContinue(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();
      await waitForPanel(page, 'scanned', 'Scanned — confirm on your phone');

      // Cancel on the phone.
      const clicked = performance.now();
      await phone.getByRole('button', { name: 'Cancel' }).click();
      await phone.getByRole('heading', { level: 1, name: 'Cancelled' }).waitFor();
      await waitForPanel(page, 'denied', 'Cancelled in the app.');
      const told = performance.now();
      assert.equal((await qrRow(qr.token)).state, 'denied');

      // A moment later a new code replaces it, without reload.
      const renewed = await waitForNewQr(page, qr.token);
      await waitForPanel(page, 'pending', 'Scan with the app');
      console.log(`[qr-journey ${dialect}] Cancel click → "Cancelled in the app.": ${Math.round(told - clicked)} ms; → new QR: ${Math.round(performance.now() - clicked)} ms`);
      assert.notEqual(renewed.token, qr.token);
      assert.deepEqual(desktop.navigations, [], 'no reload');
      assert.equal(pathOf(page), '/login');

      // The cancelled link is used up; the new one works.
      assert.equal((await phone.goto(`${app.url}${qr.path}`))?.status(), 409);
      await phone.getByText('This QR code has already been used.').waitFor();
      await phone.goto(`${app.url}${renewed.path}`);
      await tapContinue(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();
      await waitForPanel(page, 'scanned');

      await closeClean(desktop, phone, phoneErrors);
    });

    test('after 60 s the code expires and the panel shows a new one by itself; the old link is refused, the new one signs in', async () => {
      const desktop = await desktopOnLogin();
      const { page } = desktop;
      const first = await readQr(page);
      assert.equal(Number(await page.locator('[data-qr-status]').getAttribute('data-expires-at')) - clock.now(), 60_000, 'a QR lives 60 s');

      clock.advance(61_000);
      const started = performance.now();
      const renewed = await waitForNewQr(page, first.token);
      console.log(`[qr-journey ${dialect}] clock +61 s → new QR on the desktop: ${Math.round(performance.now() - started)} ms`);
      await waitForPanel(page, 'pending', 'Scan with the app');
      assert.notEqual(renewed.token, first.token);
      assert.deepEqual(desktop.navigations, [], 'no reload');

      const { phone, phoneErrors } = await openPhone();
      await signIn(phone, app.url, email, PASSWORD);
      assert.equal((await phone.goto(`${app.url}${first.path}`))?.status(), 410, "expired: 410, as in the app API");
      await phone.getByText('This QR code has expired. Show a new code on the sign-in page.').waitFor();

      await phone.goto(`${app.url}${renewed.path}`);
      await tapContinue(phone);
      await waitForPanel(page, 'scanned');
      await Promise.all([waitForPath(page, /^\/account\?signed_in=qr$/), phone.getByRole('button', { name: 'Confirm' }).click()]);
      await page.getByRole('main').getByText(email).waitFor();
      assert.deepEqual(desktop.navigations, ['POST /qr/complete', 'GET /account']);

      await closeClean(desktop, phone, phoneErrors);
    });
    test('the app’s camera (/app) reads the QR on the desktop and opens the confirmation page by itself', async (t) => {
      // app-scanner.js decodes with BarcodeDetector (not in Chromium on Linux) or /static/jsQR.js.
      const desktop = await desktopOnLogin();
      const { page } = desktop;
      const qr = await readQr(page);

      // The phone's camera films the desktop's screen: the screenshot of its QR.
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-camera-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'desk.y4m');
      cameraFile(file, qr.png);
      const withCamera = await launchBrowserWithCamera(file);
      t.after(() => withCamera.close());
      const { phone, phoneErrors } = await openPhone(withCamera);
      await signIn(phone, app.url, email, PASSWORD);
      await phone.goto(`${app.url}/app`);
      await phone.getByRole('button', { name: 'Start camera' }).click();
      await waitForPath(phone, new RegExp(`^${qr.path}$`));
      await tapContinue(phone);
      await phone.getByRole('heading', { level: 1, name: 'Sign in on another device?' }).waitFor();
      await waitForPanel(page, 'scanned', 'Scanned — confirm on your phone');

      await Promise.all([waitForPath(page, /^\/account\?signed_in=qr$/), phone.getByRole('button', { name: 'Confirm' }).click()]);
      await page.getByRole('main').getByText(email).waitFor();
      assert.deepEqual(desktop.navigations, ['POST /qr/complete', 'GET /account']);
      await closeClean(desktop, phone, phoneErrors);
    });
    // Known server limitation, kept here so it is seen: the QR secret lives in one cookie per
    // browser, so a second /login tab replaces the first tab's secret; confirming the first tab's
    // QR then ends on "not confirmed" instead of signing in. Remove `todo` once fixed.
    test('two sign-in tabs in one browser: the first tab’s QR still signs in', async () => {
      const first = await newDesktopPage(browser, { locale: 'en-US' });
      await first.goto(`${app.url}/login`);
      const qr = await readQr(first);
      const second = await first.context().newPage();
      await second.goto(`${app.url}/login`);
      const phone = await newPhonePage(browser, { locale: 'en-US' });
      await signIn(phone, app.url, email, PASSWORD);
      await phone.goto(`${app.url}${qr.path}`);
      await tapContinue(phone);
      await waitForPanel(first, 'scanned');
      try {
        await Promise.all([first.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 }), phone.getByRole('button', { name: 'Confirm' }).click()]);
        await first.waitForLoadState('load');
        assert.equal(pathOf(first), '/account?signed_in=qr', `the first tab signs in (it shows: ${await first.locator('main').innerText()})`);
      } finally {
        await phone.close();
        await second.close();
        await first.close();
      }
    });
  });
}
