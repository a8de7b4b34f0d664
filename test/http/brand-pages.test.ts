// A store's brand on every page and every email (src/http/brand-routes.ts, layout.tsx,
// courier/templates/layout.ts): its colours as a stylesheet after ours, its logo in the header, its
// help, terms and privacy links in every footer, and the favicon and manifest browsers ask for.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32"><script>alert(1)</script><rect width="120" height="32" fill="#0a4f8a"/></svg>';
const logoFile = join(mkdtempSync(join(tmpdir(), 'gh-brand-logo-')), 'logo.svg');
writeFileSync(logoFile, SVG);
const BRAND = {
  STORE_NAME: 'Harbour Books',
  BRAND_COLOR: '#0a4f8a',
  BRAND_LOGO: logoFile,
  SUPPORT_URL: 'https://harbour.example/help',
  TERMS_URL: 'https://harbour.example/terms',
  PRIVACY_URL: 'https://harbour.example/privacy',
};
const PASSWORD = 'correct horse battery staple';

for (const dialect of testDialects) {
  describe(`a branded store (${dialect})`, () => {
    const app = gatehouseForSuite(dialect, { env: BRAND });

    test('every page links the brand stylesheet, shows the logo, and has the help, terms and privacy links in its footer — a 404 and a refused request too', async () => {
      const browser = createClient(app.url);
      for (const [path, status] of [['/login', 200], ['/recovery', 200], ['/no-such-page', 404], ['/%FF', 400]] as const) {
        const page = await browser.get(path);
        assert.equal(page.status, status, path);
        assert.ok(page.text.includes('<link rel="stylesheet" href="/static/brand.css"/>') || page.text.includes('href="/static/brand.css"'), `${path}: brand.css`);
        assert.match(page.text, /<img class="brand-logo" src="\/static\/brand-logo\.svg" alt=""><span class="brand-name visually-hidden">Harbour Books<\/span>/, `${path}: logo, the name for screen readers`);
        assert.match(page.text, /<nav class="store-links" aria-label="Store information"><a href="https:\/\/harbour\.example\/help">Help and support<\/a><a href="https:\/\/harbour\.example\/terms">Terms of use<\/a><a href="https:\/\/harbour\.example\/privacy">Privacy policy<\/a><\/nav>/, `${path}: footer links`);
        assert.match(page.text, /<link rel="icon" href="\/favicon\.ico" type="image\/svg\+xml"/, `${path}: icon`);
        assert.match(page.text, /<link rel="manifest" href="\/manifest\.webmanifest"/, `${path}: manifest`);
      }
      const russian = await createClient(app.url).get('/login', { 'accept-language': 'ru' });
      assert.match(russian.text, /aria-label="О магазине"><a href="https:\/\/harbour\.example\/help">Помощь и поддержка<\/a>/);
    });

    test('the brand stylesheet sets buttons, links and focus rings to the store’s colour, and is cached like our other files', async () => {
      const css = await createClient(app.url).get('/static/brand.css');
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type')!, /^text\/css/);
      assert.equal(css.headers.get('cache-control'), 'public, max-age=300');
      assert.match(css.text, /--brand: #0a4f8a;/);
      assert.match(css.text, /--link: #0a4f8a;/);
      assert.match(css.text, /--focus: #0a4f8a;/);
    });

    test('an SVG logo and favicon are served as pictures only: sandboxed, no scripts, never sniffed', async () => {
      const client = createClient(app.url);
      for (const path of ['/static/brand-logo.svg', '/favicon.ico']) {
        const logo = await client.get(path);
        assert.equal(logo.status, 200, path);
        assert.equal(logo.headers.get('content-type'), 'image/svg+xml', path);
        assert.equal(logo.text, SVG, path);
        const policy = logo.headers.get('content-security-policy')!;
        assert.match(policy, /default-src 'none'/, path);
        assert.match(policy, /(^|; )sandbox$/, path);
        assert.doesNotMatch(policy, /script-src/, `${path}: nothing lets a script run`);
        assert.equal(logo.headers.get('x-content-type-options'), 'nosniff', path);
      }
    });

    test('the web app manifest names the store, starts at My account and uses the logo', async () => {
      const manifest = await createClient(app.url).get('/manifest.webmanifest');
      assert.equal(manifest.status, 200);
      assert.match(manifest.headers.get('content-type')!, /^application\/manifest\+json/);
      const body = JSON.parse(manifest.text);
      assert.equal(body.name, 'Harbour Books');
      assert.equal(body.start_url, '/account');
      assert.equal(body.theme_color, '#0a4f8a');
      assert.deepEqual(body.icons, [{ src: '/favicon.ico', type: 'image/svg+xml', sizes: 'any' }]);
    });

    test('every email has the store’s colour and its help, terms and privacy links, in the HTML and the text part', async () => {
      const browser = createClient(app.url);
      await browser.get('/register');
      const started = new Date();
      const posted = await browser.post('/register', { email: 'brand.mail@example.com', login_name: 'brand_mail', password: PASSWORD, password_confirmation: PASSWORD });
      assert.equal(posted.status, 303);
      await app.mailedCodeFor('brand.mail@example.com', started);
      const mail = app.mail.messages().find((message) => message.to === 'brand.mail@example.com')!;
      assert.match(mail.html, /background:#0a4f8a;color:#ffffff;[^"]*">Harbour Books</, 'the header band');
      assert.doesNotMatch(mail.html, /#d2381f/, 'no house red left');
      for (const [label, url] of [['Help and support', 'https://harbour.example/help'], ['Terms of use', 'https://harbour.example/terms'], ['Privacy policy', 'https://harbour.example/privacy']]) {
        assert.ok(mail.html.includes(`<a href="${url}" style="color:#52525b;text-decoration:underline;">${label}</a>`), `html: ${label}`);
        assert.ok(mail.text.includes(`\n${label}: ${url}\n`), `text: ${label}`);
      }
    });
  });

  describe(`a store with a PNG logo (${dialect})`, () => {
    // 3×2 pixels: the manifest gives the size, so an install prompt knows what it gets.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000030000000208060000009db0d0fa0000001049444154789c63f8cfc0f09f818181000007f201fe2fd1e2c30000000049454e44ae426082', 'hex');
    const pngFile = join(mkdtempSync(join(tmpdir(), 'gh-brand-png-')), 'logo.png');
    writeFileSync(pngFile, png);
    const app = gatehouseForSuite(dialect, { env: { STORE_NAME: 'Harbour Books', BRAND_LOGO: pngFile } });

    test('the manifest gives a PNG logo’s own size, and /favicon.ico is that PNG', async () => {
      const client = createClient(app.url);
      const body = JSON.parse((await client.get('/manifest.webmanifest')).text);
      assert.deepEqual(body.icons, [{ src: '/favicon.ico', type: 'image/png', sizes: '3x2' }]);
      const icon = await client.get('/favicon.ico');
      assert.equal(icon.headers.get('content-type'), 'image/png');
    });
  });

  describe(`a store without a brand (${dialect})`, () => {
    const app = gatehouseForSuite(dialect);

    test('the files every visitor shares are cacheable and set no cookie, so no shared cache can hand one browser id to many; a page sets it', async () => {
      for (const path of ['/favicon.ico', '/manifest.webmanifest', '/static/app.css', '/static/enhance.js']) {
        const response = await fetch(new URL(path, app.url));
        assert.equal(response.status, 200, path);
        assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/, `${path} is cacheable`);
        assert.deepEqual(response.headers.getSetCookie(), [], `${path} sets no cookie`);
      }
      const page = await fetch(new URL('/login', app.url));
      assert.ok(page.headers.getSetCookie().some((line) => line.startsWith('__Host-gh_browser=')), 'the sign-in page binds the browser');
    });

    test('pages keep the house colours and have no store links, and /favicon.ico answers with the letter mark instead of a 404', async () => {
      const client = createClient(app.url);
      const page = await client.get('/login');
      assert.ok(!page.text.includes('/static/brand.css'), 'no brand stylesheet');
      assert.ok(!page.text.includes('store-links'), 'no empty link list');
      assert.match(page.text, /<span class="brand-mark" aria-hidden="true">G<\/span>/);
      const icon = await client.get('/favicon.ico');
      assert.equal(icon.status, 200);
      assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
      assert.match(icon.text, /fill="#d2381f"\/><text [^>]*>&#71;<\/text><\/svg>$/);
    });
  });
}
