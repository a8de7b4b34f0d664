// The store's app registers passkeys over the JSON API with its bearer token: options (needing a
// fresh proof — a password sign-in under 10 minutes old, or the password sent along, which
// renews the token), the platform's answer, the list and removal; bad input is a 4xx.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { GOOD_PASSWORD, makeAccount } from '../security/kit.ts';
import { api, appSignIn } from '../qr-login/qr-kit.ts';
import { REVERIFY_WINDOW_MS, startClockedGatehouse } from '../factors/factors-kit.ts';
import { authenticatorFor, passkeyRows } from './passkey-page-kit.ts';

for (const dialect of testDialects) {
  describe(`App API: passkeys (${dialect})`, { timeout: 90_000 }, () => {
    test('the app gets creation options, registers the answer, lists and removes the passkey', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: 'app.passkey@example.com' });
      const token = await appSignIn(app, account.email, GOOD_PASSWORD);
      const options = await api(app, token, '/api/v1/app/passkeys/options', {});
      assert.equal(options.status, 200, options.text);
      assert.equal(options.json.options.rp.id, new URL(app.gatehouse.services.config.publicUrl).hostname);
      assert.equal(options.json.options.authenticatorSelection.userVerification, 'required');
      const answer = authenticatorFor(app).register(options.json.options);
      const added = await api(app, token, '/api/v1/app/passkeys', { response: answer });
      assert.equal(added.status, 201, added.text);
      assert.equal(added.json.passkey.synced, false);
      const list = await api(app, token, '/api/v1/app/passkeys', undefined, 'GET');
      assert.deepEqual(list.json.passkeys.map((p: { id: string }) => p.id), [added.json.passkey.id]);
      const removed = await api(app, token, '/api/v1/app/passkeys/remove', { id: added.json.passkey.id });
      assert.equal(removed.status, 204);
      assert.equal((await passkeyRows(app, account.id)).length, 0);
    });

    test('an app session older than 10 minutes must send the password: a wrong one is refused, a right one renews the token', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: 'stale.app@example.com' });
      const token = await appSignIn(app, account.email, GOOD_PASSWORD);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const stale = await api(app, token, '/api/v1/app/passkeys/options', {});
      assert.equal(stale.status, 403);
      assert.equal(stale.json.error.code, 'reverify.required');
      const wrong = await api(app, token, '/api/v1/app/passkeys/options', { password: 'not the password' });
      assert.equal(wrong.status, 401);
      const right = await api(app, token, '/api/v1/app/passkeys/options', { password: GOOD_PASSWORD });
      assert.equal(right.status, 200, right.text);
      assert.match(right.json.token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await api(app, token, '/api/v1/app/passkeys', undefined, 'GET')).status, 401, 'the old token stopped working');
      const answer = authenticatorFor(app).register(right.json.options);
      assert.equal((await api(app, right.json.token, '/api/v1/app/passkeys', { response: answer })).status, 201);
    });

    test('bad input to the app API — no token, malformed JSON, wrong types, bad base64url — is a 4xx and adds nothing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const account = await makeAccount(app, { email: 'bad.app@example.com' });
      const token = await appSignIn(app, account.email, GOOD_PASSWORD);
      assert.equal((await api(app, undefined, '/api/v1/app/passkeys/options', {})).status, 401);
      const options = await api(app, token, '/api/v1/app/passkeys/options', {});
      const answer = authenticatorFor(app).register(options.json.options);
      const bad = [
        '{"response": ',
        JSON.stringify({ response: 'text' }),
        JSON.stringify({ response: { ...answer, rawId: 5 } }),
        JSON.stringify({ response: { ...answer, response: { ...answer.response, attestationObject: '***' } } }),
        JSON.stringify({ other: 1 }),
      ];
      for (const body of bad) {
        const refused = await api(app, token, '/api/v1/app/passkeys', body);
        assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status} ${body.slice(0, 40)}`);
        assert.ok(refused.json?.error?.code, refused.text);
      }
      assert.equal((await passkeyRows(app, account.id)).length, 0);
      assert.equal((await api(app, token, '/api/v1/app/passkeys', { response: answer })).status, 201, 'the challenge was untouched');
    });
  });
}
