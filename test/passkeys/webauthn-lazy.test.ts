// test-groups: alone (see test/harness/test-groups.mjs)
// The WebAuthn library (with its ASN.1 and X.509 parsers, about 11 MiB of a node's memory) is
// loaded by the first passkey registration or check, not at start-up and not by the sign-in page,
// whose request options are plain JSON (passkeys/passkey-service.ts loadWebAuthn). A file of its
// own, so that nothing else in this process has loaded the library yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { signedInShopper, startClockedGatehouse } from '../factors/factors-kit.ts';
import { addPasskey } from './passkey-page-kit.ts';
import { requestOptionsIn, signInWithPasskey } from '../login/passkey-sign-in-kit.ts';
import { webAuthnLibraryLoads } from '../../src/passkeys/passkey-service.ts';

test('the WebAuthn library is loaded by the first passkey registration, once, and never by start-up or the sign-in page', async (t) => {
  const { app } = await startClockedGatehouse(testDialects[0]!);
  t.after(() => app.close());
  for (let i = 0; i < 2; i++) {
    const options = requestOptionsIn((await createClient(app.url).get('/login')).text);
    assert.match(options.challenge, /^[A-Za-z0-9_-]{43}$/, 'a 32-byte challenge, base64url');
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(options.allowCredentials, []);
  }
  assert.equal(webAuthnLibraryLoads(), 0, 'start-up and two sign-in pages loaded nothing');

  const shopper = await signedInShopper(app, 'lazy.library@example.com');
  const { authenticator } = await addPasskey(app, shopper);
  assert.equal(webAuthnLibraryLoads(), 1, 'the registration loaded it');
  const { response } = await signInWithPasskey(app, authenticator);
  assert.equal(response.status, 303, 'the page’s hand-written options sign in with the library’s verification');
  assert.equal(webAuthnLibraryLoads(), 1, 'once');
});
