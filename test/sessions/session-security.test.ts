// DESIGN.md §2 "sessions": 256-bit random token in a __Host- cookie (Secure, HttpOnly,
// SameSite=Lax, Path=/), only its SHA-256 stored, new token on sign-in, 30 min idle / 12 h
// absolute for browsers; sign-out and "end session" work on the server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { SESSION_COOKIE, dumpDatabase, makeAccount, sessionSetCookie, signIn, signInOk, whoamiWith } from '../security/kit.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of testDialects) {
  describe(`sessions on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = () => makeAccount(app, { email: `shopper${++n}@example.com`, loginName: `shopper${n}` });

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    test('session: the token is 256 random bits (43 base64url chars) and only its SHA-256 is stored', async () => {
      const account = await freshAccount();
      const tokens = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const token = await signInOk(createClient(app.url), account.email, account.password);
        assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 bytes as unpadded base64url');
        assert.equal(Buffer.from(token, 'base64url').length, 32);
        tokens.add(token);
      }
      assert.equal(tokens.size, 3, 'every sign-in draws a new token');

      const rows = await app.gatehouse.services.db.selectFrom('sessions').selectAll().where('account_id', '=', account.id).execute();
      assert.equal(rows.length, 3);
      const stored = new Set(rows.map((row) => row.token_hash));
      for (const token of tokens) {
        assert.ok(stored.has(createHash('sha256').update(token).digest('hex')), 'the SHA-256 (hex) of the token is stored');
      }
      const everything = await dumpDatabase(app);
      for (const token of tokens) {
        assert.ok(!everything.includes(token), 'the raw token appears nowhere in the database');
        assert.ok(!everything.includes(Buffer.from(token, 'base64url').toString('hex')), 'nor its bytes in hex');
      }
    });

    test('session: the cookie is __Host-gh_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain', async () => {
      const account = await freshAccount();
      const response = await signIn(createClient(app.url), account.email, account.password);
      assert.equal(response.status, 303);
      const line = sessionSetCookie(response);
      assert.ok(line, 'the sign-in sets the session cookie');
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      assert.match(pair!, /^__Host-gh_session=[A-Za-z0-9_-]{43}$/);
      const names = attributes.map((attribute) => attribute.split('=')[0]!.toLowerCase());
      const value = (name: string) => attributes.find((a) => a.toLowerCase().startsWith(`${name}=`))?.split('=')[1];
      assert.ok(names.includes('secure'), 'Secure');
      assert.ok(names.includes('httponly'), 'HttpOnly');
      assert.equal(value('samesite')?.toLowerCase(), 'lax', 'SameSite=Lax');
      assert.equal(value('path'), '/', 'Path=/');
      assert.ok(!names.includes('domain'), 'no Domain (a __Host- cookie must not have one)');
      // Without "Keep me signed in" the cookie is a browser-session cookie: no Max-Age, no Expires,
      // gone when the browser closes (the 12 h and 30 min limits hold on the server as well).
      assert.ok(!names.includes('max-age') && !names.includes('expires'), 'a short session sets a browser-session cookie');
    });

    test('session: every sign-in issues a new token; a token planted before sign-in is not the one after', async () => {
      const victim = await freshAccount();
      const attacker = await freshAccount();

      // A made-up token planted in the browser is ignored and replaced.
      const browser = createClient(app.url);
      const planted = randomBytes(32).toString('base64url');
      browser.jar.set(SESSION_COOKIE, planted);
      const first = await signInOk(browser, victim.email, victim.password);
      assert.notEqual(first, planted);
      assert.equal(browser.jar.get(SESSION_COOKIE), first, 'the browser now holds the new token');
      assert.equal((await whoamiWith(app, planted)).status, 401, 'the planted token signs nobody in');

      // A real session of the attacker planted in the victim's browser (session fixation): the
      // victim's sign-in gets a token of its own, and the attacker's token stays the attacker's.
      const attackerToken = await signInOk(createClient(app.url), attacker.email, attacker.password);
      const victimBrowser = createClient(app.url);
      victimBrowser.jar.set(SESSION_COOKIE, attackerToken);
      await victimBrowser.get('/account'); // the page (and its CSRF token) of the planted session
      const victimToken = sessionTokenAfterPost(await victimBrowser.post('/login', { identifier: victim.email, password: victim.password }));
      assert.notEqual(victimToken, attackerToken);
      assert.equal((await whoamiWith(app, victimToken)).body.account.id, victim.id);
      assert.equal((await whoamiWith(app, attackerToken)).status, 401, "the fixed token never becomes the victim's session: the sign-in ended it");

      // Signing in again in the same browser gives yet another token.
      const second = await signInOk(browser, victim.email, victim.password);
      assert.notEqual(second, first);
    });

    test('session: signing in again in the same browser ends the session it held — one browser, one live session', async () => {
      const account = await freshAccount();
      const browser = createClient(app.url);
      const first = await signInOk(browser, account.email, account.password);
      const second = await signInOk(browser, account.email, account.password);
      assert.notEqual(second, first);
      assert.equal((await whoamiWith(app, first)).status, 401, 'the earlier session of this browser is over');
      assert.equal((await whoamiWith(app, second)).status, 200);
      const live = await app.gatehouse.services.db.selectFrom('sessions').select('id').where('account_id', '=', account.id).where('revoked_at', 'is', null).execute();
      assert.equal(live.length, 1, 'one live session row');
    });

    test('session: the browser cookie accepts only browser sessions — an app bearer token in the cookie opens nothing', async () => {
      const account = await freshAccount();
      const made = await fetch(`${app.url}/api/v1/app/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: account.email, password: account.password }) });
      assert.equal(made.status, 201, `the app signs in (${made.status})`);
      const appToken = ((await made.json()) as { token: string }).token;
      const asBearer = await fetch(`${app.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${appToken}` } });
      assert.equal(asBearer.status, 200, 'the app token works as a bearer');
      const browser = createClient(app.url);
      browser.jar.set(SESSION_COOKIE, appToken);
      const page = await browser.get('/account');
      assert.equal(page.status, 303, 'My account sends the browser to sign in');
      assert.match(page.location ?? '', /^\/login/);
      const cookieWhoami = await browser.get('/api/v1/whoami');
      assert.equal(cookieWhoami.status, 401, 'whoami by cookie refuses it too');
    });

    test('session: with a 1-minute idle limit an active session lives on — the idle clock is touched every tenth of the limit', async () => {
      const short = await startTestGatehouse(dialect, { clock, env: { SESSION_IDLE_MINUTES: '1' } });
      try {
        const account = await makeAccount(short, { email: `idle-short-${dialect}@example.com` });
        const token = await signInOk(createClient(short.url), account.email, account.password);
        for (let i = 0; i < 12; i++) {
          clock.advance(10_000);
          assert.equal((await whoamiWith(short, token)).status, 200, `alive at ${(i + 1) * 10} s of steady use`);
        }
        clock.advance(61_000);
        assert.equal((await whoamiWith(short, token)).status, 401, 'ended after a minute idle');
      } finally {
        await short.close();
      }
    });

    test('session: 30 minutes idle ends it; activity within 30 minutes keeps it alive', async () => {
      const account = await freshAccount();
      const token = await signInOk(createClient(app.url), account.email, account.password);
      clock.advance(29 * MINUTE);
      assert.equal((await whoamiWith(app, token)).status, 200, 'alive after 29 min idle');
      clock.advance(29 * MINUTE);
      assert.equal((await whoamiWith(app, token)).status, 200, 'the request 29 min ago moved the idle clock');
      clock.advance(31 * MINUTE);
      assert.equal((await whoamiWith(app, token)).status, 401, 'ended after 31 min idle');
      clock.advance(MINUTE);
      assert.equal((await whoamiWith(app, token)).status, 401, 'and stays ended');

      // Pages treat it as signed out too.
      const other = await signInOk(createClient(app.url), account.email, account.password);
      clock.advance(31 * MINUTE);
      const page = await fetch(new URL('/account', app.url), { headers: { cookie: `${SESSION_COOKIE}=${other}` }, redirect: 'manual' });
      assert.equal(page.status, 303);
      assert.match(page.headers.get('location') ?? '', /^\/login/);
    });

    test('session: 12 hours after sign-in it ends even with constant activity', async () => {
      const account = await freshAccount();
      const started = clock.now();
      const token = await signInOk(createClient(app.url), account.email, account.password);
      while (clock.now() + 20 * MINUTE < started + 12 * HOUR) {
        clock.advance(20 * MINUTE);
        assert.equal((await whoamiWith(app, token)).status, 200, `alive ${(clock.now() - started) / MINUTE} min in`);
      }
      clock.set(started + 12 * HOUR - 1000);
      assert.equal((await whoamiWith(app, token)).status, 200, 'alive one second before 12 h');
      clock.set(started + 12 * HOUR);
      assert.equal((await whoamiWith(app, token)).status, 401, 'ended at 12 h despite the activity');
    });

    test('session: sign-out ends it on the server; the old cookie replayed answers 401', async () => {
      const account = await freshAccount();
      const browser = createClient(app.url);
      const token = await signInOk(browser, account.email, account.password);
      await browser.get('/account');
      const out = await browser.post('/logout', {});
      assert.equal(out.status, 303);
      assert.equal(out.location, '/login?signed_out=1');
      assert.ok(/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(sessionSetCookie(out) ?? ''), 'the cookie is cleared');
      assert.equal((await whoamiWith(app, token)).status, 401, 'the replayed old cookie is refused');
      const replayed = await fetch(new URL('/account', app.url), { headers: { cookie: `${SESSION_COOKIE}=${token}` }, redirect: 'manual' });
      assert.equal(replayed.status, 303, '/account sends the replayed cookie to sign in');
      const row = await app.gatehouse.services.db
        .selectFrom('sessions')
        .select('revoked_at')
        .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
        .executeTakeFirstOrThrow();
      assert.notEqual(row.revoked_at, null, 'the session row is revoked');
    });

    test('whoami: 200 JSON with account id/email/emailVerified and session authenticatedVia/expiresAt; 401 JSON error otherwise', async () => {
      const account = await freshAccount();
      const signedInAt = clock.now();
      const token = await signInOk(createClient(app.url), account.email, account.password);

      const ok = await fetch(new URL('/api/v1/whoami', app.url), { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
      const body = await ok.json();
      assert.deepEqual(body.account, { id: account.id, email: account.email, emailVerified: true });
      assert.equal(body.session.authenticatedVia, 'password');
      assert.equal(body.session.kind, 'browser');
      assert.equal(typeof body.session.id, 'string');
      assert.equal(body.session.expiresAt, new Date(signedInAt + 30 * MINUTE).toISOString(), 'expiresAt is the idle deadline');
      assert.equal(body.session.absoluteExpiresAt, new Date(signedInAt + 12 * HOUR).toISOString());
      assert.ok(!JSON.stringify(body).includes(token), 'whoami never echoes the token');

      // The same answer with the token as a bearer token (how the store's other services ask).
      const bearer = await fetch(new URL('/api/v1/whoami', app.url), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(bearer.status, 200);
      assert.equal((await bearer.json()).account.id, account.id);

      const unauthenticated = async (headers: Record<string, string>, why: string) => {
        const response = await fetch(new URL('/api/v1/whoami', app.url), { headers });
        assert.equal(response.status, 401, why);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/, why);
        const error = await response.json();
        assert.deepEqual(Object.keys(error), ['error'], why);
        assert.equal(error.error.code, 'request.unauthenticated', why);
        assert.equal(typeof error.error.message, 'string', why);
        assert.ok(error.error.message.length > 0, why);
      };
      await unauthenticated({}, 'no cookie');
      await unauthenticated({ cookie: `${SESSION_COOKIE}=${randomBytes(32).toString('base64url')}` }, 'unknown token');
      await unauthenticated({ cookie: `${SESSION_COOKIE}=${'x'.repeat(5000)}` }, 'absurd token');
      await unauthenticated({ authorization: 'Bearer not-a-token' }, 'malformed bearer');
      await unauthenticated({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'another scheme');
    });

    test('security page: ending another of your sessions works; an id of another account answers 404 and changes nothing', async () => {
      const owner = await freshAccount();
      const stranger = await freshAccount();
      const laptop = createClient(app.url);
      const phone = createClient(app.url);
      const laptopToken = await signInOk(laptop, owner.email, owner.password);
      const phoneToken = await signInOk(phone, owner.email, owner.password);
      const strangerToken = await signInOk(createClient(app.url), stranger.email, stranger.password);
      const phoneId = (await whoamiWith(app, phoneToken)).body.session.id as string;
      const strangerId = (await whoamiWith(app, strangerToken)).body.session.id as string;

      const security = await laptop.get('/account/security');
      assert.equal(security.status, 200);
      assert.ok(security.text.includes(`/account/sessions/${phoneId}/end`), 'the phone session is listed with an end button');
      assert.ok(!security.text.includes(strangerId), "another account's sessions are not listed");

      // Another account's session: 404, and its row is untouched.
      const sessionsBefore = await app.gatehouse.services.db.selectFrom('sessions').selectAll().orderBy('id').execute();
      const foreign = await laptop.post(`/account/sessions/${strangerId}/end`, {});
      assert.equal(foreign.status, 404);
      assert.match(foreign.text, /That session no longer exists/);
      const unknown = await laptop.post('/account/sessions/00000000-0000-4000-8000-000000000000/end', {});
      assert.equal(unknown.status, 404);
      assert.deepEqual(await app.gatehouse.services.db.selectFrom('sessions').selectAll().orderBy('id').execute(), sessionsBefore, 'nothing changed');
      assert.equal((await whoamiWith(app, strangerToken)).status, 200, "the stranger's session still works");

      // One's own other session: ended.
      const ended = await laptop.post(`/account/sessions/${phoneId}/end`, {});
      assert.equal(ended.status, 303);
      assert.equal(ended.location, '/account/security?ended=one');
      assert.equal((await whoamiWith(app, phoneToken)).status, 401, 'the phone is signed out');
      assert.equal((await whoamiWith(app, laptopToken)).status, 200, 'the laptop stays signed in');
      const again = await laptop.post(`/account/sessions/${phoneId}/end`, {});
      assert.equal(again.status, 404, 'an ended session cannot be ended twice');
    });

    test('security page: a session that ended by idling 30 minutes is no longer listed', async () => {
      const owner = await freshAccount();
      const here = createClient(app.url);
      await signInOk(here, owner.email, owner.password);
      const idleToken = await signInOk(createClient(app.url), owner.email, owner.password);
      const idleId = (await whoamiWith(app, idleToken)).body.session.id as string;
      clock.advance(20 * MINUTE);
      assert.ok((await here.get('/account/security')).text.includes(idleId), 'listed while alive');
      clock.advance(11 * MINUTE);
      assert.equal((await whoamiWith(app, idleToken)).status, 401);
      const page = await here.get('/account/security');
      assert.equal(page.status, 200, 'the browser that kept busy is still signed in');
      assert.ok(!page.text.includes(idleId), 'the idle one is gone from the list');
    });

    test('security page: "end all other sessions" ends every other session of the account and keeps this one', async () => {
      const owner = await freshAccount();
      const stranger = await freshAccount();
      const here = createClient(app.url);
      const hereToken = await signInOk(here, owner.email, owner.password);
      const others = [
        await signInOk(createClient(app.url), owner.email, owner.password),
        await signInOk(createClient(app.url), owner.email, owner.password),
      ];
      const strangerToken = await signInOk(createClient(app.url), stranger.email, stranger.password);
      await here.get('/account/security');
      const response = await here.post('/account/sessions/end-others', {});
      assert.equal(response.status, 303);
      for (const token of others) assert.equal((await whoamiWith(app, token)).status, 401);
      assert.equal((await whoamiWith(app, hereToken)).status, 200);
      assert.equal((await whoamiWith(app, strangerToken)).status, 200, "another account's sessions are untouched");
    });
  });
}

function sessionTokenAfterPost(response: { status: number; headers: Headers }): string {
  assert.equal(response.status, 303);
  const line = response.headers.getSetCookie().find((l) => l.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(line);
  return line.slice(SESSION_COOKIE.length + 1).split(';')[0]!;
}
