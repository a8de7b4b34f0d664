// A small cookie-keeping HTTP client for route tests: it behaves like one browser (its own
// cookies, the Origin header on posts) and reads CSRF tokens out of the pages it gets.
export interface Response {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

const REQUEST_LIMIT_MS = 60_000;

export function createClient(baseUrl: string, options: { userAgent?: string } = {}) {
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
