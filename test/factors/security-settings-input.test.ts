// Bad input on the new forms (My account → Security and the second step of sign-in): no CSRF token,
// a foreign Origin, wrong types, repeated fields, huge values, odd flow ids and odd codes get a
// clear 4xx, never a 500, and change nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { sessionSetCookie } from '../security/kit.ts';
import {
  addPhone,
  enrollAuthenticator,
  factorState,
  passwordStep,
  sessionCount,
  signedInShopper,
  startClockedGatehouse,
  startPhone,
  STEP_MS,
  turnOnTwoStep,
  type ManualClock,
  type Shopper,
} from './factors-kit.ts';

/** A shopper with every factor and two-step on, a pending phone set-up, a pending authenticator set-up, and a second step waiting in another browser. */
async function everything(app: TestGatehouse, clock: ManualClock, email: string) {
  const shopper = await signedInShopper(app, email);
  await addPhone(app, shopper);
  await enrollAuthenticator(app, shopper);
  await turnOnTwoStep(shopper);
  clock.advance(2 * STEP_MS + 1000); // a fresh authenticator step, and the minute after the first number's text is over
  const phone = await startPhone(app, shopper, '+79123456712');
  const totpStart = await shopper.browser.post('/account/security/authenticator/start', {});
  const totpFlow = new URL(totpStart.location!, 'http://x').searchParams.get('flow')!;
  const signInBrowser = createClient(app.url);
  const signInFlow = (await passwordStep(app, signInBrowser, shopper.email, shopper.password)).flowId;
  return { shopper, phoneFlow: phone.flowId, totpFlow, signInBrowser, signInFlow };
}

/** Every new form, with fields that would do something if the request were accepted. */
function forms(s: { phoneFlow: string; totpFlow: string; signInFlow: string }): Array<[who: 'settings' | 'signin', path: string, fields: Record<string, string>]> {
  return [
    ['settings', '/account/confirm', { password: 'correct horse battery staple', return_to: '/account/security' }],
    ['settings', '/account/security/phone', { phone: '+447911123457' }],
    ['settings', '/account/security/phone/code', { flow: s.phoneFlow, code: '123456' }],
    ['settings', '/account/security/phone/resend', { flow: s.phoneFlow }],
    ['settings', '/account/security/phone/remove', {}],
    ['settings', '/account/security/authenticator/start', {}],
    ['settings', '/account/security/authenticator', { flow: s.totpFlow, code: '123456' }],
    ['settings', '/account/security/authenticator/remove', {}],
    ['settings', '/account/security/backup-codes', {}],
    ['settings', '/account/security/two-step', { on: '0' }],
    ['signin', '/login/verify/authenticator', { flow: s.signInFlow, code: '123456' }],
    ['signin', '/login/verify/backup-code', { flow: s.signInFlow, code: 'abcd-efgh' }],
    ['signin', '/login/verify/sms', { flow: s.signInFlow, code: '123456' }],
    ['signin', '/login/verify/sms/send', { flow: s.signInFlow }],
  ];
}

async function snapshot(app: TestGatehouse, shopper: Shopper) {
  const db = app.gatehouse.services.db;
  const flows = await db.selectFrom('flows').select(['id', 'state']).orderBy('id').execute();
  return JSON.stringify({ factors: await factorState(app, shopper.id), sessions: await sessionCount(app, shopper.id), flows, outbox: (await db.selectFrom('outbox').select('id').execute()).length });
}

for (const dialect of testDialects) {
  describe(`Second-factor forms: bad input (${dialect})`, { timeout: 60_000 }, () => {
    test('bad input: no CSRF token, a wrong one or a foreign Origin on the new forms → 403, nothing changed', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const setup = await everything(app, clock, 'csrf@example.com');
      const before = await snapshot(app, setup.shopper);
      for (const [who, path, fields] of forms(setup)) {
        const browser = who === 'settings' ? setup.shopper.browser : setup.signInBrowser;
        const missing = await browser.post(path, fields, { csrf: false });
        assert.equal(missing.status, 403, `${path} without a token`);
        const wrong = await browser.post(path, { ...fields, _csrf: 'x'.repeat(43) }, { csrf: false });
        assert.equal(wrong.status, 403, `${path} with a wrong token`);
        const foreign = await browser.post(path, fields, { headers: { origin: 'https://evil.example' } });
        assert.equal(foreign.status, 403, `${path} from another site`);
        assert.equal(sessionSetCookie(foreign), undefined);
      }
      assert.equal(await snapshot(app, setup.shopper), before);
    });

    test('bad input: repeated fields, huge values and non-form bodies → 4xx, never 500, nothing changed', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const setup = await everything(app, clock, 'shapes@example.com');
      const before = await snapshot(app, setup.shopper);
      for (const [who, path, fields] of forms(setup)) {
        const browser = who === 'settings' ? setup.shopper.browser : setup.signInBrowser;
        const form = (extra: string) => ({ body: `_csrf=${encodeURIComponent(browser.csrf)}&${extra}`, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(app.url).origin } });
        const names = Object.keys(fields);
        for (const name of names) {
          const huge = await browser.post(path, { ...fields, [name]: '9'.repeat(5000) });
          assert.ok(huge.status === 400 || huge.status === 413, `${path}: huge ${name} → ${huge.status}`);
          const rest = names.filter((n) => n !== name).map((n) => `${n}=${encodeURIComponent(fields[n]!)}`).join('&');
          const twice = await browser.raw('POST', path, form(`${name}=1&${name}=2${rest ? `&${rest}` : ''}`));
          assert.equal(twice.status, 400, `${path}: ${name} sent twice → ${twice.status}`);
        }
        const json = await browser.raw('POST', path, { body: JSON.stringify({ _csrf: browser.csrf, ...fields }), headers: { 'content-type': 'application/json', origin: new URL(app.url).origin } });
        assert.ok(json.status >= 400 && json.status < 500, `${path}: JSON → ${json.status}`);
        const giant = await browser.raw('POST', path, form(`x=${'a'.repeat(2_000_000)}`));
        assert.ok(giant.status === 413 || giant.status === 400, `${path}: 2 MB → ${giant.status}`);
      }
      assert.equal(await snapshot(app, setup.shopper), before);
    });

    test('bad input: odd flow ids and odd codes → 404 or 422, never 500, nothing changed', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const setup = await everything(app, clock, 'odd@example.com');
      const before = await snapshot(app, setup.shopper);
      const { shopper, signInBrowser } = setup;
      for (const flow of ['', 'not-a-flow', '../../etc/passwd', '00000000-0000-0000-0000-000000000000', `${setup.signInFlow}x`, "' OR 1=1 --"]) {
        for (const path of ['/account/security/phone/code', '/account/security/authenticator']) {
          assert.equal((await shopper.browser.get(`${path}?flow=${encodeURIComponent(flow)}`)).status, 404, `GET ${path} flow=${flow}`);
          assert.equal((await shopper.browser.post(path, { flow, code: '123456' })).status, 404, `POST ${path} flow=${flow}`);
        }
        for (const path of ['/login/verify/authenticator', '/login/verify/backup-code', '/login/verify/sms', '/login/verify/other-ways']) {
          assert.equal((await signInBrowser.get(`${path}?flow=${encodeURIComponent(flow)}`)).status, 404, `GET ${path} flow=${flow}`);
        }
        assert.equal((await signInBrowser.post('/login/verify/authenticator', { flow, code: '123456' })).status, 404);
      }
      assert.equal((await shopper.browser.get('/login/verify/authenticator?flow=a&flow=b')).status, 404, 'a repeated query parameter');
      // A settings flow is not a sign-in flow, and the other way round.
      assert.equal((await shopper.browser.post('/account/security/phone/code', { flow: setup.totpFlow, code: '123456' })).status, 404);
      assert.equal((await signInBrowser.post('/login/verify/authenticator', { flow: setup.phoneFlow, code: '123456' })).status, 404);
      const codes = ['１２３４５６', '12345\u0000', '<script>', '-12345', '1e5', '123 456 789', '٣٤٥٦٧٨', '\u202e654321'];
      for (const code of codes) {
        const totp = await signInBrowser.post('/login/verify/authenticator', { flow: setup.signInFlow, code });
        assert.ok([400, 410, 422].includes(totp.status), `authenticator "${code}" → ${totp.status}`);
        assert.ok(!totp.text.includes('<script>'), 'what was typed is never echoed unescaped');
      }
      for (const code of codes.slice(0, 4)) {
        const backup = await signInBrowser.post('/login/verify/backup-code', { flow: setup.signInFlow, code });
        assert.ok([400, 410, 422].includes(backup.status), `backup "${code}" → ${backup.status}`);
        const phone = await shopper.browser.post('/account/security/phone/code', { flow: setup.phoneFlow, code });
        assert.ok([400, 410, 422].includes(phone.status), `phone code "${code}" → ${phone.status}`);
      }
      for (const phone of ['+\u0000447911123456', '+44 7911 123456 ext. 12', '+'.repeat(32)]) {
        const response = await shopper.browser.post('/account/security/phone', { phone });
        assert.ok([400, 422].includes(response.status), `phone "${phone}" → ${response.status}`);
      }
      const after = JSON.parse(await snapshot(app, shopper));
      const was = JSON.parse(before);
      assert.equal(after.factors, was.factors, 'no factor changed');
      assert.equal(after.sessions, was.sessions, 'no session made');
      assert.equal(after.outbox, was.outbox, 'nothing sent');
    });
  });
}
