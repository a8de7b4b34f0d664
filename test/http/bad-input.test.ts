// DESIGN.md §6 "Bad input of any shape gets a clear 4xx with a message, never a 500, and changes
// nothing", and §2 "forms": a CSRF token on every state-changing form plus an Origin check.
// Every POST route gets every kind of broken request from a signed-in browser that holds a live
// sign-up flow, a live recovery flow and a live Change password flow, so a request that got
// through would have something to change.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client, type Response } from '../harness/http-client.ts';
import { alertText, dumpDatabase, flowIdFrom, makeAccount, registrationFields, signInOk, whoamiWith } from '../security/kit.ts';

const MESSAGES = {
  400: 'The form could not be read. Please go back, check what you entered and try again.',
  403: 'This form has expired or was sent from another site. Reload the page and try again.',
  404: 'This page does not exist.',
  413: 'What you sent is too large.',
  415: 'This kind of request is not accepted here.',
} as const;
/** The one 400 that names its reason: a control character in any field (src/http/plain-text-guard.ts). */
const CONTROL_MESSAGE = 'What you entered contains an invisible control character (such as a line break or a NUL). Please type it again and try once more.';

interface Route {
  path: string;
  /** A valid set of fields (what the page's form posts). */
  fields: Record<string, string>;
  required: string[];
  /** maxLength of each field in the route's schema. */
  limits: Record<string, number>;
}

interface BadRequest {
  name: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  status: number | number[];
  /** The message expected instead of the status's usual one. */
  message?: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** POST routes whose address is also a page. */
const PAGES_TOO = ['/login', '/register', '/register/code', '/recovery', '/recovery/code', '/recovery/password', '/account/password/code', '/account/password/new'];
const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Anything that looks like a leaked stack trace or source path. */
function assertNoStackTrace(text: string, why: string) {
  assert.doesNotMatch(text, /\bat [\w.<>]+ \(|at file:\/\/|node_modules|\/src\/|\.tsx?:\d+|\bError: |"stack"/, `${why}: no stack trace or source path`);
}

/** The broken variants of one route's request. */
function badRequestsFor(route: Route, csrf: string, foreignCsrf: string): BadRequest[] {
  const withToken: Record<string, string> = { _csrf: csrf, ...route.fields };
  const valid = encode(withToken);
  const cases: BadRequest[] = [
    { name: 'no CSRF token', body: encode(route.fields), headers: FORM, status: 403 },
    { name: 'an empty body', body: '', headers: FORM, status: 403 },
    { name: 'a CSRF token of another browser', body: encode({ ...route.fields, _csrf: foreignCsrf }), headers: FORM, status: 403 },
    { name: 'a made-up CSRF token', body: encode({ ...route.fields, _csrf: 'x'.repeat(43) }), headers: FORM, status: 403 },
    { name: 'the CSRF token sent twice', body: `${valid}&_csrf=${csrf}`, headers: FORM, status: [400, 403] },
    { name: 'an Origin of another site', body: valid, headers: { ...FORM, origin: 'https://evil.example' }, status: 403 },
    { name: 'Origin: null', body: valid, headers: { ...FORM, origin: 'null' }, status: 403 },
    { name: 'an Origin of a look-alike host', body: valid, headers: { ...FORM, origin: 'http://localhost.evil.example' }, status: 403 },
    { name: 'a CSRF token over its length limit', body: encode({ ...route.fields, _csrf: 'x'.repeat(129) }), headers: FORM, status: [400, 403] },
    { name: 'an unknown extra field of 1025 characters', body: `${valid}&extra=${'x'.repeat(1025)}`, headers: FORM, status: 400 },
    { name: 'a 1 MB body', body: `${valid}&filler=${'x'.repeat(1024 * 1024)}`, headers: FORM, status: 413 },
    { name: 'raw bytes that are not UTF-8', body: Buffer.concat([Buffer.from(`${valid}&junk=`), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]), headers: FORM, status: 400 },
    { name: 'a %FF escape (not UTF-8)', body: `${valid}&junk=%FF`, headers: FORM, status: 400 },
    { name: 'a %C0%AF escape (overlong UTF-8)', body: `${valid}&junk=%C0%AF`, headers: FORM, status: 400 },
    { name: 'a %ED%A0%80 escape (a lone surrogate)', body: `${valid}&junk=%ED%A0%80`, headers: FORM, status: 400 },
    { name: 'a truncated %-escape', body: `${valid}&junk=%E`, headers: FORM, status: 400 },
    { name: 'a NUL character (%00)', body: `${valid}&junk=a%00b`, headers: FORM, status: 400, message: CONTROL_MESSAGE },
    { name: 'JSON instead of a form (with the token)', body: JSON.stringify(withToken), headers: { 'content-type': 'application/json' }, status: 415 },
    { name: 'broken JSON', body: '{"_csrf":', headers: { 'content-type': 'application/json' }, status: 415 },
    { name: 'text/plain', body: valid, headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'multipart/form-data', body: `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--b--\r\n`, headers: { 'content-type': 'multipart/form-data; boundary=b' }, status: 415 },
    { name: 'no content type at all', body: Buffer.from(valid), headers: {}, status: 415 },
    { name: 'an invented content type', body: valid, headers: { 'content-type': 'application/x-gatehouse' }, status: 415 },
    { name: 'PUT instead of POST', method: 'PUT', body: valid, headers: FORM, status: [404, 405] },
    { name: 'DELETE instead of POST', method: 'DELETE', body: valid, headers: FORM, status: [404, 405] },
    { name: 'PATCH instead of POST', method: 'PATCH', body: valid, headers: FORM, status: [404, 405] },
  ];
  // Routes whose address is also a page (GET /login, /register, /register/code, …) answer GET with it.
  if (!PAGES_TOO.includes(route.path)) cases.push({ name: 'GET instead of POST', method: 'GET', status: [404, 405] });
  for (const field of Object.keys(route.fields)) {
    cases.push({ name: `"${field}" sent twice`, body: `${valid}&${field}=again`, headers: FORM, status: 400 });
    cases.push({ name: `"${field}" one character over its ${route.limits[field]}-character limit`, body: encode({ ...withToken, [field]: 'a'.repeat(route.limits[field]! + 1) }), headers: FORM, status: 400 });
  }
  for (const field of route.required) {
    const rest = Object.fromEntries(Object.entries(withToken).filter(([name]) => name !== field));
    cases.push({ name: `"${field}" missing`, body: encode(rest), headers: FORM, status: 400 });
    cases.push({ name: `"${field}" sent as ${field}[] (array syntax)`, body: `${encode(rest)}&${field}%5B%5D=x`, headers: FORM, status: 400 });
    cases.push({ name: `"${field}" with an empty name beside it`, body: `${encode(rest)}&=${field}`, headers: FORM, status: 400 });
  }
  return cases;
}

for (const dialect of testDialects) {
  describe(`bad input on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    // A clock that stands still: sessions are not even touched, so any change in the database
    // comes from a request that should have been refused.
    const clock = createManualClock();
    let browser: Client;
    let token: string;
    let routes: Route[];
    let recoveryFlow: string;
    let changeFlow: string;

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
      const account = await makeAccount(app, { email: 'careful.shopper@example.com', loginName: 'careful' });
      browser = createClient(app.url);
      token = await signInOk(browser, account.email, account.password);
      const phone = await signInOk(createClient(app.url), account.email, account.password);
      const phoneId = (await whoamiWith(app, phone)).body.session.id as string;
      await browser.get('/account');
      const started = await browser.post('/register', registrationFields('second.address@example.com'));
      assert.equal(started.status, 303);
      const flow = flowIdFrom(started.location);
      await app.codeFor('second.address@example.com');
      // A recovery flow (for this very account) and a Change password flow, both waiting for a code.
      await browser.get('/recovery');
      const recovery = await browser.post('/recovery', { identifier: account.loginName! });
      assert.equal(recovery.status, 303);
      recoveryFlow = flowIdFrom(recovery.location);
      await browser.get('/account/settings');
      const change = await browser.post('/account/password', {});
      assert.equal(change.status, 303);
      changeFlow = flowIdFrom(change.location);
      // Their emails go out in the background; wait until the outbox is still, so that the
      // broken requests below are the only thing that could change the database.
      for (let waited = 0; ; waited += 20) {
        const busy = await app.gatehouse.services.db.selectFrom('outbox').select('id').where('status', '!=', 'sent').execute();
        if (busy.length === 0) break;
        assert.ok(waited < 10_000, 'the outbox empties');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await browser.get('/account');

      const password = 'a long enough pass phrase';
      routes = [
        { path: '/login', fields: { identifier: account.email, password: account.password }, required: ['identifier', 'password'], limits: { identifier: 1024, password: 1024, return_to: 512 } },
        { path: '/logout', fields: {}, required: [], limits: {} },
        {
          path: '/register',
          fields: { email: 'third.address@example.com', login_name: 'third', password, password_confirmation: password },
          required: ['email', 'password', 'password_confirmation'],
          limits: { email: 1024, login_name: 1024, password: 1024, password_confirmation: 1024 },
        },
        { path: '/register/code', fields: { flow, code: '123456' }, required: ['flow', 'code'], limits: { flow: 64, code: 64 } },
        { path: '/register/resend', fields: { flow }, required: ['flow'], limits: { flow: 64 } },
        { path: '/account/settings/language', fields: { locale: 'ru' }, required: ['locale'], limits: { locale: 8 } },
        { path: `/account/sessions/${phoneId}/end`, fields: {}, required: [], limits: {} },
        { path: '/account/sessions/end-others', fields: {}, required: [], limits: {} },
        { path: '/recovery', fields: { identifier: account.email }, required: ['identifier'], limits: { identifier: 1024 } },
        { path: '/recovery/code', fields: { flow: recoveryFlow, code: '123456' }, required: ['flow', 'code'], limits: { flow: 64, code: 64 } },
        { path: '/recovery/resend', fields: { flow: recoveryFlow }, required: ['flow'], limits: { flow: 64 } },
        {
          path: '/recovery/password',
          fields: { flow: recoveryFlow, password, password_confirmation: password, sign_out_others: '1' },
          required: ['flow', 'password', 'password_confirmation'],
          limits: { flow: 64, password: 1024, password_confirmation: 1024, sign_out_others: 8 },
        },
        { path: '/account/password', fields: {}, required: [], limits: {} },
        { path: '/account/password/code', fields: { flow: changeFlow, code: '123456' }, required: ['flow', 'code'], limits: { flow: 64, code: 64 } },
        { path: '/account/password/resend', fields: { flow: changeFlow }, required: ['flow'], limits: { flow: 64 } },
        {
          path: '/account/password/new',
          fields: { flow: changeFlow, password, password_confirmation: password, sign_out_others: '1' },
          required: ['flow', 'password', 'password_confirmation'],
          limits: { flow: 64, password: 1024, password_confirmation: 1024, sign_out_others: 8 },
        },
      ];
    });
    after(() => app.close());

    test('bad input: every broken request to every POST route gets a clear 4xx page with a message, never a 500, and changes nothing', async () => {
      const stranger = createClient(app.url);
      await stranger.get('/login');
      const foreignCsrf = stranger.csrf;
      let checked = 0;
      // Each request must leave the database as it found it, so the dump after one is the dump
      // before the next: taken once per request, not twice.
      const before = await dumpDatabase(app);
      for (const route of routes) {
        for (const bad of badRequestsFor(route, browser.csrf, foreignCsrf)) {
          const why = `${route.path} with ${bad.name}`;
          const response: Response = await browser.raw(bad.method ?? 'POST', route.path, { body: bad.body, headers: bad.headers });
          const allowed = Array.isArray(bad.status) ? bad.status : [bad.status];
          assert.ok(allowed.includes(response.status), `${why}: expected ${allowed.join(' or ')}, got ${response.status}: ${alertText(response.text) ?? response.text.slice(0, 200)}`);
          assertNoStackTrace(response.text, why);
          if (response.status >= 400) {
            assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${why}: a page for a browser`);
            const message = alertText(response.text);
            assert.ok(message && message.length > 10, `${why}: a message a person can read`);
            const expected = bad.message ?? MESSAGES[response.status as keyof typeof MESSAGES];
            if (expected) assert.equal(message, expected, why);
          }
          assert.equal(await dumpDatabase(app), before, `${why}: nothing changed in the database`);
          assert.ok(!response.headers.getSetCookie().some((line) => line.startsWith('__Host-gh_session=')), `${why}: the session cookie is left alone`);
          checked++;
        }
      }
      assert.ok(checked > 400, `${checked} broken requests checked`);
      assert.equal((await whoamiWith(app, token)).status, 200, 'the browser is still signed in');
    });

    test('bad input: a NUL character in a field that reaches the database is refused (400), not a PostgreSQL 500', async () => {
      const fresh = createClient(app.url);
      // The sign-in page itself starts a QR sign-in request, so the database is read after it.
      await fresh.get('/login');
      const before = await dumpDatabase(app);
      const cases: [string, Record<string, string>][] = [
        ['/login', { identifier: 'someone\u0000@example.com', password: 'whatever password' }],
        ['/register', { ...registrationFields('nul\u0000byte@example.com') }],
        ['/register', { ...registrationFields('nul.byte@example.com', 'a long pass\u0000phrase') }],
        ['/recovery', { identifier: 'someone\u0000@example.com' }],
        ['/recovery', { identifier: 'some\u0000one' }],
        ['/recovery/code', { flow: recoveryFlow, code: '12\u00003456' }],
        ['/recovery/resend', { flow: `${recoveryFlow}\u0000` }],
      ];
      for (const [path, fields] of cases) {
        const response = await fresh.post(path, fields);
        assert.equal(response.status, 400, `${path} ${JSON.stringify(fields)}`);
        assert.equal(alertText(response.text), CONTROL_MESSAGE);
      }
      const endNul = await browser.post('/account/sessions/%00/end', {});
      assert.equal(endNul.status, 400, 'a session id with a NUL is refused like any other field');
      assert.equal(alertText(endNul.text), CONTROL_MESSAGE);
      assert.equal(await dumpDatabase(app), before);
    });

    test('bad input: a tab, a line break, DEL, a C1 control or a lone surrogate in any form or JSON field is refused (400) with one readable message, and changes nothing', async () => {
      const fresh = createClient(app.url);
      await fresh.get('/login');
      const before = await dumpDatabase(app);
      const controls = ['\t', '\r\n', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b'];
      for (const control of controls) {
        for (const [path, fields] of [
          ['/login', { identifier: `someone${control}@example.com`, password: 'whatever password' }],
          ['/register', registrationFields('plain@example.com', `a long pass${control}phrase`)],
          ['/recovery', { identifier: `some${control}one` }],
        ] as [string, Record<string, string>][]) {
          const response = await fresh.post(path, fields);
          assert.equal(response.status, 400, `${path} with ${JSON.stringify(control)}`);
          assert.equal(alertText(response.text), CONTROL_MESSAGE, `${path} with ${JSON.stringify(control)}`);
        }
      }
      // JSON can spell what a form cannot: NUL as \u0000 and a lone surrogate as \ud800. Every JSON
      // route answers in JSON with the same code, in the language the app asked for.
      const jsonBodies: [string, (bad: string) => unknown][] = [
        ['/api/v1/app/sessions', (bad) => ({ identifier: `someone${bad}@example.com`, password: 'whatever password' })],
        ['/api/v1/app/sessions', (bad) => ({ identifier: 'someone@example.com', password: `whatever${bad}password` })],
        ['/api/v1/qr/scan', (bad) => ({ token: `token${bad}` })],
        ['/api/v1/app/sessions/second-step/sms', (bad) => ({ flow: `flow${bad}`, flowToken: 'x' })],
      ];
      for (const bad of ['\u0000', '\ud800', '\t', '\u0085']) {
        for (const [path, body] of jsonBodies) {
          for (const locale of ['en', 'ru']) {
            const raw = await fetch(new URL(path, app.url), { method: 'POST', body: JSON.stringify(body(bad)), headers: { 'content-type': 'application/json', 'accept-language': locale } });
            const text = await raw.text();
            assert.equal(raw.status, 400, `${path} with ${JSON.stringify(bad)}: ${text}`);
            const error = JSON.parse(text).error;
            assert.equal(error.code, 'request.control_character', path);
            assert.match(error.message, locale === 'en' ? /invisible control character/ : /невидимый управляющий символ/, path);
          }
        }
      }
      assert.equal(await dumpDatabase(app), before);
    });

    test('bad input: session ids that are not ours, not UUIDs or far too long answer 404 and change nothing', async () => {
      const before = await dumpDatabase(app);
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1", 'a.b', 'x'.repeat(64)]) {
        const response = await browser.post(`/account/sessions/${id}/end`, {});
        assert.equal(response.status, 404, id);
        assert.equal(alertText(response.text), 'That session no longer exists.', id);
      }
      const tooLong = await browser.post(`/account/sessions/${'x'.repeat(200)}/end`, {});
      assert.ok(tooLong.status >= 400 && tooLong.status < 500, `a 200-character id: ${tooLong.status}`);
      assertNoStackTrace(tooLong.text, 'a 200-character id');
      assert.equal(await dumpDatabase(app), before);
    });

    test('bad input: unknown addresses answer 404 pages, whatever the method', async () => {
      const before = await dumpDatabase(app);
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/nope'],
        ['GET', '/account/sessions'],
        ['POST', '/account/sessions'],
        ['GET', '/static/nope.js'],
        ['GET', '/static/..%2f..%2fpackage.json'],
        ['GET', '/login/'.repeat(50)],
        ['OPTIONS', '/login'],
      ] as const) {
        const response = await browser.raw(method, path, method === 'POST' ? { body: encode({ _csrf: browser.csrf }), headers: FORM } : {});
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${method} ${path}`);
        assert.equal(alertText(response.text), MESSAGES[404], `${method} ${path}`);
        assertNoStackTrace(response.text, `${method} ${path}`);
      }
      assert.equal(await dumpDatabase(app), before);
    });

    test('bad input: broken query strings on pages answer a clear 4xx or the page, never a 500', async () => {
      for (const path of [
        '/register/code?flow=%FF',
        '/register/code?flow=a&flow=b',
        '/register/code?flow=%00',
        '/register/code',
        '/login?return_to=%FF%FE',
        '/login?return_to=//evil.example',
        '/login?return_to[]=x',
        '/language?set=%FF&return_to=%00',
        '/account/security?ended=%FF',
        '/recovery/code?flow=%FF',
        '/recovery/code?flow=a&flow=b',
        '/recovery/code?flow[]=x',
        '/recovery/password?flow=%00',
        '/recovery/other-ways',
        '/account/password/code?flow=%FF',
        '/account/password/new?flow=a&flow=b',
        '/account/password/other-ways?flow=%00',
      ]) {
        const response = await browser.get(path);
        assert.ok(response.status < 500, `${path}: ${response.status}`);
        assertNoStackTrace(response.text, path);
        if (response.location) assert.match(response.location, /^\/(?!\/)/, `${path}: redirects stay on the site`);
      }
    });

    test('bad input: a %-escape that is not UTF-8 in the path is a 400 without a stack trace', async () => {
      for (const path of ['/%FF', '/static/%FF', '/account/sessions/%FF/end']) {
        const response = await browser.raw(path.endsWith('/end') ? 'POST' : 'GET', path, path.endsWith('/end') ? { body: encode({ _csrf: browser.csrf }), headers: FORM } : {});
        assert.equal(response.status, 400, path);
        assertNoStackTrace(response.text, path);
      }
    });

    test(
      'bad input: a %-escape that is not UTF-8 in the path answers in the site’s own error format',
      async () => {
        const page = await browser.get('/%FF');
        assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
        const api = await browser.get('/api/%FF');
        assert.deepEqual(Object.keys(JSON.parse(api.text).error), ['code', 'message']);
      },
    );

    test('errors: /api/ paths answer JSON { error: { code, message } }; pages answer HTML error pages', async () => {
      const json = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> }, status: number, code: string) => {
        // Straight fetch, no cookies: these are calls from another service, not from the browser.
        const raw = await fetch(new URL(path, app.url), { method, body: init.body, headers: init.headers });
        const response = { status: raw.status, headers: raw.headers, text: await raw.text() };
        assert.equal(response.status, status, `${method} ${path}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}`);
        const body = JSON.parse(response.text);
        assert.deepEqual(Object.keys(body), ['error'], `${method} ${path}`);
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], `${method} ${path}`);
        assert.equal(body.error.code, code, `${method} ${path}`);
        assert.ok(body.error.message.length > 5);
        assertNoStackTrace(response.text, `${method} ${path}`);
      };
      await json('GET', '/api/nope', {}, 404, 'request.not_found');
      await json('GET', '/api/v2/whoami', {}, 404, 'request.not_found');
      await json('POST', '/api/v1/whoami', { body: '{}', headers: { 'content-type': 'application/json' } }, 404, 'request.not_found');
      await json('DELETE', '/api/v1/whoami', {}, 404, 'request.not_found');
      await json('POST', '/api/nope', { body: `a=${'x'.repeat(1024 * 1024)}`, headers: FORM }, 413, 'request.too_large');
      await json('POST', '/api/nope', { body: '{', headers: { 'content-type': 'application/json' } }, 400, 'request.malformed');
      await json('GET', '/api/v1/whoami', { headers: { cookie: '__Host-gh_session=nope' } }, 401, 'request.unauthenticated');
      // A page route asked for JSON answers JSON too.
      await json('GET', '/nope', { headers: { accept: 'application/json' } }, 404, 'request.not_found');

      const page = await browser.get('/nope');
      assert.equal(page.status, 404);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.text, /^<!doctype html>/);
      assert.equal(alertText(page.text), MESSAGES[404]);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'error pages carry the CSP too');
    });

    test('bad input: the same requests done right do change things (the broken ones were refused for their brokenness)', async () => {
      await browser.get('/account/settings');
      const language = await browser.post('/account/settings/language', { locale: 'ru' });
      assert.equal(language.status, 303);
      const resend = routes.find((r) => r.path === '/register/resend')!;
      clock.advance(61_000);
      const resent = await browser.post('/register/resend', resend.fields);
      assert.equal(resent.status, 303);
      assert.equal((await browser.post('/recovery/resend', { flow: recoveryFlow })).status, 303);
      clock.advance(61_000); // one code a minute per account, over every flow
      assert.equal((await browser.post('/account/password/resend', { flow: changeFlow })).status, 303);
      const phoneEnd = routes.find((r) => r.path.endsWith('/end') && r.path !== '/account/sessions/end-others')!;
      assert.equal((await browser.post(phoneEnd.path, {})).status, 303);
      assert.equal((await browser.post('/logout', {})).status, 303);
      assert.equal((await whoamiWith(app, token)).status, 401);
    });
  });
}
