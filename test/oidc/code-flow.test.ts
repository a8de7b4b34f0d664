// "Sign in with <Store>" (issue 11) with a real relying party, openid-client (panva), on SQLite and
// PostgreSQL: discovery, the code flow with PKCE through Gatehouse's own sign-in and consent
// pages, the ID token checked against the JWKS, userinfo, refresh rotation with reuse detection,
// introspection and revocation, and what Gatehouse's own sign-outs do to the app's tokens.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { makeAccount, type MadeAccount } from '../security/kit.ts';
import { setUserLocked } from '../../src/cli/user-commands.ts';
import { appSignIn, qrTokenIn, scanAndConfirm } from '../qr-login/qr-kit.ts';
import { AFTER_LOGOUT_URI, authorizationRequest, browse, client, errorOf, exchange, registerApp, REDIRECT_URI, type App } from './oidc-kit.ts';

for (const dialect of testDialects) {
  describe(`OpenID Connect provider on ${dialect}`, () => {
    let app: TestGatehouse;
    let thirdParty: App;
    let firstParty: App;
    let shoppers = 0;
    before(async () => {
      app = await startTestGatehouse(dialect);
      [thirdParty, firstParty] = await Promise.all([registerApp(app, { name: 'Partner forum' }), registerApp(app, { name: 'Seller centre', firstParty: true })]);
    });
    after(() => app?.close());

    async function shopper(): Promise<MadeAccount & { browser: Client }> {
      shoppers += 1;
      const account = await makeAccount(app, { email: `rp.${shoppers}.${dialect}@example.com`, loginName: `rp_${shoppers}_${dialect}` });
      return { ...account, browser: createClient(app.url) };
    }

    /** The whole code flow for a shopper; returns the tokens. */
    async function signInTo(rp: App, who: Awaited<ReturnType<typeof shopper>>, extra: Record<string, string | undefined> = {}) {
      const authorization = await authorizationRequest(rp, extra);
      const walked = await browse(who.browser, authorization.url.href, { signIn: { identifier: who.email, password: who.password }, consent: 'allow' });
      assert.ok(walked.back, `back at the app (${walked.seen.join(' → ')}): ${walked.response.status} ${walked.response.text.slice(0, 200)}`);
      return { tokens: await exchange(rp, authorization, walked.back), walked };
    }

    const payloads = (where: { account_id?: string; client_id?: string } = {}) => {
      let query = app.gatehouse.services.db.selectFrom('oidc_payloads').select(['model', 'id']);
      if (where.account_id) query = query.where('account_id', '=', where.account_id);
      if (where.client_id) query = query.where('client_id', '=', where.client_id);
      return query.execute();
    };

    test('discovery: the issuer is PUBLIC_URL, the code flow only, PKCE with S256 only, ES256 and RS256 ID tokens, no HS*', () => {
      const metadata = thirdParty.config.serverMetadata();
      assert.equal(metadata.issuer, app.url);
      assert.equal(metadata.authorization_endpoint, `${app.url}/oidc/auth`);
      assert.deepEqual(metadata.response_types_supported, ['code']);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['ES256', 'RS256']);
      assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
      for (const endpoint of ['token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint', 'end_session_endpoint'] as const) {
        assert.ok(String(metadata[endpoint]).startsWith(`${app.url}/oidc/`), `${endpoint}: ${metadata[endpoint]}`);
      }
    });

    test('code flow with PKCE: Gatehouse’s sign-in page names the app, a third-party app gets a consent page, and the ID token (ES256, checked against the JWKS) says who and how', async () => {
      const who = await shopper();
      const authorization = await authorizationRequest(thirdParty);
      const first = await browse(who.browser, authorization.url.href);
      assert.equal(first.response.status, 200);
      assert.match(first.response.text, /Sign in to continue to Partner forum\./, 'the sign-in page names the app by its registered name');
      const walked = await browse(who.browser, authorization.url.href, { signIn: { identifier: who.email, password: who.password } });
      assert.match(walked.response.text, /Allow Partner forum to see your account details\?/, 'then the consent page');
      assert.match(walked.response.text, /data-scope="email"/);
      const back = await browse(who.browser, authorization.url.href, { consent: 'allow' });
      assert.ok(back.back, 'allowed: back at the app');
      assert.equal(back.back.searchParams.get('state'), authorization.state, 'state passed back');
      assert.equal(back.back.searchParams.get('iss'), app.url, 'iss in the answer (RFC 9207)');
      const tokens = await exchange(thirdParty, authorization, back.back);
      const claims = tokens.claims()!;
      assert.equal(claims.sub, who.id);
      assert.equal(claims.email, who.email);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.preferred_username, `rp_${shoppers}_${dialect}`);
      assert.equal(claims.nonce, authorization.nonce);
      assert.deepEqual(claims.amr, ['pwd']);
      assert.equal(claims.acr, 'urn:gatehouse:acr:1fa');
      assert.ok(typeof claims.auth_time === 'number' && Math.abs(claims.auth_time - Date.now() / 1000) < 120, `auth_time ${claims.auth_time}`);
      assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
      const userinfo = await client.fetchUserInfo(thirdParty.config, tokens.access_token, who.id);
      assert.equal(userinfo.email, who.email);
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      const consent = await app.gatehouse.services.oidc.consents.scopesAllowed(who.id, thirdParty.clientId);
      assert.deepEqual(consent, ['email', 'offline_access', 'openid', 'profile'], 'the answer is remembered');
    });

    test('single sign-on: a first-party app in the same browser gets its code with no page at all; a remembered consent is not asked again', async () => {
      const who = await shopper();
      await signInTo(thirdParty, who);
      const sso = await browse(who.browser, (await authorizationRequest(firstParty)).url.href);
      assert.ok(sso.back?.searchParams.get('code'), `no sign-in, no consent: ${sso.seen.join(' → ')}`);
      assert.ok(!sso.seen.includes('/login'));
      // prompt=consent asks a third-party app's shopper every time; without it, the answer given once stands.
      const again = await browse(who.browser, (await authorizationRequest(thirdParty, { prompt: undefined, scope: 'openid email' })).url.href);
      assert.ok(again.back?.searchParams.get('code'), 'the consent given once is remembered');
    });

    test('prompt=login and max_age: a signed-in shopper is asked "Confirm it’s you" first, and auth_time moves', async () => {
      const who = await shopper();
      await signInTo(firstParty, who);
      const forced = await authorizationRequest(firstParty, { prompt: 'login consent' });
      const walked = await browse(who.browser, forced.url.href);
      assert.ok(!walked.back, 'not straight back');
      assert.ok(walked.seen.includes('/account/confirm'), `asked to confirm: ${walked.seen.join(' → ')}`);
      const returnTo = /name="return_to" value="([^"]+)"/.exec(walked.response.text)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(returnTo?.startsWith('/oidc/interaction/'), `the confirm page comes back to the app's sign-in: ${returnTo}`);
      const confirmed = await who.browser.post('/account/confirm', { password: who.password, return_to: returnTo! });
      assert.equal(confirmed.status, 303, `confirmed (${confirmed.status})`);
      const done = await browse(who.browser, confirmed.location!);
      assert.ok(done.back, `then back at the app: ${done.seen.join(' → ')}`);
      const tokens = await exchange(firstParty, forced, done.back);
      assert.ok(tokens.claims()!.auth_time! >= Math.floor(Date.now() / 1000) - 5, 'auth_time is the confirmation');
      // A forged stamp does not pass: the return address is signed.
      const forged = await authorizationRequest(firstParty, { prompt: 'login consent' });
      const started = await who.browser.get(forged.url.href);
      const interaction = started.location!;
      const bypass = await who.browser.get(`${interaction}?fresh=0000000000000.${'0'.repeat(32)}`);
      assert.match(bypass.location ?? '', /^\/account\/confirm/, 'a made-up stamp still asks');
    });

    test('the QR from the store’s app signs the shopper in to another app too: back at the app, amr mca and one factor', async () => {
      const who = await shopper();
      const authorization = await authorizationRequest(firstParty);
      const atLogin = await browse(who.browser, authorization.url.href);
      assert.match(atLogin.response.text, /Sign in to continue to Seller centre/);
      const token = qrTokenIn(atLogin.response.text);
      const requestId = /name="request" value="([^"]+)"/.exec(atLogin.response.text)?.[1];
      const returnTo = /<form method="post" action="\/qr\/complete"[\s\S]*?name="return_to" value="([^"]+)"/.exec(atLogin.response.text)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(token && requestId && returnTo?.startsWith('/oidc/interaction/'), 'the QR panel comes back to the app’s sign-in');
      await scanAndConfirm(app, await appSignIn(app, who.email, who.password), token);
      const completed = await who.browser.post('/qr/complete', { request: requestId!, return_to: returnTo! });
      assert.equal(completed.status, 303);
      assert.equal(completed.location, returnTo);
      const walked = await browse(who.browser, completed.location!);
      assert.ok(walked.back, walked.seen.join(' → '));
      const claims = (await exchange(firstParty, authorization, walked.back)).claims()!;
      assert.deepEqual(claims.amr, ['mca']);
      assert.equal(claims.acr, 'urn:gatehouse:acr:1fa');
    });

    test('consent covers what the shopper saw: an app allowed "openid email" gets no access to the store’s API by adding a resource, and asking for it shows the page again', async () => {
      const who = await shopper();
      const api = `${app.url}/api`;
      await signInTo(thirdParty, who, { scope: 'openid email', prompt: undefined });
      const sneaky = await browse(who.browser, (await authorizationRequest(thirdParty, { scope: 'openid email', prompt: undefined, resource: api })).url.href);
      assert.ok(sneaky.back, 'the remembered consent still signs in');
      const grants = await app.gatehouse.services.db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Grant').where('account_id', '=', who.id).execute();
      assert.ok(grants.length > 0);
      for (const grant of grants) assert.deepEqual(JSON.parse(grant.payload).resources ?? {}, {}, 'no API scope in any grant');
      const asking = await browse(who.browser, (await authorizationRequest(thirdParty, { scope: 'openid email api', prompt: undefined, resource: api })).url.href);
      assert.ok(!asking.back, 'not silently');
      assert.match(asking.response.text, /data-scope="api"/, 'the consent page names the API');
    });

    test('max_age: a sign-in older than the app allows goes through "Confirm it’s you"; a recent one does not', async () => {
      const who = await shopper();
      await signInTo(firstParty, who);
      const recent = await browse(who.browser, (await authorizationRequest(firstParty, { max_age: '300' })).url.href);
      assert.ok(recent.back, `within 300 s: straight back (${recent.seen.join(' → ')})`);
      // A minute ago, for Gatehouse's session and for the provider's record of the sign-in.
      const { db } = app.gatehouse.services;
      await db.updateTable('sessions').set((eb) => ({ created_at: eb('created_at', '-', 60_000) })).where('account_id', '=', who.id).execute();
      for (const row of await db.selectFrom('oidc_payloads').select(['id', 'payload']).where('model', '=', 'Session').where('account_id', '=', who.id).execute()) {
        const payload = JSON.parse(row.payload);
        payload.loginTs -= 60;
        await db.updateTable('oidc_payloads').set({ payload: JSON.stringify(payload) }).where('model', '=', 'Session').where('id', '=', row.id).execute();
      }
      const old = await browse(who.browser, (await authorizationRequest(firstParty, { max_age: '30' })).url.href);
      assert.ok(!old.back && old.seen.includes('/account/confirm'), `older than 30 s: confirm first (${old.seen.join(' → ')})`);
    });

    test('"Don’t allow" on the consent page: the app is told access_denied, and nothing is remembered', async () => {
      shoppers += 1;
      const account = await makeAccount(app, { email: `rp.deny.${shoppers}.${dialect}@example.com` });
      const browser = createClient(app.url);
      const authorization = await authorizationRequest(thirdParty);
      const walked = await browse(browser, authorization.url.href, { signIn: { identifier: account.email, password: account.password }, consent: 'deny' });
      assert.equal(walked.back?.searchParams.get('error'), 'access_denied');
      assert.equal(walked.back?.searchParams.get('state'), authorization.state);
      assert.equal(await app.gatehouse.services.oidc.consents.scopesAllowed(account.id, thirdParty.clientId), undefined);
    });

    test('refresh tokens rotate on every use; a used one presented again ends the whole grant (the newest refresh token and the access token too)', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(firstParty, who);
      const second = await client.refreshTokenGrant(firstParty.config, tokens.refresh_token!);
      assert.notEqual(second.refresh_token, tokens.refresh_token, 'rotated');
      const third = await client.refreshTokenGrant(firstParty.config, second.refresh_token!);
      assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, tokens.refresh_token!)), 'invalid_grant', 'the first one, used again');
      assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, third.refresh_token!)), 'invalid_grant', 'the newest is dead too');
      assert.equal(await errorOf(client.fetchUserInfo(firstParty.config, third.access_token, who.id)), 'invalid_token', 'and its access token');
    });

    test('a refresh token used twice at once: at most one request gets tokens, and the grant ends', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(firstParty, who);
      const results = await Promise.allSettled([1, 2, 3].map(() => client.refreshTokenGrant(firstParty.config, tokens.refresh_token!)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.ok(won.length <= 1, `${won.length} of 3 got tokens`);
      for (const r of won) assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, (r as PromiseFulfilledResult<any>).value.refresh_token)), 'invalid_grant');
    });

    test('a code works once: replayed, it is refused and the tokens it gave are revoked', async () => {
      const who = await shopper();
      const authorization = await authorizationRequest(firstParty);
      const walked = await browse(who.browser, authorization.url.href, { signIn: { identifier: who.email, password: who.password } });
      assert.ok(walked.back, walked.seen.join(' → '));
      const tokens = await exchange(firstParty, authorization, walked.back!);
      assert.equal(await errorOf(exchange(firstParty, authorization, walked.back!)), 'invalid_grant');
      assert.equal(await errorOf(client.fetchUserInfo(firstParty.config, tokens.access_token, who.id)), 'invalid_token');
      assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, tokens.refresh_token!)), 'invalid_grant');
    });

    test('a code lives 60 seconds: an expired one is refused (invalid_grant)', async () => {
      const who = await shopper();
      const authorization = await authorizationRequest(firstParty);
      const walked = await browse(who.browser, authorization.url.href, { signIn: { identifier: who.email, password: who.password } });
      await app.gatehouse.services.db.updateTable('oidc_payloads').set({ expires_at: Date.now() - 1 }).where('model', '=', 'AuthorizationCode').where('account_id', '=', who.id).execute();
      assert.equal(await errorOf(exchange(firstParty, authorization, walked.back!)), 'invalid_grant');
    });

    test('PKCE: a request without it or with plain is refused; a wrong verifier gets no tokens', async () => {
      const who = await shopper();
      await signInTo(firstParty, who);
      const base = { client_id: firstParty.clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, state: 's1' };
      const none = await browse(who.browser, `/oidc/auth?${new URLSearchParams(base)}`);
      assert.equal(none.back?.searchParams.get('error'), 'invalid_request', 'without PKCE');
      const plain = await browse(who.browser, `/oidc/auth?${new URLSearchParams({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })}`);
      assert.equal(plain.back?.searchParams.get('error'), 'invalid_request', 'plain');
      const authorization = await authorizationRequest(firstParty);
      const walked = await browse(who.browser, authorization.url.href);
      assert.equal(await errorOf(exchange(firstParty, { ...authorization, verifier: client.randomPKCECodeVerifier() }, walked.back!)), 'invalid_grant');
    });

    test('an unknown app, a redirect URI not registered exactly, and response_type=token are refused on a Gatehouse page or with the error the spec names; nothing is stored', async () => {
      const who = await shopper();
      const before = (await payloads()).length;
      const query = (fields: Record<string, string>) => `/oidc/auth?${new URLSearchParams({ response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's', ...fields })}`;
      const unknown = await who.browser.get(query({ client_id: 'nobody', redirect_uri: REDIRECT_URI }));
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /data-oidc-error="invalid_client"/);
      const wrong = await who.browser.get(query({ client_id: firstParty.clientId, redirect_uri: `${REDIRECT_URI}/extra` }));
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /data-oidc-error="invalid_redirect_uri"/);
      assert.ok(!wrong.location, 'never sent to an address the app did not register');
      const implicit = await who.browser.get(query({ client_id: firstParty.clientId, redirect_uri: REDIRECT_URI, response_type: 'token' }));
      assert.match(implicit.location ?? '', /error=unsupported_response_type/);
      assert.equal((await payloads()).length, before, 'nothing stored');
    });

    test('introspection and revocation answer an app only about its own tokens', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(thirdParty, who);
      const own = await client.tokenIntrospection(thirdParty.config, tokens.refresh_token!);
      assert.equal(own.active, true);
      const other = await client.tokenIntrospection(firstParty.config, tokens.refresh_token!);
      assert.equal(other.active, false, 'another app learns nothing');
      await client.tokenRevocation(firstParty.config, tokens.refresh_token!);
      assert.equal((await client.tokenIntrospection(thirdParty.config, tokens.refresh_token!)).active, true, 'another app cannot revoke it');
      await client.tokenRevocation(thirdParty.config, tokens.refresh_token!);
      assert.equal((await client.tokenIntrospection(thirdParty.config, tokens.refresh_token!)).active, false, 'its own app can');
    });

    test('"Sign out of all other devices" ends the apps’ tokens: the app’s refresh token fails', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(firstParty, who);
      const other = createClient(app.url);
      const signedIn = await other.post('/login', { identifier: who.email, password: who.password });
      assert.equal(signedIn.status, 303);
      await other.get('/account/security');
      const ended = await other.post('/account/sessions/end-others', {});
      assert.equal(ended.status, 303);
      assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, tokens.refresh_token!)), 'invalid_grant');
      assert.deepEqual(await payloads({ account_id: who.id }), [], 'nothing of the account is left with the provider');
    });

    test('gatehouse user lock ends the apps’ tokens, and a locked account gets none', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(firstParty, who);
      await setUserLocked(app.gatehouse.services as never, who.email, true);
      assert.equal(await errorOf(client.refreshTokenGrant(firstParty.config, tokens.refresh_token!)), 'invalid_grant');
    });

    test('Apps with access: the Security page lists the app; removing it ends its tokens, and its next sign-in asks again', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(thirdParty, who);
      const security = await who.browser.get('/account/security');
      assert.match(security.text, /Apps with access/);
      assert.match(security.text, new RegExp(`data-client-id="${thirdParty.clientId}"`));
      assert.doesNotMatch(security.text, new RegExp(`data-client-id="${firstParty.clientId}"`), 'the store’s own apps need no consent and are not listed');
      const removed = await who.browser.post('/account/security/apps/remove', { client_id: thirdParty.clientId });
      assert.equal(removed.location, '/account/security?saved=app_removed#apps');
      assert.equal(await errorOf(client.refreshTokenGrant(thirdParty.config, tokens.refresh_token!)), 'invalid_grant');
      const again = await browse(who.browser, (await authorizationRequest(thirdParty, { prompt: undefined, scope: 'openid email' })).url.href);
      assert.match(again.response.text, /Allow Partner forum/, 'asked again');
      const unknown = await who.browser.post('/account/security/apps/remove', { client_id: 'nobody' });
      assert.equal(unknown.location, '/account/security?saved=app_unknown#apps');
    });

    test('sign-out from the app (RP-initiated logout) ends the Gatehouse session after the shopper confirms', async () => {
      const who = await shopper();
      const { tokens } = await signInTo(firstParty, who);
      const logout = client.buildEndSessionUrl(firstParty.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT_URI });
      const page = await who.browser.get(logout.href);
      assert.equal(page.status, 200);
      assert.match(page.text, /Seller centre asks to sign you out/);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1];
      assert.ok(xsrf);
      const confirmed = await who.browser.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, { csrf: false });
      assert.equal(confirmed.status, 303);
      assert.ok(confirmed.location?.startsWith(AFTER_LOGOUT_URI), confirmed.location ?? '');
      const account = await who.browser.get('/account');
      assert.match(account.location ?? '', /^\/login/, 'signed out of Gatehouse too');
    });

    test('a deleted app is refused at the token endpoint (invalid_client), and its tokens are gone', async () => {
      const doomed = await registerApp(app, { name: 'Soon gone', firstParty: true });
      const who = await shopper();
      const { tokens } = await signInTo(doomed, who);
      await app.gatehouse.services.oidc.clients.remove(doomed.clientId);
      assert.equal(await errorOf(client.refreshTokenGrant(doomed.config, tokens.refresh_token!)), 'invalid_client');
      assert.deepEqual(await payloads({ client_id: doomed.clientId }), []);
    });
  });
}
