// The API reference page (/api/docs) in real Chromium: Swagger UI, served from our own origin,
// renders every operation of /api/openapi.json under the page's CSP with no script error, no CSP
// violation and no request to another origin. Screenshots at 1280 and 390 px:
// test-results/screens/api-docs-*.png.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { browserForSuite, screenshot } from '../harness/browser.ts';
import { horizontalOverflow, screenViewports, watchForBrowserErrors } from './e2e-kit.ts';

const dialect = testDialects[0]!;

describe(`API reference page (${dialect})`, () => {
  const app = gatehouseForSuite(dialect);
  const browser = browserForSuite();

  for (const viewport of screenViewports) test(`/api/docs at ${viewport.name} width lists every operation of the document, with no script error, CSP violation or request elsewhere`, async () => {
    const spec = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

    const page = await viewport.open(browser);
    const errors = watchForBrowserErrors(page);
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event: SecurityPolicyViolationEvent) => (window as unknown as { reportViolation(text: string): void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`));
    });
    const elsewhere: string[] = [];
    const origin = new URL(app.url).origin;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== origin) elsewhere.push(request.url());
    });

    const response = await page.goto(`${app.url}/api/docs`);
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self';/);
    assert.doesNotMatch(response?.headers()['content-security-policy'] ?? '', /unsafe/);
    await page.waitForFunction((count) => document.querySelectorAll('.opblock').length >= count, operations.length);
    const shown = await page.locator('.opblock-summary').evaluateAll((blocks) =>
      blocks.map((block) => `${block.querySelector('.opblock-summary-method')?.textContent?.trim()} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
    );
    assert.deepEqual([...shown].sort(), [...operations].sort(), 'every operation, once');
    await page.getByRole('heading', { name: /Gatehouse API/ }).waitFor();
    await screenshot(page, `api-docs-${viewport.name}`);
    const { scrollWidth, innerWidth } = await horizontalOverflow(page);
    assert.ok(scrollWidth <= innerWidth, `the page scrolls sideways (${scrollWidth} > ${innerWidth})`);

    // One operation opened: its error responses name their codes.
    await page.locator('.opblock-summary', { has: page.locator('[data-path="/api/v1/app/sessions"]') }).first().click();
    await page.getByText('login.invalid_credentials', { exact: false }).first().waitFor();
    await screenshot(page, `api-docs-sign-in-${viewport.name}`);

    assert.deepEqual(errors, [], 'no script errors or CSP violations (console)');
    assert.deepEqual(violations, [], 'no CSP violations (securitypolicyviolation)');
    assert.deepEqual(elsewhere, [], 'nothing is fetched from another origin');
    await page.close();
  });
});
