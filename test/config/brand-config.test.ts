// BRAND_COLOR, BRAND_LOGO and the footer links are checked at start-up (src/config/brand.ts): a
// store finds out from one line naming the variable, not from a shopper who cannot read a button.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { refusal } from './config-refusal.ts';
import { contrastRatio, LOGO_MAX_BYTES } from '../../src/config/brand.ts';

/** A 1×1 PNG (signature, IHDR, IDAT, IEND), as any image tool writes it. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const SVG = '<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n';

function withFiles(t: { after(fn: () => void): void }): (name: string, bytes: Buffer | string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-brand-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (name, bytes) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
}

test('contrast is WCAG’s: black on white 21:1, white on white 1:1, #767676 on white 4.54:1', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
  assert.equal(contrastRatio('#767676', '#ffffff').toFixed(2), '4.54');
});

test('a brand colour white button text fails WCAG AA on stops start-up — #767676 (4.54:1) starts, #777777 (4.48:1) is refused with a shade that passes', () => {
  assert.equal(loadConfig({ BRAND_COLOR: '#767676' }).brand.colours?.brand, '#767676');
  const message = refusal({ BRAND_COLOR: '#777777' });
  assert.match(message, /^BRAND_COLOR #777777 is too light for white button text: contrast 4\.48:1, and WCAG AA asks for 4\.5:1; a darker shade of it that passes is (#[0-9a-f]{6})$/);
  const suggested = message.slice(-7);
  assert.ok(contrastRatio(suggested, '#ffffff') >= 4.5, `${suggested} passes`);
  assert.match(refusal({ BRAND_COLOR: '#ffcc00' }), /^BRAND_COLOR #ffcc00 is too light/);
});

test('a brand colour must be #rrggbb: names, short forms and CSS are refused', () => {
  for (const raw of ['red', '#fff', '0a6e4f', '#0a6e4g', '#0a6e4f; color: red', 'rgb(0,0,0)']) {
    assert.match(refusal({ BRAND_COLOR: raw }), /^BRAND_COLOR must be a colour like #0a6e4f/, raw);
  }
});

test('links and focus rings take the brand colour, darkened only as far as 4.5:1 on the grey page needs', () => {
  const dark = loadConfig({ BRAND_COLOR: '#0a4f8a' }).brand.colours!;
  assert.equal(dark.link, '#0a4f8a', 'dark enough already');
  const light = loadConfig({ BRAND_COLOR: '#767676' }).brand.colours!;
  assert.ok(contrastRatio(light.link, '#f4f5f7') >= 4.5);
  assert.notEqual(light.link, '#767676', 'darkened: 4.5:1 on white is not 4.5:1 on the page');
  assert.ok(contrastRatio(light.brandDark, '#ffffff') > contrastRatio(light.brand, '#ffffff'), 'hover is darker');
});

test('a logo over 512 KiB stops start-up; one of exactly 512 KiB starts', (t) => {
  const file = withFiles(t);
  const padded = (size: number) => Buffer.concat([TINY_PNG, Buffer.alloc(size - TINY_PNG.length)]);
  assert.equal(loadConfig({ BRAND_LOGO: file('max.png', padded(LOGO_MAX_BYTES)) }).brand.logo?.type, 'image/png');
  assert.match(refusal({ BRAND_LOGO: file('big.png', padded(LOGO_MAX_BYTES + 1)) }), /^BRAND_LOGO must be at most 512 KiB \(it is sent on every first visit\); .*big\.png is 513 KiB$/);
});

test('a logo that is not a readable PNG or SVG stops start-up: text, a JPEG, a cut-off PNG, an empty PNG, broken UTF-8, HTML, a missing file', (t) => {
  const file = withFiles(t);
  const unreadable = {
    'notes.png': 'just some text',
    'photo.png': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]),
    'cut.png': TINY_PNG.subarray(0, 20),
    'zero.png': Buffer.concat([TINY_PNG.subarray(0, 16), Buffer.alloc(8), TINY_PNG.subarray(24)]),
    'broken.svg': Buffer.concat([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">'), Buffer.from([0xc3, 0x28]), Buffer.from('</svg>')]),
    'page.svg': '<html><body><svg></svg></body></html>',
  };
  for (const [name, bytes] of Object.entries(unreadable)) {
    assert.match(refusal({ BRAND_LOGO: file(name, bytes) }), /^BRAND_LOGO must be a PNG or SVG image; .* is neither$/, name);
  }
  assert.match(refusal({ BRAND_LOGO: '/nonexistent/logo.png' }), /^BRAND_LOGO must be a PNG or SVG file Gatehouse can read; \/nonexistent\/logo\.png cannot be read$/);
});

test('a PNG and an SVG logo are read once at start-up, with their type', (t) => {
  const file = withFiles(t);
  const png = loadConfig({ BRAND_LOGO: file('logo.png', TINY_PNG) }).brand.logo!;
  assert.deepEqual([png.type, png.bytes.equals(TINY_PNG)], ['image/png', true]);
  assert.equal(loadConfig({ BRAND_LOGO: file('logo.svg', SVG) }).brand.logo!.type, 'image/svg+xml');
});

test('footer links must be http(s) addresses: SUPPORT_URL, TERMS_URL and PRIVACY_URL refuse javascript: and bare words', () => {
  for (const name of ['SUPPORT_URL', 'TERMS_URL', 'PRIVACY_URL']) {
    assert.match(refusal({ [name]: 'javascript:alert(1)' }), new RegExp(`^${name} must start with https:// or http://, got javascript:$`));
    assert.match(refusal({ [name]: 'help page' }), new RegExp(`^${name} must be an https:// or http:// address`));
  }
  const brand = loadConfig({ SUPPORT_URL: 'https://shop.example/help', TERMS_URL: 'https://shop.example/terms', PRIVACY_URL: 'http://shop.example/privacy' }).brand;
  assert.deepEqual([brand.supportUrl, brand.termsUrl, brand.privacyUrl], ['https://shop.example/help', 'https://shop.example/terms', 'http://shop.example/privacy']);
});
