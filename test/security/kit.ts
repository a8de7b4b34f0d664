// Shared helpers for the security tests (test/security, test/login, test/sessions,
// test/verification, test/http): accounts made straight in the database, sign-in through the
// real form, cookie parsing, row counts, and page comparison that ignores per-response tokens.
import assert from 'node:assert/strict';
import pino, { type Logger } from 'pino';
import type { Client, Response } from '../harness/http-client.ts';
import type { TestGatehouse } from '../harness/test-app.ts';

export const GOOD_PASSWORD = 'correct horse battery staple';

export interface MadeAccount {
  id: string;
  email: string;
  loginName: string | null;
  password: string;
}

/** An account written straight into the database (confirmed email, argon2id hash as configured). */
export async function makeAccount(
  app: TestGatehouse,
  fields: { email: string; loginName?: string | null; password?: string; passwordHash?: string | null; locked?: boolean; locale?: 'en' | 'ru' },
): Promise<MadeAccount> {
  const { accounts, hasher, db, clock } = app.gatehouse.services;
  const password = fields.password ?? GOOD_PASSWORD;
  const now = clock.now();
  const account = await accounts.insert(db, {
    email: fields.email.toLowerCase(),
    loginName: fields.loginName ?? null,
    passwordHash: fields.passwordHash === undefined ? await hasher.hash(password) : fields.passwordHash,
    locale: fields.locale ?? 'en',
    emailVerifiedAt: now,
    now,
  });
  if (fields.locked) await accounts.setLocked(account.id, now, now);
  return { id: account.id, email: account.email, loginName: account.login_name, password };
}

export const SESSION_COOKIE = '__Host-gh_session';

/** The Set-Cookie line that sets the session cookie, if the response has one. */
export function sessionSetCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
}

/** The session token a response set (the cookie's value). */
export function sessionTokenFrom(response: Response): string {
  const line = sessionSetCookie(response);
  assert.ok(line, 'the response sets the session cookie');
  return line.slice(SESSION_COOKIE.length + 1).split(';')[0]!;
}

/** Signs in through the real form; returns the response (303 on success). */
export async function signIn(client: Client, identifier: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
  await client.get('/login');
  return client.post('/login', { identifier, password, ...extra });
}

/** Signs in and asserts it worked; returns the session token. */
export async function signInOk(client: Client, identifier: string, password: string): Promise<string> {
  const response = await signIn(client, identifier, password);
  assert.equal(response.status, 303, `sign-in as ${identifier} should succeed, got ${response.status}`);
  return sessionTokenFrom(response);
}

/** GET /api/v1/whoami with just this token (no other cookies). */
export async function whoamiWith(app: TestGatehouse, token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL('/api/v1/whoami', app.url), { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export const TABLES = ['accounts', 'sessions', 'flows', 'verification_codes', 'outbox', 'rate_events', 'login_throttles'] as const;

/** Row counts of every table whose change would mean a request "did something". */
export async function countRows(app: TestGatehouse): Promise<Record<string, number>> {
  const db = app.gatehouse.services.db;
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** Every row of every table as one string, to search for things that must never be stored. */
export async function dumpDatabase(app: TestGatehouse): Promise<string> {
  const db = app.gatehouse.services.db;
  const parts: string[] = [];
  for (const table of TABLES) parts.push(JSON.stringify(await db.selectFrom(table).selectAll().execute()));
  return parts.join('\n');
}

/** A page with its per-response secrets (CSRF token, CSP nonce) blanked, for byte comparison. */
export function withoutTokens(html: string): string {
  return html
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="CSRF"')
    .replace(/nonce="[^"]*"/g, 'nonce="NONCE"')
    // The sign-in page's QR panel is new on every response (its token, picture and deadline).
    .replace(/<div class="qr-code"[\s\S]*?<\/div>/g, '<div class="qr-code">QR</div>')
    .replace(/data-expires-at="\d+"/g, 'data-expires-at="T"')
    .replace(/data-qr-request="[0-9a-f-]{36}"/g, 'data-qr-request="ID"')
    .replace(/name="request" value="[0-9a-f-]{36}"/g, 'name="request" value="ID"')
    .replace(/\/qr\/[A-Za-z0-9_-]{43}/g, '/qr/TOKEN')
    // The passkey form's request options carry a new challenge on every response.
    .replace(/(&quot;challenge&quot;:&quot;)[A-Za-z0-9_-]+(&quot;)/g, '$1CHALLENGE$2');
}

/** The text of the error on a page: the alert at the top, or else the first message beside a field. */
export function alertText(html: string): string | undefined {
  return /class="alert alert-error"[^>]*>([^<]*)</.exec(html)?.[1] ?? fieldError(html);
}

/** The message shown beside a form field (by field name, or the first one). */
export function fieldError(html: string, field?: string): string | undefined {
  const id = field ? `field-${field}-error` : 'field-[a-z_]+-error';
  return new RegExp(`<p class="field-error" id="${id}">([^<]*)</p>`).exec(html)?.[1];
}

export function flowIdFrom(location: string | null): string {
  assert.ok(location, 'a redirect');
  const flow = new URL(location, 'http://x').searchParams.get('flow');
  assert.ok(flow, `a flow id in ${location}`);
  return flow;
}

/** Fields a valid registration form carries. */
export function registrationFields(email: string, password = GOOD_PASSWORD, loginName = ''): Record<string, string> {
  return { email, login_name: loginName, password, password_confirmation: password };
}

/** A pino logger at info level whose written lines are kept (no redaction configured: the code itself must not log secrets). */
export function capturedLog(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

/** Waits (up to 10 s) until at least `count` of the kept lines hold `text`. */
export async function waitForLogLines(lines: string[], text: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (lines.filter((line) => line.includes(text)).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * No line holds any of `secrets` (codes are digits: only a separate number counts, not a piece of
 * a timestamp) nor matches `addressStart`, which `addressMessage` names when it does.
 */
export function assertNoSecretLogged(lines: string[], secrets: { what: string; value: string }[], addressStart: RegExp, addressMessage: string): void {
  for (const line of lines) {
    for (const secret of secrets) {
      const found = /^\d+$/.test(secret.value)
        ? new RegExp(`(?<!\\d)${secret.value}(?!\\d)`).test(line)
        : line.toLowerCase().includes(secret.value.toLowerCase());
      assert.ok(!found, `a log line holds the ${secret.what}: ${line}`);
    }
    assert.doesNotMatch(line, addressStart, `${addressMessage}: ${line}`);
  }
}
