// Rules a security review of issue 4 found missing: a set-up's last step needs a fresh
// verification too, and an app's second step cannot be finished in a browser (or the reverse).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { flowIdFrom, sessionSetCookie } from '../security/kit.ts';
import { afterNow, appNow, factorState, oathtool, PHONE, REVERIFY_WINDOW_MS, signedInShopper, smsCodeFor, startClockedGatehouse, twoStepShopper } from './factors-kit.ts';

async function postJson(app: TestGatehouse, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, app.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

for (const dialect of testDialects) {
  describe(`security review findings (${dialect})`, { timeout: 60_000 }, () => {
    test('fresh verification: a set-up started in the window cannot be finished after it (authenticator and phone)', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'late-finish@example.com');
      const started = await shopper.browser.post('/account/security/authenticator/start', {});
      const totpFlow = flowIdFrom(started.location);
      const page = await shopper.browser.get(started.location!);
      const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(page.text)![1]!;
      const sentAfter = afterNow();
      const phoneStarted = await shopper.browser.post('/account/security/phone', { phone: PHONE });
      const phoneFlow = flowIdFrom(phoneStarted.location);
      const smsCode = await smsCodeFor(app, PHONE, sentAfter);

      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const shown = await shopper.browser.get(`/account/security/authenticator?flow=${totpFlow}`);
      assert.equal(shown.status, 303, 'the secret is not shown again');
      assert.match(shown.location ?? '', /^\/account\/confirm\?return_to=/);
      const totp = await shopper.browser.post('/account/security/authenticator', { flow: totpFlow, code: oathtool(secret, appNow(app)) });
      assert.equal(totp.status, 303);
      assert.match(totp.location ?? '', /^\/account\/confirm/);
      const phone = await shopper.browser.post('/account/security/phone/code', { flow: phoneFlow, code: smsCode });
      assert.equal(phone.status, 303);
      assert.match(phone.location ?? '', /^\/account\/confirm/);
      const state = JSON.parse(await factorState(app, shopper.id));
      assert.equal(state.totp, null, 'no authenticator was added');
      assert.equal(state.phone, null, 'no phone was added');
    });

    test('two-step: an app second-step flow cannot be finished in a browser, nor a browser flow through the app API', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'cross-channel@example.com');
      const asked = await postJson(app, '/api/v1/app/sessions', { identifier: shopper.email, password: shopper.password });
      assert.equal(asked.status, 401);
      const { flow, flowToken } = asked.body.secondStep;
      // A browser presenting the app's flowToken as its binding cookie.
      const browser = createClient(app.url);
      await browser.get('/login');
      browser.jar.set('__Host-gh_browser', flowToken);
      await browser.get('/login');
      const viaBrowser = await browser.post('/login/verify/authenticator', { flow, code: oathtool(shopper.secret, appNow(app)) });
      assert.equal(viaBrowser.status, 404, 'the app flow is not a browser flow');
      assert.equal(sessionSetCookie(viaBrowser), undefined);

      // The reverse: a browser's second step finished through the app API with its cookie as flowToken.
      clock.advance(30_000);
      const web = createClient(app.url);
      await web.get('/login');
      const password = await web.post('/login', { identifier: shopper.email, password: shopper.password });
      const webFlow = flowIdFrom(password.location);
      const viaApp = await postJson(app, '/api/v1/app/sessions/second-step', { flow: webFlow, flowToken: web.jar.get('__Host-gh_browser'), way: 'totp', code: oathtool(shopper.secret, appNow(app)) });
      assert.equal(viaApp.status, 404, 'the browser flow is not an app flow');
    });
  });
}
