// "Sign in with <Store>" across two Gatehouse processes on one PostgreSQL (issue 11): every request
// of the app and of the shopper's browser goes to the other node than the one before —
// discovery, authorize, the sign-in and consent pages, the code exchange, userinfo, refresh and
// its reuse detection — so nothing of the flow may live in one process's memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { testDialects } from '../harness/databases.ts';
import { addShopper, startCluster, type Cluster } from '../harness/cluster.ts';
import { createClient } from '../harness/http-client.ts';
import { TEST_SECRET } from '../harness/test-app.ts';
import { createClientStore } from '../../src/oidc/client-store.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { continueAddress } from '../oidc/oidc-kit.ts';

const REDIRECT_URI = 'http://127.0.0.1:7/cb';
const SHOPPER = { email: 'oidc.nodes@example.com', password: 'two nodes one provider' };

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2);
    await addShopper(cluster, SHOPPER);
  });
  after(() => cluster?.close());

  test('two nodes: authorize, sign-in, consent, token, userinfo and refresh each land on the other node, and the flow works; reuse detection holds across them', async () => {
    const [a, b] = cluster.urls as [string, string];
    let turn = 0;
    /** The next node in turn, for a URL that names either. */
    const elsewhere = (url: string) => {
      const target = new URL(url);
      const base = new URL(turn++ % 2 === 0 ? b : a);
      target.host = base.host;
      return target;
    };
    const { client: registered, clientSecret } = await createClientStore(cluster.database.db, createSecrets(TEST_SECRET), systemClock).create({
      name: 'Partner forum', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [], public: false, firstParty: false,
    });
    const config = await client.discovery(new URL(a), registered.clientId, clientSecret!, client.ClientSecretBasic(clientSecret!), { execute: [client.allowInsecureRequests] });
    // The app's own requests (token, userinfo) alternate between the nodes too.
    config[client.customFetch] = (url, options) => fetch(elsewhere(url), options as RequestInit);
    const hosts: string[] = [];

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorization = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid email offline_access', prompt: 'consent', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = createClient(a);
    let next = authorization.href;
    let back: URL | undefined;
    for (let hop = 0; hop < 15 && !back; hop++) {
      const target = elsewhere(new URL(next, a).href);
      hosts.push(target.host);
      const response = await browser.get(target.href);
      if (response.location?.startsWith('http://127.0.0.1:7/')) back = new URL(response.location);
      else if (response.location) next = response.location;
      else if (continueAddress(response.text)) next = continueAddress(response.text)!;
      else if (target.pathname === '/login') {
        const posted = await browser.post(elsewhere(`${a}/login`).href, { identifier: SHOPPER.email, password: SHOPPER.password, return_to: target.searchParams.get('return_to')! });
        assert.equal(posted.status, 303, `signed in (${posted.status})`);
        next = posted.location!;
      } else {
        const consent = /action="(\/oidc\/interaction\/[^"]+\/consent)"/.exec(response.text)?.[1];
        assert.ok(consent, `a page that is neither sign-in nor consent: ${target.pathname} ${response.status} ${response.text.slice(0, 200)}`);
        const answered = await browser.post(elsewhere(`${a}${consent}`).href, { decision: 'allow' });
        assert.ok(continueAddress(answered.text), `consent taken (${answered.status})`);
        next = continueAddress(answered.text)!;
      }
    }
    assert.ok(back, `back at the app after ${hosts.join(' → ')}`);
    assert.ok(new Set(hosts).size === 2, 'both nodes served the browser');
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    assert.equal(tokens.claims()!.email, SHOPPER.email);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    assert.equal(userinfo.email, SHOPPER.email);
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'reuse seen by the other node');
    await assert.rejects(client.refreshTokenGrant(config, rotated.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'and the grant ended for both');
    for (const node of cluster.nodes) assert.equal(node.exitCode, null, 'no node exited');
  });
}
