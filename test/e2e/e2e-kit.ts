// Small helpers shared by the browser tests in test/e2e (playwright-core has no `expect`, so a
// tiny poll and a few page checks live here).
import assert from 'node:assert/strict';
import { newDesktopPage, newPhonePage, screenshot, type Browser, type Page } from '../harness/browser.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { axeViolations, describeViolations } from '../harness/accessibility.ts';

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

/** A shopper made straight through the services (no sign-up screens): a confirmed email, a password. */
export async function createShopper(
  app: TestGatehouse,
  shopper: { email: string; loginName?: string | null; password: string; locale?: 'en' | 'ru' },
): Promise<void> {
  const { accounts, hasher, db, clock } = app.gatehouse.services;
  const now = clock.now();
  await accounts.insert(db, {
    email: shopper.email,
    loginName: shopper.loginName ?? null,
    passwordHash: await hasher.hash(shopper.password),
    locale: shopper.locale ?? 'en',
    emailVerifiedAt: now,
    now,
  });
}

/** Signs `page` in through /login and waits for My account. */
export async function signIn(page: Page, baseUrl: string, identifier: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email or login name').fill(identifier);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitForPath(page, /^\/account$/);
}

/** The widths the screens tests shoot at: desktop (1280) and phone (390), both in English. */
export const screenViewports = [
  { name: 'desktop', open: (browser: Browser) => newDesktopPage(browser, { locale: 'en-US' }) },
  { name: 'phone', open: (browser: Browser) => newPhonePage(browser, { locale: 'en-US' }) },
] as const;

/**
 * Screenshots for the screens tests: `shoot(screen)` writes test-results/screens/<screen>-<viewport>.png
 * and checks that the page does not scroll sideways, that every control has a label, that axe-core
 * finds no WCAG A/AA violation in it, and that the browser reported no script error or CSP
 * violation; `language()` uses the footer switch.
 */
export function createShooter(page: Page, viewport: string, shots: string[]) {
  const errors = watchForBrowserErrors(page);
  return {
    errors,
    async shoot(screen: string) {
      // Fonts load and transitions (the strength bar) finish; the screenshot then shows what a shopper sees.
      await page.evaluate(() => document.fonts.ready);
      await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
      const name = `${screen}-${viewport}`;
      await screenshot(page, name);
      shots.push(name);
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      assert.ok(scrollWidth <= innerWidth, `${name}: the page scrolls sideways (${scrollWidth} > ${innerWidth})`);
      assert.deepEqual(await unlabelledControls(page), [], `${name}: every form control has a label`);
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${name}: axe-core finds no accessibility violation, but found:\n${describeViolations(violations)}`);
      assert.deepEqual(errors, [], `${name}: no script errors or CSP violations`);
    },
    async language(locale: 'en' | 'ru') {
      const name = locale === 'ru' ? 'Русский' : 'English';
      await page.getByRole('contentinfo').getByRole('link', { name }).click();
      await page.waitForFunction((expected) => document.documentElement.lang === expected, locale);
    },
  };
}
