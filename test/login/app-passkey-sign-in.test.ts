// The store's app signs in with a passkey over the JSON API (issue 10, item 5): options with a
// signInId that binds the challenge, then the platform's answer for 201 { token, expiresAt } — the
// same answer as the app's password sign-in. Unknown and removed passkeys answer alike; a replay,
// another signInId and a browser's challenge are refused; bad input is a 4xx that changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { signedInShopper, startClockedGatehouse } from '../factors/factors-kit.ts';
import { addPasskey, authenticatorFor } from '../passkeys/passkey-page-kit.ts';
import { api } from '../qr-login/qr-kit.ts';
import { createClient } from '../harness/http-client.ts';
import { requestOptionsIn, sessionRows } from './passkey-sign-in-kit.ts';

const OPTIONS = '/api/v1/app/sessions/passkey/options';
const SIGN_IN = '/api/v1/app/sessions/passkey';

for (const dialect of testDialects) {
  describe(`App API: sign in with a passkey (${dialect})`, { timeout: 120_000 }, () => {
    test('the app signs in with a passkey: options and a signInId, then 201 { token, expiresAt } for a 30-day app session recorded as passkey', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'app.signs.in@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const started = await api(app, undefined, OPTIONS, {});
      assert.equal(started.status, 200, started.text);
      assert.match(started.json.signInId, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(started.json.options.userVerification, 'required');
      assert.deepEqual(started.json.options.allowCredentials ?? [], []);
      const signedIn = await api(app, undefined, SIGN_IN, { signInId: started.json.signInId, response: authenticator.authenticate(started.json.options) });
      assert.equal(signedIn.status, 201, signedIn.text);
      assert.deepEqual(Object.keys(signedIn.json).sort(), ['expiresAt', 'token']);
      assert.equal(Date.parse(signedIn.json.expiresAt), clock.now() + 30 * 24 * 3600 * 1000);
      const who = await api(app, signedIn.json.token, '/api/v1/whoami', undefined, 'GET');
      assert.equal(who.json.session.kind, 'app');
      assert.equal(who.json.session.authenticatedVia, 'passkey');
    });

    test('app: a removed passkey is refused exactly like an unknown one (401 passkey.not_accepted, same words)', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'app.removed@example.com');
      const removed = await addPasskey(app, shopper);
      const [row] = await app.gatehouse.services.passkeyStore.listForAccount(shopper.id);
      assert.equal((await shopper.browser.post('/account/security/passkeys/remove', { id: row!.id })).status, 303);
      // A credential this Gatehouse never registered: made from real creation options, never sent back.
      const unknown = authenticatorFor(app);
      const creation = await app.gatehouse.services.passkeys.registrationOptions({ accountId: shopper.id, browserId: 'elsewhere', userName: shopper.email });
      assert.ok(creation.ok);
      unknown.register(creation.options);
      const answers = [];
      for (const authenticator of [removed.authenticator, unknown]) {
        const started = await api(app, undefined, OPTIONS, {});
        const refused = await api(app, undefined, SIGN_IN, { signInId: started.json.signInId, response: authenticator.authenticate(started.json.options) });
        answers.push({ status: refused.status, body: refused.json });
      }
      assert.deepEqual(answers[0], { status: 401, body: { error: { code: 'passkey.not_accepted', message: 'That passkey was not accepted.' } } });
      assert.deepEqual(answers[1], answers[0]);
    });

    test('app: a replayed answer, another signInId, or a browser page’s challenge is refused', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'app.replay@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const first = await api(app, undefined, OPTIONS, {});
      const second = await api(app, undefined, OPTIONS, {});
      const answer = authenticator.authenticate(first.json.options);
      assert.equal((await api(app, undefined, SIGN_IN, { signInId: second.json.signInId, response: answer })).status, 410, 'another signInId');
      assert.equal((await api(app, undefined, SIGN_IN, { signInId: first.json.signInId, response: answer })).status, 201);
      assert.equal((await api(app, undefined, SIGN_IN, { signInId: first.json.signInId, response: answer })).status, 410, 'replayed');
      const browser = createClient(app.url);
      const browserAnswer = authenticator.authenticate(requestOptionsIn((await browser.get('/login')).text));
      const browserId = browser.jar.get('__Host-gh_browser')!;
      assert.equal((await api(app, undefined, SIGN_IN, { signInId: browserId, response: browserAnswer })).status, 410, 'a browser’s challenge is not the app’s');
    });

    test('app: bad input (malformed JSON, wrong types, extra fields, bad base64url, a huge body) gets a 4xx with a message and changes nothing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'app.bad@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      const started = await api(app, undefined, OPTIONS, {});
      const good = authenticator.authenticate(started.json.options);
      const before = JSON.stringify(await sessionRows(app));
      const bodies: unknown[] = [
        '{"signInId": ',
        { signInId: 42, response: good },
        { signInId: started.json.signInId },
        { signInId: started.json.signInId, response: good, extra: true },
        { signInId: 'short', response: good },
        { signInId: started.json.signInId, response: 'text' },
        { signInId: started.json.signInId, response: { ...good, response: { ...good.response, signature: '***' } } },
        { signInId: started.json.signInId, response: { ...good, rawId: 'other' } },
        { signInId: started.json.signInId, response: { ...good, response: { ...good.response, clientDataJSON: 'A'.repeat(60_000) } } },
        JSON.stringify({ signInId: started.json.signInId, response: good, pad: 'x'.repeat(70_000) }),
        [good],
      ];
      for (const body of bodies) {
        const answer = await api(app, undefined, SIGN_IN, body);
        assert.ok(answer.status >= 400 && answer.status < 500, `${JSON.stringify(body).slice(0, 60)} → ${answer.status}`);
        assert.equal(typeof answer.json?.error?.message, 'string', `a message for ${JSON.stringify(body).slice(0, 60)}`);
      }
      assert.ok((await api(app, undefined, OPTIONS, '{oops')).status === 400);
      assert.ok((await api(app, undefined, OPTIONS, { anything: 1 })).status === 400);
      assert.equal(JSON.stringify(await sessionRows(app)), before);
      assert.equal((await api(app, undefined, SIGN_IN, { signInId: started.json.signInId, response: good })).status, 201, 'nothing above used the challenge');
    });
  });
}
