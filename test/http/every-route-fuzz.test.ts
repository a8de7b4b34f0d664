// DESIGN.md §6 "Bad input of any shape gets a clear 4xx, never a 500": every route Fastify has
// registered — read from the app itself, so a route added tomorrow is fuzzed too — gets a set of
// malformed requests (wrong types, huge and empty bodies, broken UTF-8, NUL and other control
// characters in each field, query and path parameter, arrays and objects where strings belong,
// missing CSRF, wrong content types, garbage cookies and bearer tokens) from a signed-in browser.
// Not one may answer 5xx. bad-input.test.ts checks the exact answers of the form routes; this
// one checks that nothing, anywhere, is a server error. Requests go in through Fastify's inject
// (the event stream over a real socket).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { makeAccount, registrationFields, signInOk } from '../security/kit.ts';
import { registeredRoutes, type Route } from '../harness/routes.ts';

interface Attempt {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Every field name any route's schema or handler reads; each one gets its own NUL. */
const FIELDS = ['identifier', 'password', 'password_confirmation', 'email', 'login_name', 'flow', 'code', 'locale', 'phone', 'on', 'first', 'request', 'return_to', 'sign_out_others', 'token', 'flowToken', 'way', 'set', 'sent', 'ended', 'welcome'];
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const sampleParams: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', token: 'x'.repeat(43), name: 'app.css' };
const withParams = (url: string, value?: string) => url.replace(/:(\w+)/g, (_, name: string) => value ?? sampleParams[name] ?? 'x');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** Puts a character just inside a value (a leading or trailing one may be trimmed away first). */
const inside = (value: string | undefined, character: string) => `${(value ?? 'ab').slice(0, 1)}${character}${(value ?? 'ab').slice(1)}`;

/** Plausible values for every field: the malformed variants below each break one thing. */
function plausible(flow: string): Record<string, string> {
  return {
    identifier: 'fuzz.stranger@example.com', password: 'a long enough pass phrase', password_confirmation: 'a long enough pass phrase', email: 'fuzz.other@example.com',
    login_name: 'fuzzer', flow, code: '123456', locale: 'ru', phone: '+33612345678', on: '1', first: '1', request: 'x', return_to: '/account', sign_out_others: '1',
    token: 'x'.repeat(43), flowToken: 'x'.repeat(43), way: 'totp',
  };
}

function attemptsFor(route: Route, csrf: string, flow: string): Attempt[] {
  const { method } = route;
  const path = withParams(route.url);
  const fields = plausible(flow);
  const attempts: Attempt[] = [];
  const add = (name: string, extra: Omit<Attempt, 'name' | 'method' | 'path'> & { method?: string; path?: string }) => attempts.push({ method, path, ...extra, name });
  const sendsBody = method !== 'GET';
  const validForm = form({ _csrf: csrf, ...fields });
  const formBody = sendsBody ? { headers: { 'content-type': FORM }, body: validForm } : {};

  // What every route reads whatever its method: the query string, path parameters, cookies, tokens.
  const nulQuery = FIELDS.map((name) => `${name}=a%00b`).join('&');
  add('NUL in every query parameter', { ...formBody, path: `${path}?${nulQuery}` });
  add('control characters in the query', { ...formBody, path: `${path}?flow=%09%0A&return_to=%0D%0ASet-Cookie:%20x&code=%7F%C2%85` });
  add('a query that is not UTF-8', { ...formBody, path: `${path}?flow=%FF%FE&return_to=%C0%AF&code=%ED%A0%80` });
  add('arrays and objects in the query', { ...formBody, path: `${path}?flow[]=x&flow=y&code[a]=b&return_to=a&return_to=b&set[]=ru` });
  add('an 8 KB query', { ...formBody, path: `${path}?flow=${'x'.repeat(8192)}` });
  if (route.url.includes(':')) {
    for (const [label, value] of [['a NUL', '%00'], ['a tab', '%09'], ['non-UTF-8', '%FF%FE'], ['a lone surrogate', '%ED%A0%80'], ['a traversal', '..%2F..%2Fpackage.json'], ['99 characters', 'y'.repeat(99)], ['an injection', "1'%20OR%20'1'%3D'1"]] as const) {
      add(`${label} as path parameter`, { ...formBody, path: withParams(route.url, value) });
    }
  }
  add('a garbage session cookie', { ...formBody, headers: { ...formBody.headers, cookie: `__Host-gh_session=%00${'x'.repeat(90)}; __Host-gh_browser=%FF; __Host-gh_lang=%00` } });
  add('a 4 KB session cookie', { ...formBody, headers: { ...formBody.headers, cookie: `__Host-gh_session=${'x'.repeat(4096)}` } });
  add('a garbage bearer token', { ...formBody, headers: { ...formBody.headers, authorization: 'Bearer %00\'" OR 1=1' } });
  add('a 4 KB bearer token', { ...formBody, headers: { ...formBody.headers, authorization: `Bearer ${'x'.repeat(4096)}` } });
  add('another authorization scheme', { ...formBody, headers: { ...formBody.headers, authorization: 'Basic Zm9vOmJhcg==' } });
  add('a method the route does not take', { method: method === 'GET' ? 'PUT' : 'PATCH', headers: { 'content-type': FORM }, body: validForm });
  if (!sendsBody) return attempts;

  // Forms.
  add('no CSRF token', { headers: { 'content-type': FORM }, body: form(fields) });
  add('an empty form', { headers: { 'content-type': FORM }, body: '' });
  add('an empty body and no content type', {});
  for (const name of FIELDS) add(`a NUL in "${name}"`, { headers: { 'content-type': FORM }, body: form({ _csrf: csrf, ...fields, [name]: inside(fields[name], '\u0000') }) });
  for (const [label, control] of [['tab', '\t'], ['line break', '\r\n'], ['escape', '\u001b[2J'], ['DEL', '\u007f'], ['C1 NEL', '\u0085']] as const) {
    add(`a ${label} in every field`, { headers: { 'content-type': FORM }, body: form({ _csrf: csrf, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, inside(v, control)])) }) });
  }
  add('a NUL in a field name', { headers: { 'content-type': FORM }, body: `${validForm}&na%00me=x` });
  add('every field sent twice', { headers: { 'content-type': FORM }, body: `${validForm}&${form(fields)}` });
  add('every field in array syntax', { headers: { 'content-type': FORM }, body: `_csrf=${csrf}&${FIELDS.map((n) => `${n}%5B%5D=x&${n}%5Ba%5D=y`).join('&')}` });
  add('prototype keys', { headers: { 'content-type': FORM }, body: `${validForm}&__proto__=x&constructor=y&toString=z` });
  add('2000 fields', { headers: { 'content-type': FORM }, body: `${validForm}&${Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&')}` });
  add('a 1 MB form', { headers: { 'content-type': FORM }, body: `${validForm}&filler=${'x'.repeat(1024 * 1024)}` });
  add('raw bytes that are not UTF-8', { headers: { 'content-type': FORM }, body: Buffer.concat([Buffer.from(`${validForm}&junk=`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80])]) });
  add('%-escapes that are not UTF-8', { headers: { 'content-type': FORM }, body: `${validForm}&junk=%FF&more=%C0%AF&lone=%ED%A0%80&cut=%E` });
  add('a charset that is not UTF-8', { headers: { 'content-type': `${FORM}; charset=iso-8859-1` }, body: Buffer.from(`_csrf=${csrf}&identifier=caf\u00e9`, 'latin1') });
  for (const type of ['text/plain', 'multipart/form-data; boundary=b', 'application/xml', 'application/x-gatehouse', 'application/json-patch+json']) {
    add(`content type ${type}`, { headers: { 'content-type': type }, body: validForm });
  }

  // JSON (the API's language; pages refuse it).
  const json = (body: unknown) => ({ headers: { 'content-type': JSON_TYPE }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const each = (value: (name: string) => unknown) => Object.fromEntries(Object.keys(fields).map((name) => [name, value(name)]));
  add('JSON with the right fields', json({ _csrf: csrf, ...fields }));
  add('JSON numbers for strings', json({ _csrf: csrf, ...each(() => 12345678901234567890) }));
  add('JSON arrays for strings', json({ _csrf: csrf, ...each((n) => [fields[n], fields[n]]) }));
  add('JSON objects for strings', json({ _csrf: csrf, ...each((n) => ({ value: fields[n], $gt: '' })) }));
  add('JSON nulls and booleans', json({ _csrf: csrf, ...each((n) => (n.length % 2 ? null : true)) }));
  for (const name of Object.keys(fields)) add(`a JSON NUL in "${name}"`, json({ ...fields, [name]: inside(fields[name], '\u0000') }));
  add('a JSON lone surrogate in every field', json(`{${Object.keys(fields).map((n) => `"${n}":"a\\ud800b"`).join(',')}}`));
  add('a JSON NUL in a key', json('{"tok\\u0000en":"x","identifier":"a"}'));
  add('JSON nested 5000 deep', json(`{"token":${'['.repeat(5000)}${']'.repeat(5000)}}`));
  add('a JSON array at the top', json('[1,2,3]'));
  add('a JSON string at the top', json('"token"'));
  add('JSON null at the top', json('null'));
  add('a JSON number out of range', json('{"token":1e400,"identifier":-0}'));
  add('broken JSON', json('{"token":'));
  add('JSON with a byte-order mark', json('\ufeff{"token":"x"}'));
  add('an empty JSON body', json(''));
  add('JSON that is not UTF-8', { headers: { 'content-type': JSON_TYPE }, body: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) });
  add('a 1 MB JSON body', json({ token: 'x'.repeat(1024 * 1024) }));
  return attempts;
}

/**
 * One attempt, through Fastify's inject (the same router, hooks, body parsers and limits as a
 * socket, without a TCP connection for each of the ~12,000 requests: bad input is the point here,
 * not the network), except the event stream, which never ends by itself and is let go at once
 * over a real connection, as a browser leaving the page does.
 */
async function send(app: TestGatehouse, browser: Client, attempt: Attempt): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { origin: new URL(app.url).origin, ...attempt.headers };
  if (!headers.cookie) headers.cookie = [...browser.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  if (new URL(attempt.path, app.url).pathname === '/qr/events') return sendOverSocket(app, attempt, headers);
  const reply = await app.gatehouse.app.inject({ method: attempt.method as 'GET', url: attempt.path, headers: { host: new URL(app.url).host, ...headers }, ...(attempt.body === undefined ? {} : { payload: attempt.body }) });
  return { status: reply.statusCode, text: reply.statusCode >= 500 ? reply.body.slice(0, 300) : '' };
}

/**
 * One request on a connection of its own (node:http without an agent: Connection: close), so no
 * keep-alive socket of the fuzzer outlives its answer and holds the server's close().
 */
function sendOverSocket(app: TestGatehouse, attempt: Attempt, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  if (attempt.body !== undefined) headers['content-length'] = String(Buffer.byteLength(attempt.body));
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(attempt.path, app.url), { method: attempt.method, headers, agent: false, timeout: 10_000 }, (response) => {
      const status = response.statusCode ?? 0;
      // Only a server error's body is read (to report it); anything else, event streams
      // (/qr/events) included, is let go at once, as a browser leaving the page does.
      if (status < 500) {
        response.destroy();
        return resolve({ status, text: '' });
      }
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status, text: text.slice(0, 300) }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${attempt.method} ${attempt.path}: no answer within 10 s`)));
    // The server may answer (413) and close before a 1 MB body is all sent: that is an answer.
    // A connection cut with no answer at all is reported as status 0 (and fails the test below).
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') return reject(error);
      setTimeout(() => resolve({ status: 0, text: `connection cut without an answer (${error.code})` }), 1000);
    });
    outgoing.end(attempt.body);
  });
}

for (const dialect of testDialects) {
  describe(`every route fuzzed on ${dialect}`, { timeout: 240_000 }, () => {
    const app = gatehouseForSuite(dialect);

    test('fuzz: every registered route, given malformed requests of every kind by a signed-in browser, answers 0 × 5xx and the node stays up', async (t) => {
      const routes = registeredRoutes(app.gatehouse.app);
      // The tree really was read: the routes every flow depends on are in it.
      for (const expected of ['POST /login', 'POST /api/v1/app/sessions', 'POST /account/sessions/:id/end', 'GET /qr/events', 'POST /qr/:token/confirm', 'GET /static/:name']) {
        assert.ok(routes.some((r) => `${r.method} ${r.url}` === expected), `${expected} enumerated`);
      }
      const account = await makeAccount(app, { email: 'fuzz.owner@example.com', loginName: 'fuzz_owner' });
      const browser = createClient(app.url);
      await signInOk(browser, account.email, account.password);
      await browser.get('/account');
      // A live sign-up flow, so that "flow" fields name something real.
      const started = await browser.post('/register', registrationFields('fuzz.flow@example.com'));
      const flow = new URL(started.location ?? '/?flow=x', app.url).searchParams.get('flow') ?? 'x';

      const serverErrors: string[] = [];
      let sent = 0;
      for (const route of routes) {
        // Some attempts (a valid-looking /logout) may end the session: sign in again, so every
        // route is reached as a signed-in browser would reach it.
        if ((await browser.get('/api/v1/whoami')).status !== 200) await signInOk(browser, account.email, account.password);
        await browser.get('/account');
        for (const attempt of attemptsFor(route, browser.csrf, flow)) {
          const answer = await send(app, browser, attempt);
          sent++;
          if (answer.status >= 500 || answer.status === 0) serverErrors.push(`${attempt.method} ${attempt.path.slice(0, 120)} (${route.method} ${route.url}) with ${attempt.name}: ${answer.status} ${answer.text}`);
        }
      }
      t.diagnostic(`${routes.length} routes, ${sent} malformed requests, ${serverErrors.length} answered 5xx`);
      assert.deepEqual(serverErrors.slice(0, 20), [], `${serverErrors.length} of ${sent} requests answered 5xx`);
      assert.ok(sent > routes.length * 20, `${sent} requests sent`);
      assert.equal((await createClient(app.url).get('/login')).status, 200, 'the node still serves pages');
    });
  });
}
