// The provider's security rules (issue 11) on SQLite and PostgreSQL: Gatehouse's own sign-outs
// reach the apps (recovery with "Sign out of all other devices", ending one session), no code,
// token or secret in any log line, and CORS only where a browser app needs it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { assertNoSecretLogged, capturedLog, makeAccount, type MadeAccount } from '../security/kit.ts';
import { finishRecovery, startRecovery } from '../recovery/recovery-kit.ts';
import { authorizationRequest, browse, client, errorOf, exchange, registerApp, type App } from './oidc-kit.ts';


for (const dialect of testDialects) {
  describe(`OpenID provider security on ${dialect}`, () => {
    let app: TestGatehouse;
    let rp: App;
    let publicApp: App;
    const log = capturedLog();
    let shoppers = 0;
    before(async () => {
      app = await startTestGatehouse(dialect, { logger: log.logger });
      [rp, publicApp] = await Promise.all([registerApp(app, { name: 'Seller centre', firstParty: true }), registerApp(app, { name: 'Mobile app', firstParty: true, public: true })]);
    });
    after(() => app?.close());

    async function signedInAt(target: App, who?: MadeAccount & { browser: Client }) {
      shoppers += 1;
      const account = who ?? { ...(await makeAccount(app, { email: `oidc.sec.${shoppers}.${dialect}@example.com` })), browser: createClient(app.url) };
      const authorization = await authorizationRequest(target);
      const walked = await browse(account.browser, authorization.url.href, { signIn: { identifier: account.email, password: account.password } });
      assert.ok(walked.back, walked.seen.join(' → '));
      return { account, back: walked.back, tokens: await exchange(target, authorization, walked.back) };
    }

    test('recovery with "Sign out of all other devices" makes the app’s refresh token fail', async () => {
      const { account, tokens } = await signedInAt(rp);
      const stranger = createClient(app.url);
      const { flowId, code } = await startRecovery(app, stranger, account.email, account.email);
      await finishRecovery(stranger, flowId, code);
      assert.equal(await errorOf(client.refreshTokenGrant(rp.config, tokens.refresh_token!)), 'invalid_grant');
    });

    test('ending one session under Security ends what apps got through it, and only that', async () => {
      const first = await signedInAt(rp);
      const laptop = { ...first.account, browser: createClient(app.url) };
      const second = await signedInAt(rp, laptop);
      await laptop.browser.get('/account/security');
      const sessions = await app.gatehouse.services.sessions.listSessions(first.account.id);
      const firstBrowserSession = [...sessions].sort((x, y) => x.created_at - y.created_at)[0]!;
      assert.equal(sessions.length, 2);
      const ended = await laptop.browser.post(`/account/sessions/${firstBrowserSession.id}/end`, {});
      assert.equal(ended.status, 303);
      assert.equal(await errorOf(client.refreshTokenGrant(rp.config, first.tokens.refresh_token!)), 'invalid_grant', 'the ended session’s app tokens');
      const still = await client.refreshTokenGrant(rp.config, second.tokens.refresh_token!);
      assert.ok(still.access_token, 'the other session’s app keeps its tokens');
    });

    test('another shopper signing in through an app on the same browser keeps their Gatehouse session when the provider ends the earlier shopper’s', async () => {
      const first = await signedInAt(rp);
      // The first shopper's Gatehouse session ends (idle, or signed out elsewhere); the provider's stays.
      await app.gatehouse.services.db.updateTable('sessions').set({ revoked_at: Date.now() }).where('account_id', '=', first.account.id).execute();
      shoppers += 1;
      const second = await makeAccount(app, { email: `oidc.sec.switch.${shoppers}.${dialect}@example.com` });
      const authorization = await authorizationRequest(rp);
      const walked = await browse(first.account.browser, authorization.url.href, { signIn: { identifier: second.email, password: second.password } });
      // oidc-provider ends the first shopper's provider session with a sign-out form it posts itself.
      let back = walked.back;
      if (!back) {
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(walked.response.text)?.[1];
        const action = /<form[^>]*action="([^"]+)"/.exec(walked.response.text)?.[1]?.replace(/&amp;/g, '&');
        assert.ok(xsrf && action, `a page that is not the provider's own sign-out: ${walked.response.text.slice(0, 300)}`);
        const fields: Record<string, string> = { xsrf };
        for (const [, name, value] of walked.response.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[name!] = value!;
        const posted = await first.account.browser.post(new URL(action, app.url).pathname, fields, { csrf: false });
        const after = await browse(first.account.browser, posted.location!);
        back = after.back;
      }
      assert.ok(back, 'back at the app');
      const claims = (await exchange(rp, authorization, back)).claims()!;
      assert.equal(claims.sub, second.id, 'signed in as the second shopper');
      const whoami = await first.account.browser.get('/api/v1/whoami');
      assert.equal(whoami.status, 200, 'and still signed in to Gatehouse');
      assert.equal(JSON.parse(whoami.text).account.email, second.email);
    });

    test('no log line holds a code, a token, a client secret, a password or an email address', async () => {
      const { account, back, tokens } = await signedInAt(rp);
      const refreshed = await client.refreshTokenGrant(rp.config, tokens.refresh_token!);
      await client.fetchUserInfo(rp.config, refreshed.access_token, tokens.claims()!.sub);
      await errorOf(client.refreshTokenGrant(rp.config, tokens.refresh_token!));
      assert.ok(log.lines.some((line) => line.includes('/oidc/*')), 'the provider’s requests are logged, by route pattern');
      assertNoSecretLogged(
        log.lines,
        [
          { what: 'authorization code', value: back.searchParams.get('code')! },
          { what: 'access token', value: tokens.access_token },
          { what: 'refresh token', value: tokens.refresh_token! },
          { what: 'rotated refresh token', value: refreshed.refresh_token! },
          { what: 'ID token', value: tokens.id_token!.split('.')[2]! },
          { what: 'client secret', value: rp.clientSecret! },
          { what: 'password', value: account.password },
        ],
        new RegExp(account.email.split('@')[0]!),
        'an email address',
      );
    });

    test('CORS only where the spec needs it: token and userinfo for a public app’s own origin; discovery and JWKS for anyone; nothing for a confidential app', async () => {
      const preflight = (path: string, origin: string) =>
        fetch(`${app.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      const ownOrigin = 'http://127.0.0.1:7';
      const token = await fetch(`${app.url}/oidc/token`, { method: 'POST', headers: { origin: ownOrigin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: publicApp.clientId, grant_type: 'refresh_token', refresh_token: 'x' }) });
      assert.equal(token.headers.get('access-control-allow-origin'), ownOrigin, 'a public app from its own origin');
      const foreign = await fetch(`${app.url}/oidc/token`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: publicApp.clientId, grant_type: 'refresh_token', refresh_token: 'x' }) });
      assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'not from another origin');
      const confidential = await fetch(`${app.url}/oidc/token`, { method: 'POST', headers: { origin: ownOrigin, 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }) });
      assert.equal(confidential.headers.get('access-control-allow-origin'), null, 'a confidential app talks server to server');
      const discovery = await fetch(`${app.url}/.well-known/openid-configuration`, { headers: { origin: 'https://anyone.example' } });
      assert.ok(['*', 'https://anyone.example'].includes(discovery.headers.get('access-control-allow-origin') ?? ''), 'discovery is open to any origin');
      const jwks = await fetch(`${app.url}/oidc/jwks`, { headers: { origin: 'https://anyone.example' } });
      assert.ok(['*', 'https://anyone.example'].includes(jwks.headers.get('access-control-allow-origin') ?? ''), 'so are the keys');
      const interaction = await preflight('/login', 'https://anyone.example');
      assert.equal(interaction.headers.get('access-control-allow-origin'), null, 'Gatehouse’s own pages never');
    });
  });
}
