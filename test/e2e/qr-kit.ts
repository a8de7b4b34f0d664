// The browser side of QR sign-in in the e2e tests: read the QR the sign-in page shows the way a
// phone camera would — a screenshot of the code, decoded with jsQR — watch the panel's state, and
// give a phone browser a fake camera that films that screenshot.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, type Browser, type Page } from '../harness/browser.ts';

// jsqr is CommonJS with `export default` in its types: tsx hands over the function, tsc (NodeNext)
// expects the namespace; take whichever is callable.
type JsQR = typeof jsQRModule.default;
const jsQR: JsQR = (jsQRModule as unknown as { default?: JsQR }).default ?? (jsQRModule as unknown as JsQR);

export const QR_TOKEN = /^\/qr\/([A-Za-z0-9_-]{43})$/;

/** What the QR on `page` holds: a screenshot of `[data-qr-image]` (returned too), decoded. */
export async function readQr(page: Page): Promise<{ url: URL; path: string; token: string; png: Buffer }> {
  const image = page.locator('[data-qr-image]');
  await image.locator('svg').waitFor({ state: 'attached' });
  if (!(await image.isVisible())) {
    // A phone-width page shows no QR (a phone cannot scan itself) but the button with its link.
    const href = (await page.getByRole('link', { name: 'Sign in with the app', exact: true }).getAttribute('href')) ?? '';
    const url = new URL(href, page.url());
    const token = QR_TOKEN.exec(url.pathname)?.[1];
    assert.ok(token, `the app button holds a /qr/<token> link: ${href}`);
    return { url, path: url.pathname, token, png: Buffer.alloc(0) };
  }
  const shot = await image.screenshot({ animations: 'disabled' });
  const png = PNG.sync.read(shot);
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  assert.ok(found, `the QR (${png.width}×${png.height} px) decodes`);
  const url = new URL(found.data);
  const token = QR_TOKEN.exec(url.pathname)?.[1];
  assert.ok(token, `the QR holds a /qr/<token> link: ${found.data}`);
  return { url, path: url.pathname, token, png: shot };
}

/** The panel's state (data-state, set by qr-login.js; absent before the first event) and status line. */
export async function panelState(page: Page): Promise<{ state: string | null; status: string }> {
  const panel = page.locator('[data-qr-panel]');
  return { state: await panel.getAttribute('data-state'), status: ((await panel.locator('[data-qr-status]').textContent()) ?? '').trim() };
}

/** Waits until the panel is in `state` (and, when given, shows `status`). */
export async function waitForPanel(page: Page, state: string, status?: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([state, status]) => {
      const panel = document.querySelector('[data-qr-panel]');
      const line = panel?.querySelector('[data-qr-status]');
      return panel?.getAttribute('data-state') === state && (status === null || line?.textContent?.trim() === status);
    },
    [state, status ?? null] as const,
    { timeout },
  );
}

/** Waits until the QR on `page` holds a token other than `old`; returns the new one. */
export async function waitForNewQr(page: Page, old: string, timeout = 10_000): ReturnType<typeof readQr> {
  const deadline = Date.now() + timeout;
  for (;;) {
    // The link under the QR changes with it (same script step); decode only once it has.
    const href = (await page.locator('[data-qr-link]').getAttribute('href')) ?? '';
    if (!href.endsWith(`/qr/${old}`)) {
      const read = await readQr(page);
      if (read.token !== old) return read;
    }
    if (Date.now() > deadline) assert.fail(`no new QR within ${timeout} ms (still ${old.slice(0, 8)}…)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A Y4M file for Chromium's fake camera (--use-file-for-fake-video-capture): a grey 640×480 scene
 * with `png` (e.g. a screenshot of the QR on the desktop's screen) in the middle, or a plain soft
 * gradient without one. Chromium loops the file.
 */
export function cameraFile(path: string, png?: Buffer): void {
  const width = 640;
  const height = 480;
  const luma = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) luma.fill(90 + Math.round((60 * y) / height), y * width, (y + 1) * width);
  if (png) {
    const image = PNG.sync.read(png);
    const left = Math.floor((width - image.width) / 2);
    const top = Math.floor((height - image.height) / 2);
    for (let y = 0; y < image.height && top + y < height; y++) {
      for (let x = 0; x < image.width && left + x < width; x++) {
        const i = (y * image.width + x) * 4;
        const grey = 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
        luma[(top + y) * width + left + x] = 16 + Math.round((grey * 219) / 255);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

/** A Chromium whose camera shows `file` (see cameraFile); camera permission is granted without asking. */
export function launchBrowserWithCamera(file: string): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`],
  });
}

/** The phone opened a QR link: that shows the request and changes nothing; Continue is the scan. */
export async function tapContinue(phone: import('playwright-core').Page) {
  await phone.getByRole('heading', { level: 1, name: 'Sign in to a computer?' }).waitFor();
  await phone.getByRole('button', { name: 'Continue' }).click();
}
