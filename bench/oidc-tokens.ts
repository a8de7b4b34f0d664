// "Sign in with <Store>" rows: refresh grants per second at the token endpoint and userinfo calls
// per second, beside the machine's own limits measured in the same run — the raw ES256 sign rate
// (each refresh signs a new ID token) and whoami (a bearer lookup, as userinfo is one).
//
// Each client first gets its own grant the way an app does: the seeded session's cookie (so single
// sign-on, no password), GET /oidc/auth with PKCE for a first-party app, through Gatehouse's
// interaction and hand-back pages, then the code at the token endpoint. A refresh rotates the
// refresh token, so each client keeps its own chain: a token is never sent twice (that would be
// reuse, and end the grant).
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { percentile } from './load.ts';
import type { RateResult } from './passkey-sign-ins.ts';

export const BENCH_REDIRECT_URI = 'http://127.0.0.1:7/cb';

export interface BenchApp {
  clientId: string;
  clientSecret: string;
}


const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** One grant for one seeded session: its refresh token and an opaque access token for userinfo. */
async function grantFor(url: string, app: BenchApp, sessionToken: string): Promise<{ refresh: string; access: string }> {
  const jar = new Map<string, string>([['__Host-gh_session', sessionToken]]);
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const query = new URLSearchParams({ client_id: app.clientId, response_type: 'code', scope: 'openid offline_access', prompt: 'consent', redirect_uri: BENCH_REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', state: base64url(randomBytes(8)) });
  let next = `${url}/oidc/auth?${query}`;
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const body = await response.text();
    const location = response.headers.get('location') ?? /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(body)?.[1]?.replace(/&amp;/g, '&');
    if (!location) throw new Error(`bench: the app's sign-in stopped at ${new URL(next).pathname} (${response.status})`);
    const target = new URL(location, url);
    if (target.href.startsWith(BENCH_REDIRECT_URI)) {
      const tokens = await tokenRequest(url, app, { grant_type: 'authorization_code', code: target.searchParams.get('code')!, redirect_uri: BENCH_REDIRECT_URI, code_verifier: verifier });
      if (tokens.status !== 200) throw new Error(`bench: the code exchange answered ${tokens.status}`);
      return { refresh: tokens.body.refresh_token, access: tokens.body.access_token };
    }
    next = `${url}${target.pathname}${target.search}`;
  }
  throw new Error('bench: too many hops in the app sign-in');
}

async function tokenRequest(url: string, app: BenchApp, fields: Record<string, string>) {
  const response = await fetch(`${url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

export async function grantsFor(url: string, app: BenchApp, sessionTokens: string[]) {
  const grants = [];
  for (const token of sessionTokens) grants.push(await grantFor(url, app, token));
  return grants;
}

/** Runs `step` on every client back to back for `ms`; requests per second, median latency, statuses. */
async function rate(clients: number, ms: number, step: (client: number) => Promise<number>): Promise<RateResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    while (performance.now() < deadline) {
      const at = performance.now();
      const status = await step(client);
      latencies.push(performance.now() - at);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), statuses };
}

/** Refresh grants: each client rotates its own chain. */
export function measureRefreshGrants(url: string, app: BenchApp, grants: { refresh: string }[], ms: number) {
  return rate(grants.length, ms, async (client) => {
    const answer = await tokenRequest(url, app, { grant_type: 'refresh_token', refresh_token: grants[client]!.refresh });
    if (answer.status === 200) grants[client]!.refresh = answer.body.refresh_token!;
    return answer.status;
  });
}

/** Userinfo with each client's opaque access token. */
export function measureUserinfo(url: string, grants: { access: string }[], ms: number) {
  return rate(grants.length, ms, async (client) => {
    const response = await fetch(`${url}/oidc/me`, { headers: { authorization: `Bearer ${grants[client]!.access}` } });
    await response.arrayBuffer();
    return response.status;
  });
}

/** The machine's raw ES256 signing rate (node:crypto, an ID-token-sized payload), the same number in flight. */
export function measureEs256Sign(clients: number, ms: number) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = Buffer.from(`${base64url(Buffer.from('{"alg":"ES256","kid":"k"}'))}.${base64url(randomBytes(220))}`);
  return rate(clients, ms, () =>
    new Promise<number>((resolve, reject) => sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error) => (error ? reject(error) : resolve(200)))),
  );
}
