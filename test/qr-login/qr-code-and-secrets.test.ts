// What the QR shows and what is kept (DESIGN.md §4): the QR is only <PUBLIC_URL>/qr/<256-bit token>,
// the browser's separate secret sits in an HttpOnly __Host- cookie, and the database holds only
// SHA-256 hashes of both.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { addAccount, appSignIn, newBrowser, QR_COOKIE, qrRow, scanAndConfirm, showQr, startQrGatehouse } from './qr-kit.ts';

const PUBLIC_URL = 'https://shop.example.test';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Every cell of every table, as text. */
async function everyStoredValue(app: TestGatehouse): Promise<string[]> {
  const { db } = app.gatehouse.services;
  const tables = await db.introspection.getTables();
  assert.ok(tables.some((t) => t.name === 'qr_login_requests'));
  const values: string[] = [];
  for (const table of tables) {
    const rows = await db.selectFrom(table.name as 'accounts').selectAll().execute();
    for (const row of rows) for (const value of Object.values(row)) if (value !== null) values.push(String(value));
  }
  return values;
}

const svgOf = (html: string) => /<div class="qr-code"[^>]*data-qr-image="">([\s\S]*?<\/svg>)/.exec(html)?.[1];

for (const dialect of testDialects) {
  describe(`QR code and stored secrets on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startQrGatehouse(dialect, { env: { PUBLIC_URL } });
      await addAccount(app, { email: 'hashes@example.com', loginName: 'hashes' });
    });
    after(() => app.close());

    test('the QR holds only <PUBLIC_URL>/qr/<token> with a 256-bit base64url token, and its SVG is exactly that link', async () => {
      const browser = newBrowser(app.url);
      const { token, html } = await showQr(browser);
      assert.match(token, TOKEN_SHAPE);
      assert.equal(Buffer.from(token, 'base64url').length, 32, '256 bits');
      assert.equal(Buffer.from(token, 'base64url').toString('base64url'), token, 'canonical base64url');
      const url = `${PUBLIC_URL}/qr/${token}`;
      assert.match(html, new RegExp(`<a href="${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" data-qr-link="">`), 'the same-device link is the QR content');

      const svg = svgOf(html);
      assert.ok(svg, 'the page shows the QR as inline SVG');
      // The qrcode library is deterministic: the page's SVG is the QR of the URL and of nothing else.
      assert.equal(svg, (await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })).trimEnd());
      assert.ok(!svg.includes(token), 'the SVG is an image, no text');

      // A renewed QR (the page's script asks when the shown one ran out): same shape, new token.
      const renewed = await browser.post('/qr/requests', {}, { headers: { accept: 'application/json' } });
      assert.equal(renewed.status, 200);
      const body = JSON.parse(renewed.text) as { svg: string; url: string; expiresAt: number };
      assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'requestId', 'svg', 'url']);
      const renewedToken = body.url.slice(`${PUBLIC_URL}/qr/`.length);
      assert.equal(body.url, `${PUBLIC_URL}/qr/${renewedToken}`);
      assert.match(renewedToken, TOKEN_SHAPE);
      assert.notEqual(renewedToken, token);
      assert.equal(body.svg.trimEnd(), (await QRCode.toString(body.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })).trimEnd());
    });

    test('the QR secret cookie __Host-gh_qr is HttpOnly, Secure, SameSite=Lax, Path=/, and is not the token', async () => {
      const browser = newBrowser(app.url);
      const page = await browser.get('/login');
      const line = page.headers.getSetCookie().find((c) => c.startsWith(`${QR_COOKIE}=`));
      assert.ok(line, 'GET /login sets the QR secret cookie');
      const attributes = line.split(';').slice(1).map((a) => a.trim().toLowerCase());
      assert.ok(attributes.includes('httponly'), line);
      assert.ok(attributes.includes('secure'), line);
      assert.ok(attributes.includes('samesite=lax'), line);
      assert.ok(attributes.includes('path=/'), line);
      assert.ok(!attributes.some((a) => a.startsWith('domain=')), '__Host- cookies carry no Domain');
      const secret = browser.qrSecret()!;
      assert.match(secret, TOKEN_SHAPE);
      assert.equal(Buffer.from(secret, 'base64url').length, 32);
      const token = /\/qr\/([A-Za-z0-9_-]{43})" data-qr-link/.exec(page.text)![1]!;
      assert.notEqual(secret, token);
      assert.ok(!page.text.includes(secret), 'the secret is never in the page (script cannot read it either)');
    });

    test('only SHA-256 hashes of the QR token and the browser secret are stored, at every step', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const secret = browser.qrSecret()!;
      const forms = [token, secret, Buffer.from(token, 'base64url').toString('hex'), Buffer.from(secret, 'base64url').toString('hex')];
      const assertNoRawValues = async (step: string) => {
        const values = await everyStoredValue(app);
        for (const form of forms) assert.ok(!values.some((v) => v.includes(form)), `${step}: a raw token or secret is stored`);
      };

      const row = await qrRow(app, token);
      assert.equal(row.token_hash, sha256Hex(token));
      assert.equal(row.secret_hash, sha256Hex(secret));
      assert.match(row.token_hash, /^[0-9a-f]{64}$/);
      await assertNoRawValues('pending');

      const bearer = await appSignIn(app, 'hashes');
      await scanAndConfirm(app, bearer, token);
      await assertNoRawValues('approved');

      const done = await browser.post('/qr/complete', {});
      assert.equal(done.status, 303);
      await assertNoRawValues('consumed');
      const consumed = await qrRow(app, token);
      assert.equal(consumed.state, 'consumed');
      assert.equal(consumed.token_hash, sha256Hex(token));
      assert.equal(consumed.secret_hash, sha256Hex(secret));
      assert.equal(browser.qrSecret(), undefined, 'completion clears the QR secret cookie');
    });
  });
}
