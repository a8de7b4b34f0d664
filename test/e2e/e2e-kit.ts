// Small helpers shared by the browser tests in test/e2e (playwright-core has no `expect`, so a
// tiny poll and a few page checks live here).
import assert from 'node:assert/strict';
import type { Page } from '../harness/browser.ts';

/** Polls `read` until `accept` holds (or fails with the last value after `timeout` ms). */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeout = 5_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The path (and query) the page shows now. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Waits for a navigation to a path matching `pattern` (pathname + search). */
export async function waitForPath(page: Page, pattern: RegExp): Promise<void> {
  await page.waitForURL((url) => pattern.test(url.pathname + url.search), { timeout: 10_000 });
}

/**
 * Collects what the browser complains about: uncaught script errors and console errors (a CSP
 * violation — an inline style or script the policy blocks — is reported as a console error).
 */
export function watchForBrowserErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // The 401 of /api/v1/whoami and the 4xx of re-rendered forms are expected, not bugs.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    errors.push(`console: ${text}`);
  });
  return errors;
}

/** Form controls that have neither a <label> nor aria-label/aria-labelledby. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
    const bad: string[] = [];
    for (const control of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')) {
      if (control instanceof HTMLInputElement && skip.has(control.type)) continue;
      const labelled =
        (control.labels?.length ?? 0) > 0 ||
        (control.getAttribute('aria-label') ?? '').trim() !== '' ||
        (control.getAttribute('aria-labelledby') ?? '').split(/\s+/).some((id) => id && document.getElementById(id)?.textContent?.trim());
      if (!labelled) bad.push(control.outerHTML.slice(0, 120));
    }
    return bad;
  });
}

/** scrollWidth vs the viewport: > 0 means the page scrolls sideways. */
export function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

/** A 6-digit code that is certainly not `code`. */
export function wrongCodeFor(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}
