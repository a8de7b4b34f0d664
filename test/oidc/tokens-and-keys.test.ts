// The provider's tokens and keys (issue 11), on SQLite and PostgreSQL: JWT access tokens for the
// store's API (RFC 9068) that a resource server checks on its own, key rotation across a reload,
// and the token endpoint's limits per client address and per app.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { makeAccount } from '../security/kit.ts';
import { authorizationRequest, browse, client, exchange, registerApp, type App } from './oidc-kit.ts';
import { basicClientId } from '../../src/oidc/oidc-routes.tsx';
import { publishedKeys, KEEP_RETIRED_MS } from '../../src/oidc/signing-keys.ts';

test('basic client authentication: the client_id is read as RFC 6749 §2.3.1 encodes it, and nothing else passes for one', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  assert.equal(basicClientId(basic('abc_DEF-1', 's3cret')), 'abc_DEF-1');
  assert.equal(basicClientId(basic('a b', 'x')), 'a b');
  assert.equal(basicClientId('Bearer abc'), undefined);
  assert.equal(basicClientId(undefined), undefined);
  assert.equal(basicClientId(`Basic ${Buffer.from(':secret').toString('base64')}`), undefined, 'no id');
  assert.equal(basicClientId(`Basic ${'A'.repeat(500)}`), undefined, 'too long');
});

test('published keys: the signing key comes first per algorithm, a pending one is published but does not sign, a retired one stays a day', () => {
  const now = 10_000_000_000;
  const rows = [
    { kid: 'old', activates_at: 0, retired_at: now + 1000, created_at: 1 },
    { kid: 'new', activates_at: now + 1000, retired_at: null, created_at: 2 },
    { kid: 'gone', activates_at: 0, retired_at: now - KEEP_RETIRED_MS - 1, created_at: 0 },
  ];
  assert.deepEqual(publishedKeys(rows, now).map((k) => [k.kid, k.signing]), [['old', true], ['new', false]]);
  assert.deepEqual(publishedKeys(rows, now + 1000).map((k) => [k.kid, k.signing]), [['new', true], ['old', false]]);
  assert.deepEqual(publishedKeys(rows, now + 1000 + KEEP_RETIRED_MS).map((k) => k.kid), ['new']);
});

for (const dialect of testDialects) {
  describe(`OpenID tokens and keys on ${dialect}`, () => {
    let app: TestGatehouse;
    let rp: App;
    let shoppers = 0;
    before(async () => {
      app = await startTestGatehouse(dialect, { env: { OIDC_TOKEN_REQUESTS_PER_ADDRESS: '1000', OIDC_TOKEN_REQUESTS_PER_CLIENT: '8' } });
      rp = await registerApp(app, { name: 'Seller centre', firstParty: true });
    });
    after(() => app?.close());

    async function tokensFor(extra: Record<string, string | undefined> = {}) {
      shoppers += 1;
      const account = await makeAccount(app, { email: `tokens.${shoppers}.${dialect}@example.com` });
      const browser = createClient(app.url);
      const authorization = await authorizationRequest(rp, extra);
      const walked = await browse(browser, authorization.url.href, { signIn: { identifier: account.email, password: account.password } });
      assert.ok(walked.back, walked.seen.join(' → '));
      return { account, tokens: await exchange(rp, authorization, walked.back) };
    }

    test('an access token for the store’s API is a JWT (RFC 9068, ES256, 10 minutes) that a resource server checks against the JWKS alone', async () => {
      const api = `${app.url}/api`;
      const { account, tokens } = await tokensFor({ resource: api, scope: 'openid email offline_access api' });
      const forApi = await client.refreshTokenGrant(rp.config, tokens.refresh_token!, { resource: api });
      const jwks = jose.createRemoteJWKSet(new URL(`${app.url}/oidc/jwks`));
      const { payload, protectedHeader } = await jose.jwtVerify(forApi.access_token, jwks, { issuer: app.url, audience: api, typ: 'at+jwt' });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, account.id);
      assert.equal(payload.client_id, rp.clientId);
      assert.equal(payload.exp! - payload.iat!, 600);
      // The opaque one (no resource) is the one userinfo takes.
      assert.equal(tokens.access_token.split('.').length, 1);
    });

    test('an app registered for RS256 gets RS256 ID tokens, checked against the same JWKS', async () => {
      const rsa = await registerApp(app, { name: 'RSA-only app', firstParty: true, idTokenAlg: 'RS256' });
      shoppers += 1;
      const account = await makeAccount(app, { email: `tokens.rsa.${shoppers}.${dialect}@example.com` });
      const browser = createClient(app.url);
      const authorization = await authorizationRequest(rsa);
      const walked = await browse(browser, authorization.url.href, { signIn: { identifier: account.email, password: account.password } });
      const tokens = await exchange(rsa, authorization, walked.back!);
      assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'RS256');
      const { payload } = await jose.jwtVerify(tokens.id_token!, jose.createRemoteJWKSet(new URL(`${app.url}/oidc/jwks`)), { issuer: app.url, audience: rsa.clientId });
      assert.equal(payload.sub, account.id);
    });

    test('keys rotate: the new pair is published at once, signs only from its time, and tokens signed before still verify', async () => {
      const { tokens: before } = await tokensFor();
      const oidc = app.gatehouse.services.oidc;
      const oldKid = jose.decodeProtectedHeader(before.id_token!).kid;
      const rotated = await oidc.keys.rotate(Date.now());
      assert.equal(await oidc.reloadKeys(), true, 'the node sees the change');
      const published = (await (await fetch(`${app.url}/oidc/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
      assert.deepEqual(new Set(published.keys.map((k) => k.kid)), new Set([oldKid!, ...rotated.added, ...rotated.retiring]));
      assert.ok(published.keys.every((k) => k.d === undefined), 'public halves only');
      const { tokens: during } = await tokensFor();
      assert.equal(jose.decodeProtectedHeader(during.id_token!).kid, oldKid, 'the old key signs until every node has the new one');
      await app.gatehouse.services.db.updateTable('oidc_keys').set({ activates_at: Date.now() - 1 }).where('kid', 'in', rotated.added).execute();
      await app.gatehouse.services.db.updateTable('oidc_keys').set({ retired_at: Date.now() - 1 }).where('kid', 'in', rotated.retiring).execute();
      assert.equal(await oidc.reloadKeys(), true);
      const { tokens: after } = await tokensFor();
      const newKid = jose.decodeProtectedHeader(after.id_token!).kid;
      assert.ok(rotated.added.includes(newKid!), `signed with a new key (${newKid})`);
      const jwks = jose.createRemoteJWKSet(new URL(`${app.url}/oidc/jwks`));
      await jose.jwtVerify(before.id_token!, jwks, { issuer: app.url, currentDate: new Date() });
      await jose.jwtVerify(after.id_token!, jwks, { issuer: app.url });
    });

    test('the token endpoint counts requests per app: past the limit a 429 with Retry-After, the spec’s error shape, and nothing issued', async () => {
      const { tokens } = await tokensFor();
      let refresh = tokens.refresh_token!;
      const answers: number[] = [];
      for (let i = 0; i < 10; i++) {
        try {
          refresh = (await client.refreshTokenGrant(rp.config, refresh)).refresh_token!;
          answers.push(200);
        } catch (error) {
          const status = (error as { status?: number }).status ?? (error as { cause?: Response }).cause?.status;
          answers.push(status ?? -1);
        }
      }
      assert.ok(answers.includes(429), `refused at some point: ${answers.join(' ')}`);
      const firstRefusal = answers.indexOf(429);
      assert.ok(answers.slice(firstRefusal).every((s) => s === 429), 'and from then on');
      const raw = await fetch(`${app.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }),
      });
      assert.equal(raw.status, 429);
      assert.ok(Number(raw.headers.get('retry-after')) > 0);
      assert.equal(((await raw.json()) as { error: string }).error, 'temporarily_unavailable');
      for (const path of ['/oidc/token/', '/oidc/TOKEN', '/oidc/token/introspection/', '/oidc/TOKEN/revocation']) {
        const variant = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}` }, body: 'token=x' });
        assert.equal(variant.status, 429, `${path} is the same endpoint to the provider, and counted alike`);
      }
    });
  });
}

for (const dialect of testDialects) {
  describe(`OpenID request limits per address on ${dialect}`, () => {
    let app: TestGatehouse;
    let rp: App;
    before(async () => {
      app = await startTestGatehouse(dialect, { env: { TRUST_PROXY: '1', OIDC_BROWSER_REQUESTS_PER_ADDRESS: '4', OIDC_TOKEN_REQUESTS_PER_CLIENT: '3' } });
      rp = await registerApp(app, { name: 'Seller centre', firstParty: true });
    });
    after(() => app?.close());
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const interactions = async () => (await app.gatehouse.services.db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Interaction').execute()).length;

    test('authorization requests are counted per client address (each stores an interaction): past the limit 429 and nothing stored; another address is not held up', async () => {
      const url = (await authorizationRequest(rp)).url;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url, { redirect: 'manual', headers: from('198.51.100.7') })).status);
      assert.deepEqual(statuses, [303, 303, 303, 303]);
      const stored = await interactions();
      const refused = await fetch(url, { redirect: 'manual', headers: from('198.51.100.7') });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal(await interactions(), stored, 'nothing stored');
      assert.equal((await fetch(url, { redirect: 'manual', headers: from('198.51.100.8') })).status, 303, 'another address');
    });

    test('a query value over 2 KB is refused before the provider stores anything', async () => {
      const stored = await interactions();
      const url = (await authorizationRequest(rp, { state: 'x'.repeat(3000) })).url;
      const refused = await fetch(url, { redirect: 'manual', headers: from('198.51.100.20') });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /data-oidc-error="invalid_request"/);
      assert.equal(await interactions(), stored);
    });

    test('guessing an app’s secret from elsewhere never locks the app out: the per-app count is per app and address', async () => {
      const post = (address: string, secret: string) =>
        fetch(`${app.url}/oidc/token`, { method: 'POST', headers: { ...from(address), 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${rp.clientId}:${secret}`).toString('base64')}` }, body: 'grant_type=refresh_token&refresh_token=x' });
      const guesses: number[] = [];
      for (let i = 0; i < 4; i++) guesses.push((await post('203.0.113.66', 'guess')).status);
      assert.deepEqual(guesses, [401, 401, 401, 429], 'the guesser is held up');
      const real = await post('192.0.2.10', rp.clientSecret!);
      assert.equal(real.status, 400, 'the app itself, from its own address, is answered (invalid_grant for a made-up token), not refused');
      assert.equal(((await real.json()) as { error: string }).error, 'invalid_grant');
    });
  });
}
