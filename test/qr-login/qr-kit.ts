// Helpers for the QR sign-in tests (DESIGN.md §4): a Gatehouse that trusts X-Forwarded-For (so
// every simulated browser has its own client address and its own QR rate budget), browsers that
// show a QR, an app that signs in with a bearer and scans, and a server-sent-events reader.
import assert from 'node:assert/strict';
import { createClient, type Client } from '../harness/http-client.ts';
import type { TestDialect } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { sha256Hex } from '../../src/shared/secrets.ts';
import { QR_COOKIE, qrSecretFrom } from '../../src/qr-login/qr-cookie.ts';

export const PASSWORD = 'saffron lantern meadow 31';
export const APP_UA = 'StoreApp/3.1 (iPhone; iOS 17.4)';
export const SECOND = 1000;
export { QR_COOKIE };

export async function startQrGatehouse(dialect: TestDialect, options: { clock?: Clock; env?: Record<string, string> } = {}) {
  return startTestGatehouse(dialect, { clock: options.clock, env: { TRUST_PROXY: '1', ...options.env } });
}

/** An account that can sign in with PASSWORD; returns its id. */
export async function addAccount(app: TestGatehouse, fields: { email: string; loginName?: string; locale?: 'en' | 'ru' }): Promise<string> {
  const { services } = app.gatehouse;
  const now = services.clock.now();
  const account = await services.accounts.insert(services.db, {
    email: fields.email,
    loginName: fields.loginName ?? null,
    passwordHash: await services.hasher.hash(PASSWORD),
    locale: fields.locale ?? 'en',
    emailVerifiedAt: now,
    now,
  });
  return account.id;
}

let addressCounter = 0;
/** A client address nobody else in this process uses. */
export const freshAddress = () => `10.${(process.pid >> 8) & 255}.${(++addressCounter >> 8) & 255}.${addressCounter & 255}`;

export type Browser = Client & { address: string; cookie(): string; qrSecret(): string | undefined };

/** A browser with its own cookies and its own client address (X-Forwarded-For; TRUST_PROXY=1). */
export function newBrowser(baseUrl: string, options: { address?: string; userAgent?: string } = {}): Browser {
  const client = createClient(baseUrl, { userAgent: options.userAgent });
  const address = options.address ?? freshAddress();
  const xff = { 'x-forwarded-for': address };
  const { get, post } = client;
  return Object.assign(client, {
    address,
    get: (path: string, headers: Record<string, string> = {}) => get(path, { ...xff, ...headers }),
    post: (path: string, fields: Record<string, string>, options: { csrf?: boolean; headers?: Record<string, string> } = {}) =>
      post(path, fields, { ...options, headers: { ...xff, ...options.headers } }),
    cookie: () => [...client.jar].map(([k, v]) => `${k}=${v}`).join('; '),
    qrSecret: () => qrSecretFrom(client.jar.get(QR_COOKIE)),
  });
}

export const qrTokenIn = (html: string) => /href="[^"]*\/qr\/([A-Za-z0-9_-]{43})" data-qr-link/.exec(html)?.[1];

/** The sign-in page of this browser: its QR token (from the link under the QR) and the page. */
export async function showQr(browser: Browser): Promise<{ token: string; html: string }> {
  const page = await browser.get('/login');
  assert.equal(page.status, 200);
  const token = qrTokenIn(page.text);
  assert.ok(token, 'the sign-in page shows a QR link');
  return { token, html: page.text };
}

/** The native app signs in: a bearer token for an app session. */
export async function appSignIn(app: TestGatehouse, identifier: string, password = PASSWORD): Promise<string> {
  const response = await appSignInResponse(app, identifier, password);
  assert.equal(response.status, 201, `app sign-in for ${identifier}`);
  return ((await response.json()) as { token: string }).token;
}

export const appSignInResponse = (app: TestGatehouse, identifier: string, password = PASSWORD, address = '127.0.0.1') =>
  fetch(`${app.url}/api/v1/app/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': APP_UA, 'x-forwarded-for': address },
    body: JSON.stringify({ identifier, password }),
  });

/** A JSON call of the app API with its bearer. */
export async function api(app: TestGatehouse, bearer: string | undefined, path: string, body?: unknown, method = 'POST', extraHeaders: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'user-agent': APP_UA, ...extraHeaders };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${app.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Scan and confirm in the app, asserting both went through. */
export async function scanAndConfirm(app: TestGatehouse, bearer: string, token: string) {
  assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 200, 'scanned');
  assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 200, 'confirmed');
}

export async function qrRow(app: TestGatehouse, token: string) {
  return app.gatehouse.services.db.selectFrom('qr_login_requests').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirstOrThrow();
}

export async function countRows(app: TestGatehouse, table: 'qr_login_requests' | 'sessions' | 'outbox'): Promise<number> {
  const row = await app.gatehouse.services.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function browserStatus(browser: Browser): Promise<string | undefined> {
  const response = await browser.get('/qr/status', { accept: 'application/json' });
  return response.status === 200 ? (JSON.parse(response.text) as { status: string }).status : undefined;
}

export interface StatusEvent {
  status: string;
  /** performance.now() when the event was read. */
  at: number;
  raw: string;
}

/**
 * Opens GET /qr/events with this browser's cookies and reads `event: status` blocks as they come
 * (fetch + a stream reader). `next()` waits for the next event; `ended` settles when the server
 * closes the stream.
 */
export async function openEvents(baseUrl: string, cookie: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/qr/events`, { headers: { cookie, accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: StatusEvent[] = [];
  const waiters: Array<() => void> = [];
  let raw = '';
  let closed = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const ended = (async () => {
    if (!response.ok || !response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        raw += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'status' && data) events.push({ status: (JSON.parse(data) as { status: string }).status, at: performance.now(), raw: block });
          wake();
        }
      }
    } catch {
      // aborted by the test
    } finally {
      closed = true;
      wake();
    }
  })();
  let read = 0;
  return {
    response,
    events,
    ended,
    get raw() {
      return raw;
    },
    get closed() {
      return closed;
    },
    /** The next status event, or a failure after timeoutMs. */
    async next(timeoutMs = 5000): Promise<StatusEvent> {
      const deadline = performance.now() + timeoutMs;
      while (read >= events.length) {
        if (closed) throw new Error(`the event stream ended; events so far: ${events.map((e) => e.status).join(', ')}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no status event within ${timeoutMs} ms; events so far: ${events.map((e) => e.status).join(', ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return events[read++]!;
    },
    close() {
      controller.abort();
      return ended;
    },
  };
}

/** Everything about the account a page or answer must not show before the browser is signed in. */
export function assertNothingAbout(text: string, account: { id: string; email: string; loginName?: string }, where: string) {
  const lower = text.toLowerCase();
  assert.ok(!lower.includes(account.email.toLowerCase()), `${where}: shows the email`);
  assert.ok(!lower.includes(account.email.split('@')[0]!.toLowerCase()), `${where}: shows the email's local part`);
  if (account.loginName) assert.ok(!lower.includes(account.loginName.toLowerCase()), `${where}: shows the login name`);
  assert.ok(!lower.includes(account.id.toLowerCase()), `${where}: shows the account id`);
}
