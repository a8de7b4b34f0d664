// test-groups: alone (see test/harness/test-groups.mjs)
// oidc-provider (with Koa and jose, about 30 MB of a node) is loaded by the first request that
// needs it — discovery, an app's sign-in, a token — not at start-up and not by the pages every
// shopper sees (sign-in, Security with its "Apps with access"). A file of its own, so that
// nothing else in this process has built a provider yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import { signedInShopper } from '../factors/factors-kit.ts';
import { oidcProviderBuilds } from '../../src/oidc/oidc-service.ts';

test('the OpenID provider is built by the first request that needs it, once, and never by start-up, the sign-in page or Security', async (t) => {
  const app = await startTestGatehouse(testDialects[0]!);
  t.after(() => app.close());
  const shopper = await signedInShopper(app, 'lazy.provider@example.com');
  assert.equal((await shopper.browser.get('/account/security')).status, 200);
  assert.equal(oidcProviderBuilds(), 0, 'start-up, a sign-in and Security built none');
  const [first, second] = await Promise.all([fetch(`${app.url}/.well-known/openid-configuration`), fetch(`${app.url}/oidc/jwks`)]);
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.equal(oidcProviderBuilds(), 1, 'two requests at once: one build');
  assert.equal((await fetch(`${app.url}/.well-known/openid-configuration`)).status, 200);
  assert.equal(oidcProviderBuilds(), 1, 'once');
});
