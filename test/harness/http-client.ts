// A small cookie-keeping HTTP client for route tests: it behaves like one browser (its own
// cookies, the Origin header on posts) and reads CSRF tokens out of the pages it gets.
//
// For a Gatehouse the harness started in this process (test-app.ts registers it with
// serveInProcess), requests go through Fastify's `inject`: the same routes, hooks, parsers and
// replies, without a TCP connection per request. Tests whose point is the network (the client
// address, a proxy in between, another process) ask for `{ network: true }`, or talk to an
// address no in-process app is registered under, and get real HTTP over a real port.
import type { FastifyInstance } from 'fastify';

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

const REQUEST_LIMIT_MS = 60_000;

/** Origin (of the URL the harness hands to tests) → the Fastify app answering it in this process. */
const inProcess = new Map<string, FastifyInstance>();

/** Lets clients reach `app` at baseUrl's origin through inject; the returned function undoes it. */
export function serveInProcess(baseUrl: string, app: FastifyInstance): () => void {
  const origin = new URL(baseUrl).origin;
  inProcess.set(origin, app);
  return () => {
    if (inProcess.get(origin) === app) inProcess.delete(origin);
  };
}

// What undici's fetch adds to every request on its own, so that an injected request carries the
// same headers a fetched one did (Accept-Language decides the page language).
const FETCH_DEFAULTS: Record<string, string> = { accept: '*/*', 'accept-language': '*', 'sec-fetch-mode': 'cors' };

async function injected(app: FastifyInstance, method: string, url: URL, headers: Record<string, string>, body: string | Buffer | undefined): Promise<Response> {
  const sent: Record<string, string> = { ...FETCH_DEFAULTS, host: url.host, ...headers };
  // fetch labels a string body text/plain when the caller names no type (a Buffer it leaves unlabelled).
  if (typeof body === 'string' && !Object.keys(sent).some((name) => name.toLowerCase() === 'content-type')) sent['content-type'] = 'text/plain;charset=UTF-8';
  const reply = await app.inject({ method: method as 'GET', url: url.pathname + url.search, headers: sent, ...(body === undefined ? {} : { payload: body }) });
  const answer = new Headers();
  for (const [name, value] of Object.entries(reply.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) answer.append(name, String(one));
  }
  return { status: reply.statusCode, headers: answer, text: reply.body, location: answer.get('location') };
}

export function createClient(baseUrl: string, options: { userAgent?: string; /** Real HTTP over the app's port even when it runs in this process. */ network?: boolean } = {}) {
  const jar = new Map<string, string>();
  const userAgent = options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

  function remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  async function request(method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': userAgent, ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && !('origin' in headers)) headers.origin = new URL(baseUrl).origin;
    // A request Gatehouse never answers fails here, naming itself, instead of waiting out undici's
    // 300 s timeouts (our own timer: AbortSignal.timeout can be collected early on Node 20).
    const stuck = new AbortController();
    const timer = setTimeout(() => stuck.abort(new Error(`${method} ${path}: no complete answer within ${REQUEST_LIMIT_MS / 1000} s`)), REQUEST_LIMIT_MS);
    try {
      // Chosen per request: a path may name another node (`${otherUrl}/…`) than the client's own.
      const target = new URL(path, baseUrl);
      const app = options.network ? undefined : inProcess.get(target.origin);
      if (app) {
        const response = await Promise.race([
          injected(app, method, target, headers, init.body),
          new Promise<never>((_, reject) => stuck.signal.addEventListener('abort', () => reject(stuck.signal.reason), { once: true })),
        ]);
        remember(response.headers);
        return response;
      }
      const response = await fetch(new URL(path, baseUrl), { method, headers, body: init.body as BodyInit | undefined, redirect: 'manual', signal: stuck.signal });
      remember(response.headers);
      return { status: response.status, headers: response.headers, text: await response.text(), location: response.headers.get('location') };
    } finally {
      clearTimeout(timer);
    }
  }

  let lastCsrf = '';
  const client = {
    jar,
    async get(path: string, headers: Record<string, string> = {}) {
      const response = await request('GET', path, { headers });
      const token = /name="_csrf" value="([^"]+)"/.exec(response.text)?.[1];
      if (token) lastCsrf = token;
      return response;
    },
    /** Posts a form with this client's CSRF token (fetched from `from` first if we have none). */
    async post(path: string, fields: Record<string, string>, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
      if (options.csrf !== false && !lastCsrf) await client.get('/login');
      const body = new URLSearchParams(options.csrf === false ? fields : { _csrf: lastCsrf, ...fields }).toString();
      return request('POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers } });
    },
    raw: request,
    get csrf() {
      return lastCsrf;
    },
  };
  return client;
}

export type Client = ReturnType<typeof createClient>;
