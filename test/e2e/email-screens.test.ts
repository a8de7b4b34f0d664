// Every HTML email as a shopper's mail client shows it: rendered in Chromium at 600 px (a desktop
// client's reading pane) and 360 px (a small phone), in English and Russian, in the light and the
// dark colour scheme, with a store's brand, into test-results/screens/email-*.png. Each render
// checks what a person would look for: nothing scrolls sideways or is cut off, every text meets
// WCAG AA contrast on what it sits on, the code is big,
// whole on one line and selected by one tap, and every button is inside the card.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, screenshot, type Browser } from '../harness/browser.ts';
import { loadConfig } from '../../src/config/config.ts';
import { emailTemplateNames, renderEmailTemplate } from '../../src/courier/templates/email-templates.ts';
import { locales } from '../../src/shared/i18n.ts';

const brand = loadConfig({ BRAND_COLOR: '#0b6e69', SUPPORT_URL: 'https://harbour.example/help', TERMS_URL: 'https://harbour.example/terms', PRIVACY_URL: 'https://harbour.example/privacy' }).brand;
// Long values on purpose: a long store name, a long device line, a long URL.
const data = {
  code: '048213',
  storeName: 'Harbour Books & Antique Maps',
  minutes: 10,
  signInUrl: 'https://account.harbour-books-and-antique-maps.example/login',
  recoveryUrl: 'https://account.harbour-books-and-antique-maps.example/recovery',
  secureUrl: 'https://account.harbour-books-and-antique-maps.example/recovery',
  time: '15 January 2026, 12:00 UTC',
  device: 'Chrome 126 on Windows 10 (64-bit), Samsung Internet 25 on Android 14',
  place: 'Saint Petersburg, Russia (approximate, from the network address)',
  change: 'phone_added',
  detail: '+44 •••• ••••56',
  name: 'iCloud Keychain on the family iPad',
};

describe('emails by eye', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  test('every email at 600 and 360 px, English and Russian, light and dark: nothing cut off, the code whole and one tap to select', async () => {
    let shots = 0;
    for (const width of [600, 360]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme, javaScriptEnabled: false });
        const page = await context.newPage();
        for (const locale of locales) {
          for (const name of emailTemplateNames) {
            const mail = renderEmailTemplate(name, locale, data, brand);
            await page.setContent(mail.html);
            // tsx/esbuild keep function names with a __name() helper the page does not have.
            await page.evaluate('window.__name = (f) => f');
            const where = `${name} ${locale} ${width}px ${colorScheme}`;
            const layout = await page.evaluate(() => {
              const root = document.documentElement;
              const outside = [...document.querySelectorAll('body *')].filter((element) => {
                const box = element.getBoundingClientRect();
                return box.width > 0 && (box.left < -0.5 || box.right > root.clientWidth + 0.5);
              });
              // WCAG contrast of each piece of text against the background it sits on.
              const rgb = (value: string) => (value.match(/[\d.]+/g) ?? []).map(Number);
              const lum = ([r, g, b]: number[]) => [r!, g!, b!].map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
              const faint: string[] = [];
              for (const element of document.querySelectorAll('body *')) {
                if (![...element.childNodes].some((node) => node.nodeType === 3 && node.textContent!.trim() !== '')) continue;
                let behind: Element | null = element;
                while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
                const style = getComputedStyle(element);
                const [a, b] = [lum(rgb(style.color)), lum(rgb(behind ? getComputedStyle(behind).backgroundColor : 'rgb(255,255,255)'))];
                const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
                if (ratio < (large ? 3 : 4.5)) faint.push(`${(element.textContent ?? '').trim().slice(0, 30)} (${ratio.toFixed(2)}:1)`);
              }
              const code = [...document.querySelectorAll('div')].find((element) => /^\d{6}$/.test(element.textContent ?? '') && element.children.length === 0);
              const codeBox = code?.getBoundingClientRect();
              return {
                faint,
                scrollWidth: root.scrollWidth,
                clientWidth: root.clientWidth,
                outside: outside.map((element) => element.tagName + ':' + (element.textContent ?? '').slice(0, 30)),
                code: code && { text: code.textContent, fontSize: parseFloat(getComputedStyle(code).fontSize), userSelect: getComputedStyle(code).userSelect, oneLine: codeBox!.height < parseFloat(getComputedStyle(code).fontSize) * 2.5 },
              };
            });
            assert.ok(layout.scrollWidth <= layout.clientWidth, `${where}: scrolls sideways (${layout.scrollWidth} > ${layout.clientWidth})`);
            assert.deepEqual(layout.outside, [], `${where}: nothing outside the screen`);
            assert.deepEqual(layout.faint, [], `${where}: every text meets WCAG AA contrast`);
            if (mail.text.includes(data.code)) {
              assert.ok(layout.code, `${where}: the code has its own block`);
              assert.deepEqual([layout.code.text, layout.code.userSelect, layout.code.oneLine], [data.code, 'all', true], `${where}: the code whole, on one line, one tap selects it`);
              assert.ok(layout.code.fontSize >= 28, `${where}: the code is big (${layout.code.fontSize}px)`);
            }
            await screenshot(page, `email-${name}-${locale}-${width}-${colorScheme}`);
            shots += 1;
          }
        }
        await context.close();
      }
    }
    assert.equal(shots, emailTemplateNames.length * locales.length * 4);
  });
});
