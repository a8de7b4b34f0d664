// Smoke test: oidc-provider 9 mounted in Fastify 5 (hijacked routes, no body parsing), Kysely
// adapter on SQLite (Node 20) or the memory adapter (ADAPTER=memory), openid-client 6 as the RP.
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import Provider, { interactionPolicy, errors } from 'oidc-provider';
import * as jose from 'jose';
import * as client from 'openid-client';
import { Kysely, SqliteDialect } from 'kysely';
import { kyselyAdapterFactory, migrate } from './kysely-adapter.mjs';

const PORT = 39411;
const PUBLIC_URL = `http://localhost:${PORT}`;
const API = `${PUBLIC_URL}/api`;

async function privateJwk(alg, kid) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
}

let adapter;
if (process.env.ADAPTER !== 'memory') {
  const require = createRequire('/work/main/package.json');
  const Database = require('better-sqlite3');
  const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await migrate(db);
  adapter = kyselyAdapterFactory(db, { currentRequest: () => Provider.ctx?.req });
  globalThis.db = db;
}

const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check('gatehouse_session_gone', 'the Gatehouse session ended', (ctx) => {
  const gh = ctx.req.gatehouseAccountId; // what our Fastify hook resolved from the Gatehouse cookie
  return ctx.oidc.session.accountId !== undefined && gh !== ctx.oidc.session.accountId;
}));

const provider = new Provider(PUBLIC_URL, {
  adapter,
  clients: [{
    client_id: 'seller', client_secret: 'not-used-see-compare',
    redirect_uris: [`${PUBLIC_URL}/cb`], post_logout_redirect_uris: [`${PUBLIC_URL}/bye`],
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  responseTypes: ['code'],
  pkce: { required: () => true },
  cookies: { keys: ['k1-at-least-32-bytes-of-randomness!!'] },
  jwks: { keys: [await privateJwk('ES256', 'es-1'), await privateJwk('RS256', 'rs-1')] },
  enabledJWA: { idTokenSigningAlgValues: ['ES256', 'RS256'] },
  acrValues: ['urn:gatehouse:acr:1fa', 'urn:gatehouse:acr:2fa'],
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['preferred_username', 'locale'], acr: null, amr: null, auth_time: null, sid: null },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true, allowedPolicy: async (ctx, c, token) => token.clientId === c.clientId },
    introspection: { enabled: true, allowedPolicy: async (ctx, c, token) => token.clientId === c.clientId },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, c, oneOf) => oneOf,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (ctx, resource) => {
        if (resource !== API) throw new errors.InvalidTarget();
        return { scope: 'api:read', accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, RefreshToken: 14 * 86400, Interaction: 600, Session: 12 * 3600, Grant: 14 * 86400 },
  rotateRefreshToken: true,
  interactions: { policy, url: async (ctx, interaction) => `/oidc/interaction/${interaction.uid}` },
  routes: { authorization: '/oidc/auth', token: '/oidc/token', userinfo: '/oidc/me', jwks: '/oidc/jwks', revocation: '/oidc/token/revocation', introspection: '/oidc/token/introspection', end_session: '/oidc/session/end' },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    // first-party: grant silently what was asked
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile offline_access');
    grant.addResourceScope(API, 'api:read');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    return { accountId: sub, claims: async (use, scope) => ({ sub, email: 'a@example.test', email_verified: true, preferred_username: 'alice', locale: 'ru' }) };
  },
  async extraTokenClaims() { return undefined; },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
// Client secrets stored hashed: the provider awaits this prototype method (lib/shared/client_auth.js).
provider.Client.prototype.compareClientSecret = async function (actual) { return actual === 'the-real-secret'; };

const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (r, b, done) => done(null, Object.fromEntries(new URLSearchParams(b))));
app.addHook('onRequest', async (request) => {
  // stands in for Gatehouse's request context: a cookie "gh" names the signed-in account
  request.raw.gatehouseAccountId = /(?:^|; )gh=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  request.raw.gatehouseSessionId = request.raw.gatehouseAccountId ? `ghs-${request.raw.gatehouseAccountId}` : undefined;
});
const callback = provider.callback();
await app.register(async (oidc) => {
  // Leave the body stream unread: oidc-provider parses it itself (lib/shared/selective_body.js).
  oidc.removeAllContentTypeParsers();
  oidc.addContentTypeParser('*', (request, payload, done) => done(null));
  const handler = (request, reply) => { reply.hijack(); callback(request.raw, reply.raw); };
  for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oidc/*']) {
    oidc.route({ method: ['GET', 'POST', 'OPTIONS', 'HEAD'], url, handler });
  }
  // Our own interaction pages: more specific than /oidc/* so Fastify picks them.
  oidc.get('/oidc/interaction/:uid', async (request, reply) => {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    console.log('interaction', details.prompt.name, details.prompt.reasons, 'max_age', details.params.max_age);
    const accountId = request.raw.gatehouseAccountId;
    if (!accountId) return reply.redirect(`/login?return_to=${encodeURIComponent(request.url)}`, 303);
    reply.hijack();
    if (details.prompt.name === 'consent') {
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const d = details.prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [ind, sc] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(ind, sc.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(request.raw, reply.raw, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    }
    await provider.interactionFinished(request.raw, reply.raw, { login: { accountId, amr: ['pwd', 'otp'], acr: 'urn:gatehouse:acr:2fa', remember: false } }, { mergeWithLastSubmission: false });
  });
});
app.get('/login', async (request, reply) => {
  reply.header('set-cookie', 'gh=acct-1; Path=/; HttpOnly');
  return reply.redirect(request.query.return_to, 303);
});
app.get('/cb', async () => 'cb');
await app.listen({ port: PORT, host: '127.0.0.1' });

// --- the relying party ---
const jar = new Map();
async function browse(url) {
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const sc of res.headers.getSetCookie()) { const [kv] = sc.split(';'); const [k, v] = kv.split('='); if (v) jar.set(k, v); else jar.delete(k); }
    const loc = res.headers.get('location');
    if (!loc) return { url, status: res.status, body: await res.text() };
    url = new URL(loc, url).href;
    if (url.startsWith(`${PUBLIC_URL}/cb`)) return { url, status: res.status };
  }
  throw new Error('too many redirects');
}

try {
  const config = await client.discovery(new URL(PUBLIC_URL), 'seller', 'the-real-secret', undefined, { execute: [client.allowInsecureRequests] });
  const md = config.serverMetadata();
  console.log('issuer', md.issuer, 'pkce', md.code_challenge_methods_supported, 'algs', md.id_token_signing_alg_values_supported, 'auth', md.token_endpoint_auth_methods_supported);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState(); const nonce = client.randomNonce();
  const authUrl = client.buildAuthorizationUrl(config, { redirect_uri: `${PUBLIC_URL}/cb`, scope: 'openid email profile offline_access api:read', resource: API, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, prompt: 'consent' });
  const back = await browse(authUrl.href);
  console.log('callback', back.url.replace(/code=[^&]+/, 'code=…'));
  const tokens = await client.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const claims = tokens.claims();
  console.log('id_token claims', claims);
  console.log('id_token header', jose.decodeProtectedHeader(tokens.id_token));
  console.log('access_token is JWT?', tokens.access_token.split('.').length === 3, 'refresh', !!tokens.refresh_token);
  try { await client.fetchUserInfo(config, tokens.access_token, claims.sub); } catch (e) { console.log('userinfo with the JWT AT:', e.error ?? e.message); }
  // A second token for userinfo: refresh without resource gives an opaque userinfo token.
  const r1 = await client.refreshTokenGrant(config, tokens.refresh_token);
  console.log('refresh#1 AT is JWT?', r1.access_token.split('.').length === 3, 'rotated', r1.refresh_token !== tokens.refresh_token);
  console.log('userinfo', await client.fetchUserInfo(config, r1.access_token, claims.sub));
  const rj = await client.refreshTokenGrant(config, r1.refresh_token, { resource: API });
  console.log('refresh with resource → JWT AT', jose.decodeProtectedHeader(rj.access_token), jose.decodeJwt(rj.access_token));
  try { await client.tokenIntrospection(config, rj.access_token); } catch (e) { console.log('introspect JWT AT:', e.error, e.error_description); }
  r1.refresh_token = rj.refresh_token;
  console.log('introspect RT', (await client.tokenIntrospection(config, r1.refresh_token)).active);
  try { await client.refreshTokenGrant(config, tokens.refresh_token); } catch (e) { console.log('reuse of rotated RT:', e.error, e.error_description); }
  try { await client.refreshTokenGrant(config, r1.refresh_token); } catch (e) { console.log('newest RT after reuse:', e.error, e.error_description); }
  try { await client.fetchUserInfo(config, r1.access_token, claims.sub); } catch (e) { console.log('userinfo AT after reuse:', e.error ?? e.message); }
  if (globalThis.db) console.log('rows', await globalThis.db.selectFrom('oidc_payloads').select(['model', 'account_id', 'gatehouse_session_id']).execute());

  // PKCE plain must be refused; no PKCE must be refused.
  const plain = await browse(client.buildAuthorizationUrl(config, { redirect_uri: `${PUBLIC_URL}/cb`, scope: 'openid', code_challenge: verifier, code_challenge_method: 'plain', state }).href);
  console.log('plain PKCE ->', decodeURIComponent(new URL(plain.url).search));
  const none = await browse(client.buildAuthorizationUrl(config, { redirect_uri: `${PUBLIC_URL}/cb`, scope: 'openid', state }).href);
  console.log('no PKCE ->', decodeURIComponent(new URL(none.url).search));
  // max_age=0 → login prompt with reason max_age
  const v2 = client.randomPKCECodeVerifier();
  const again = await browse(client.buildAuthorizationUrl(config, { redirect_uri: `${PUBLIC_URL}/cb`, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(v2), code_challenge_method: 'S256', state, max_age: '0' }).href);
  console.log('max_age=0 ->', again.url.includes('code='));
  const t2 = await client.authorizationCodeGrant(config, new URL(again.url), { pkceCodeVerifier: v2, expectedState: state, maxAge: 0 });
  // code replay
  try { await client.authorizationCodeGrant(config, new URL(again.url), { pkceCodeVerifier: v2, expectedState: state }); } catch (e) { console.log('code replay:', e.error, e.error_description); }
  for (const [label, q] of [['unknown client', 'client_id=nope&response_type=code&scope=openid&redirect_uri=' + encodeURIComponent(PUBLIC_URL + '/cb')],
                             ['wrong redirect', 'client_id=seller&response_type=code&scope=openid&redirect_uri=' + encodeURIComponent('https://evil.example/cb')],
                             ['response_type=token', 'client_id=seller&response_type=token&scope=openid&state=s&redirect_uri=' + encodeURIComponent(PUBLIC_URL + '/cb')]]) {
    const r = await fetch(`${PUBLIC_URL}/oidc/auth?${q}`, { redirect: 'manual' });
    const body = await r.text();
    console.log(label, r.status, r.headers.get('location') ?? (body.match(/error<\/strong>: ([a-z_]+)/)?.[1]));
  }
  const logout = client.buildEndSessionUrl(config, { id_token_hint: t2.id_token, post_logout_redirect_uri: `${PUBLIC_URL}/bye` });
  const lo = await fetch(logout, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
  console.log('end_session status', lo.status, (await lo.text()).includes('form') ? 'confirm form' : '');
} finally {
  await app.close();
}
