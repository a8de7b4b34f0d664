// A relying party for the tests: openid-client (panva) discovers Gatehouse, builds the
// authorization request with PKCE, and exchanges the code; a cookie-keeping client plays the
// shopper's browser through Gatehouse's own pages (sign-in, consent) and stops at the app's
// redirect URI, which is all a browser does there.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { TestGatehouse } from '../harness/test-app.ts';
import type { Client } from '../harness/http-client.ts';

export const REDIRECT_URI = 'http://127.0.0.1:7/cb';
export const AFTER_LOGOUT_URI = 'http://127.0.0.1:7/bye';

export interface App {
  clientId: string;
  clientSecret: string | null;
  config: client.Configuration;
}

export async function registerApp(gatehouse: TestGatehouse, options: { name?: string; firstParty?: boolean; public?: boolean; idTokenAlg?: 'ES256' | 'RS256' } = {}): Promise<App> {
  const { client: registered, clientSecret } = await gatehouse.gatehouse.services.oidc.clients.create({
    name: options.name ?? 'Seller centre',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [AFTER_LOGOUT_URI],
    public: options.public ?? false,
    firstParty: options.firstParty ?? false,
    idTokenAlg: options.idTokenAlg,
  });
  const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
  const config = await client.discovery(new URL(gatehouse.url), registered.clientId, clientSecret ?? undefined, auth, { execute: [client.allowInsecureRequests] });
  return { clientId: registered.clientId, clientSecret, config };
}

/** Gatehouse hands the shopper back to the app with a page that goes on by itself (a meta refresh): where to. */
export function continueAddress(html: string): string | undefined {
  return /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** offline_access (a refresh token) is granted only with prompt=consent (OpenID Connect Core §11); `undefined` leaves a parameter out. */
export async function authorizationRequest(app: App, extra: Record<string, string | undefined> = {}): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters: Record<string, string | undefined> = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile offline_access',
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  };
  const url = client.buildAuthorizationUrl(app.config, Object.fromEntries(Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined)));
  return { url, verifier, state, nonce };
}

/**
 * Follows redirects in the shopper's browser from `start` until Gatehouse sends it back to the
 * app (returned), or a page answers (returned as the last response) — signing in on /login and
 * answering the consent page on the way when told to.
 */
export async function browse(browser: Client, start: string, steps: { signIn?: { identifier: string; password: string }; consent?: 'allow' | 'deny'; appOrigin?: string } = {}) {
  const appOrigin = steps.appOrigin ?? 'http://127.0.0.1:7';
  let path = start;
  const seen: string[] = [];
  for (let hop = 0; hop < 15; hop++) {
    const response = await browser.get(path);
    seen.push(new URL(path, 'http://x').pathname);
    if (response.location?.startsWith(`${appOrigin}/`)) return { back: new URL(response.location), seen, response };
    if (response.location) {
      path = response.location;
      continue;
    }
    const onward = continueAddress(response.text);
    if (onward) {
      path = onward;
      continue;
    }
    const here = new URL(path, 'http://x');
    if (here.pathname === '/login' && steps.signIn && response.status === 200) {
      const posted = await browser.post('/login', { ...steps.signIn, return_to: here.searchParams.get('return_to') ?? '' });
      assert.equal(posted.status, 303, `signed in on Gatehouse's page (${posted.status})`);
      steps = { ...steps, signIn: undefined };
      path = posted.location!;
      continue;
    }
    const consent = /action="(\/oidc\/interaction\/[^"]+\/consent)"/.exec(response.text)?.[1];
    if (consent && steps.consent) {
      const answered = await browser.post(consent, { decision: steps.consent });
      const onward = continueAddress(answered.text);
      assert.ok(answered.status === 200 && onward, `the consent page takes the answer and hands back to the app (${answered.status}): ${answered.text.slice(0, 200)}`);
      steps = { ...steps, consent: undefined };
      path = onward;
      continue;
    }
    return { back: undefined, seen, response };
  }
  throw new Error(`too many redirects: ${seen.join(' → ')}`);
}

export async function exchange(app: App, authorization: Authorization, back: URL) {
  return client.authorizationCodeGrant(app.config, back, { pkceCodeVerifier: authorization.verifier, expectedState: authorization.state, expectedNonce: authorization.nonce });
}

export { client };

/** The OAuth error a refused call names (at the token endpoint in its body, at userinfo in a WWW-Authenticate challenge), or 'no error'. */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const challenge = (error as { cause?: { parameters?: { error?: string } }[] }).cause;
    return (error as { error?: string }).error ?? (Array.isArray(challenge) ? challenge[0]?.parameters?.error : undefined) ?? (error as Error).message;
  }
  return 'no error';
}
