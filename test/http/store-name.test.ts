// The store name is the installation's (STORE_NAME): it rides on each request's context, and the
// page frame takes it from there — also on the pages drawn when a request was refused before the
// context hook ran, which get a context built for them by the error handlers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';

const STORE = 'Acme Tea & Co';
const ESCAPED = 'Acme Tea &amp; Co';

for (const dialect of testDialects) {
  describe(`the store name (${dialect})`, () => {
    const app = gatehouseForSuite(dialect, { env: { STORE_NAME: STORE } });

    test('STORE_NAME is in the title, the brand and the footer of a page, of a route’s problem page, of a 404 and of a path refused before the request context existed', async () => {
      const browser = createClient(app.url);
      const pages = {
        '/login': 200,
        '/register/code?flow=00000000-0000-4000-8000-000000000000': undefined,
        '/no-such-page': 404,
        '/%FF': 400,
      };
      for (const [path, status] of Object.entries(pages)) {
        const page = await browser.get(path);
        if (status !== undefined) assert.equal(page.status, status, path);
        else assert.ok(page.status >= 400 && page.status < 500, `${path}: ${page.status}`);
        assert.ok(page.text.includes(` · ${ESCAPED}</title>`), `${path}: title`);
        assert.ok(page.text.includes(`<span class="brand-name">${ESCAPED}</span>`), `${path}: brand`);
        assert.ok(page.text.includes(`Your account is protected by ${ESCAPED}.`), `${path}: footer`);
      }
    });
  });
}
