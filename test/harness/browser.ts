// Real Chromium (Debian's chromium-headless-shell, driven by playwright-core) for end-to-end tests.
// `npm test` installs it when missing. The headless shell is Chromium's own headless build — the
// same Blink, V8 and WebAuthn as the browser, and what Playwright itself runs for headless — without
// the full browser's UI: `chromium --headless` keeps a renderer for its (unseen) toolbar and tabs,
// and a journey step (new context, sign-in, two pages) took 1.06–1.22 s there against 0.47–0.70 s
// in the shell on this 2-core machine, which halved the journeys' time. One browser per test file is plenty; every page gets its
// own context (own cookies and storage), closed with the page.
//
//   const browser = await launchBrowser();
//   t.after(() => browser.close());
//   const page = await newDesktopPage(browser);
//   await page.goto(`${baseUrl}/login`);
//   await screenshot(page, 'login-desktop');
import { mkdir } from 'node:fs/promises';
import { after, before } from 'node:test';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium-headless-shell';

// --no-sandbox: we run as root; --disable-gpu: no GPU here; the rest keep Chromium from calling
// Google's services, which this machine's closed network refuses (noisy, slow start-up).
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs }).catch((error: Error) => {
    throw new Error(
      `could not launch Chromium at ${chromiumPath} (run the tests through \`npm test\`, which installs it): ${error.message}`,
    );
  });
}

/**
 * One Chromium for a whole describe block, like gatehouseForSuite: launched before its first test
 * and closed after its last; what it returns forwards to that browser.
 */
export function browserForSuite(): Browser {
  let launched: Browser | undefined;
  before(async () => {
    launched = await launchBrowser();
  });
  after(() => launched?.close());
  return new Proxy({} as Browser, {
    get(_, key) {
      if (!launched) throw new Error('the suite’s browser starts in before(): use it inside tests and hooks');
      const value = Reflect.get(launched, key);
      return typeof value === 'function' ? value.bind(launched) : value;
    },
  });
}

async function newPage(browser: Browser, options: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.once('close', () => {
    context.close().catch(() => {});
  });
  return page;
}

export function newDesktopPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return newPage(browser, { viewport: { width: 1280, height: 900 }, ...options });
}

export function newPhonePage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return newPage(browser, {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    // It is Chromium, so say Chrome on Android (what the store's app webview would send).
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
    ...options,
  });
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screensDir = join(projectRoot, 'test-results', 'screens');

// Saves test-results/screens/<name>.png (full page) and returns its path.
export async function screenshot(page: Page, name: string): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-');
  const path = join(screensDir, `${safe}.png`);
  await mkdir(dirname(path), { recursive: true });
  // A full-page capture re-sets the device metrics, and on a touch (phone) page Chromium then
  // drops the coarse pointer for the shot: the PNG showed the QR a phone never sees. There the
  // viewport is made as tall as the page and shot as it is, then put back.
  const viewport = page.viewportSize();
  if (viewport && (await page.evaluate('matchMedia("(pointer: coarse)").matches'))) {
    const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
    await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
    await page.screenshot({ path });
    await page.setViewportSize(viewport);
  } else {
    await page.screenshot({ path, fullPage: true });
  }
  return path;
}
