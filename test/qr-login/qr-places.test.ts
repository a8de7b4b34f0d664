// The place a QR sign-in shows (issue 9 §1 "Place is always unknown"): the waiting browser's
// country from the bundled offline database, on the app's scan answer and in the account's
// "New sign-in" email in its own language; a local address still shows as unknown / the address.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, appSignIn, newBrowser, scanAndConfirm, showQr, startQrGatehouse } from './qr-kit.ts';

const afterNow = () => new Date(Date.now() + 1);

for (const dialect of testDialects) {
  describe(`the place of a QR sign-in, on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startQrGatehouse(dialect);
      await addAccount(app, { email: 'place.en@example.com', loginName: 'place_en', locale: 'en' });
      await addAccount(app, { email: 'place.ru@example.com', loginName: 'place_ru', locale: 'ru' });
    });
    after(() => app.close());

    test('the app’s scan names the waiting browser’s country (France for a French address); a local address stays "unknown"', async () => {
      const bearer = await appSignIn(app, 'place_en');
      for (const [address, place] of [['90.0.0.21', 'France'], ['2a02:6b8::21', 'Russia'], ['10.200.0.21', 'unknown']] as const) {
        const { token } = await showQr(newBrowser(app.url, { address }));
        const scanned = await api(app, bearer, '/api/v1/qr/scan', { token });
        assert.equal(scanned.status, 200, address);
        assert.equal(scanned.json.place, place, address);
        assert.equal(scanned.json.clientAddress, address);
      }
    });

    test('a browser in another country than the phone: the scan says so, and Confirm without the second “yes” signs nobody in (409), with it the browser signs in', async () => {
      const bearer = await appSignIn(app, 'place_en');
      const browser = newBrowser(app.url, { address: '90.0.0.31' });
      const { token } = await showQr(browser);
      const phoneInRussia = { 'x-forwarded-for': '77.88.8.31' };
      const scanned = await api(app, bearer, '/api/v1/qr/scan', { token }, 'POST', phoneInRussia);
      assert.equal(scanned.json.elsewhere, true);
      assert.equal(scanned.json.countryCode, 'FR');
      const first = await api(app, bearer, '/api/v1/qr/confirm', { token }, 'POST', phoneInRussia);
      assert.equal(first.status, 409);
      assert.equal(first.json.error.code, 'qr.elsewhere_unconfirmed');
      assert.equal((await browser.post('/qr/complete', {})).status, 409, 'the browser is not signed in');
      const second = await api(app, bearer, '/api/v1/qr/confirm', { token, confirmElsewhere: true }, 'POST', phoneInRussia);
      assert.equal(second.status, 200);
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
    });

    test('a browser in the phone’s own country: no warning, one Confirm is enough', async () => {
      const bearer = await appSignIn(app, 'place_en');
      const { token } = await showQr(newBrowser(app.url, { address: '90.0.0.41' }));
      const phoneInFrance = { 'x-forwarded-for': '2a01:cb00::41' };
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token }, 'POST', phoneInFrance)).json.elsewhere, false);
      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token }, 'POST', phoneInFrance)).status, 200);
    });

    for (const [locale, identifier, email, address, subject] of [
      ['en', 'place_en', 'place.en@example.com', '90.0.0.22', 'New sign-in from Chrome 126, Linux near France'],
      ['ru', 'place_ru', 'place.ru@example.com', '90.0.0.23', 'Новый вход: Chrome 126, Linux (Франция)'],
    ] as const) {
      test(`the "New sign-in" email names the browser’s country in the account’s language, not its address (${locale})`, async () => {
        const browser = newBrowser(app.url, { address });
        const { token } = await showQr(browser);
        const bearer = await appSignIn(app, identifier);
        assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).json.elsewhere, true, 'a French browser, a phone on a local network');
        assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token, confirmElsewhere: true })).status, 200, 'confirmed with the second, explicit yes');
        const since = afterNow();
        assert.equal((await browser.post('/qr/complete', {})).status, 303);
        const mail = await app.mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= since, 10_000);
        assert.equal(mail.subject, subject);
        assert.match(mail.text, locale === 'ru' ? /примерное место: Франция/ : /near France on /);
        assert.ok(!mail.text.includes(address), 'the address is not needed once the country is known');
      });
    }
  });
}
