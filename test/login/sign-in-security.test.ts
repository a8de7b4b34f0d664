// DESIGN.md §2 "enumeration", "sign-in throttling", "password hash": one answer for unknown,
// wrong and locked, after the same work; per-account delays after 5 failures (1 s doubling to
// 15 min); 20 failures per 10 min per client address; rehash on sign-in when parameters change.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Algorithm, hash as argon2Hash } from '@node-rs/argon2';
import { testDialects } from '../harness/databases.ts';
import { PRODUCTION_ARGON2, startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, makeAccount, signIn, signInOk, whoamiWith, withoutTokens } from '../security/kit.ts';

const GENERIC = 'The email, login name or password is not right.';

for (const dialect of testDialects) {
  describe(`sign-in on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = (extra: { locked?: boolean; passwordHash?: string | null } = {}) =>
      makeAccount(app, { email: `buyer${++n}@example.com`, loginName: `buyer_${n}`, ...extra });
    /** Each test starts with the client-address window empty, so earlier tests' failures do not count. */
    const nextWindow = () => clock.advance(11 * 60_000);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock, env: PRODUCTION_ARGON2 });
    });
    after(() => app.close());

    test('sign-in: unknown account, wrong password and locked account get one generic answer (byte-identical pages)', async () => {
      nextWindow();
      const known = await freshAccount();
      const locked = await freshAccount({ locked: true });
      const noPassword = await freshAccount({ passwordHash: null });
      const browser = createClient(app.url);
      // Same-length identifiers, so that the echoed identifier does not differ in length either.
      const cases = [
        { why: 'unknown account', identifier: 'nobody99@example.com', password: 'whatever password 1' },
        { why: 'wrong password', identifier: known.email, password: 'whatever password 1' },
        { why: 'locked account, wrong password', identifier: locked.email, password: 'whatever password 1' },
        { why: 'locked account, right password', identifier: locked.email, password: locked.password },
        { why: 'account without a password', identifier: noPassword.email, password: 'whatever password 1' },
        { why: 'unknown login name', identifier: 'nobody_99', password: 'whatever password 1' },
        { why: 'malformed identifier', identifier: 'not an identifier!', password: 'whatever password 1' },
      ];
      const pages: string[] = [];
      for (const c of cases) {
        await browser.get('/login');
        const response = await browser.post('/login', { identifier: c.identifier, password: c.password });
        assert.equal(response.status, 401, c.why);
        assert.equal(alertText(response.text), GENERIC, c.why);
        assert.equal(browser.jar.has('__Host-gh_session'), false, `${c.why}: no session`);
        assert.equal(response.headers.get('retry-after'), null, c.why);
        assert.ok(!response.text.includes(c.password), `${c.why}: the password is not echoed`);
        pages.push(withoutTokens(response.text).replace(`value="${c.identifier}"`, 'value="IDENTIFIER"'));
      }
      for (let i = 1; i < pages.length; i++) assert.equal(pages[i], pages[0], `${cases[i]!.why} answers byte for byte like ${cases[0]!.why}`);
    });

    test('sign-in: an unknown account costs a dummy argon2id verify, like a known one costs a real verify', async () => {
      nextWindow();
      const known = await freshAccount();
      const hasher = app.gatehouse.services.hasher;
      const calls: string[] = [];
      const originalVerify = hasher.verify;
      const originalDummy = hasher.verifyAgainstDummy;
      hasher.verify = async (stored, password) => {
        calls.push('verify');
        return originalVerify(stored, password);
      };
      hasher.verifyAgainstDummy = async (password) => {
        calls.push('dummy');
        return originalDummy(password);
      };
      try {
        const browser = createClient(app.url);
        const timed = async (identifier: string) => {
          const started = performance.now();
          const response = await signIn(browser, identifier, 'a wrong password here');
          assert.equal(response.status, 401);
          return performance.now() - started;
        };
        calls.length = 0;
        await timed('nobody-at-all@example.com');
        assert.deepEqual(calls, ['dummy'], 'unknown email: one dummy verify');
        calls.length = 0;
        await timed('nobody_at_all');
        assert.deepEqual(calls, ['dummy'], 'unknown login name: one dummy verify');
        calls.length = 0;
        await timed('this is not an identifier');
        assert.deepEqual(calls, ['dummy'], 'malformed identifier: one dummy verify');
        calls.length = 0;
        await timed(known.email);
        assert.deepEqual(calls, ['verify'], 'known account: one real verify');

        // The dummy verify is real argon2id work: the two kinds of request take time of the same
        // order. Medians of alternating runs, and a loose bound (a missing hash is ~30× faster).
        const unknownTimes: number[] = [];
        const knownTimes: number[] = [];
        for (let i = 0; i < 4; i++) {
          unknownTimes.push(await timed(`ghost${i}@example.com`));
          knownTimes.push(await timed(known.loginName!));
          clock.advance(20 * 60_000); // keep the per-account and per-client throttles out of it
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        const ratio = median(unknownTimes) / median(knownTimes);
        assert.ok(ratio > 0.25 && ratio < 4, `unknown/known sign-in time ratio ${ratio.toFixed(2)} is of the same order`);
      } finally {
        hasher.verify = originalVerify;
        hasher.verifyAgainstDummy = originalDummy;
      }
    });

    test('sign-in: a sixth attempt after 5 wrong passwords waits 1 s, doubling up to 15 min, and the page says how long', async () => {
      nextWindow();
      const account = await freshAccount();
      const browser = createClient(app.url);
      for (let i = 1; i <= 4; i++) {
        const response = await signIn(browser, account.email, `wrong password ${i}`);
        assert.equal(response.status, 401, `failure ${i}: no delay yet`);
      }
      // The 5th failure starts the delay; each further failure doubles it, capped at 15 min.
      const expectedWaits = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900];
      const words = (seconds: number) => (seconds < 120 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`);
      assert.equal((await signIn(browser, account.email, 'wrong password 5')).status, 401);
      for (const wait of expectedWaits) {
        const refused = await signIn(browser, account.email, account.password);
        assert.equal(refused.status, 429, `even the right password waits ${wait} s`);
        assert.equal(refused.headers.get('retry-after'), String(wait));
        assert.equal(alertText(refused.text), `Too many unsuccessful attempts. Try again in ${words(wait)}, or reset your password.`);
        assert.equal(browser.jar.has('__Host-gh_session'), false);
        clock.advance(wait * 1000 - 1000);
        if (wait > 1) assert.equal((await signIn(browser, account.email, account.password)).status, 429, `still waiting 1 s before the end of ${wait} s`);
        clock.advance(1000);
        const failed = await signIn(browser, account.email, 'yet another wrong one');
        assert.equal(failed.status, 401, `after ${wait} s the account may try again`);
      }
      // After waiting, the right password still works.
      clock.advance(900_000);
      await signInOk(browser, account.email, account.password);
    });

    test('sign-in: a burst of parallel wrong passwords gets no more tries past the per-account delay', async () => {
      nextWindow();
      const account = await freshAccount();
      const browser = createClient(app.url);
      for (let i = 0; i < 5; i++) assert.equal((await signIn(browser, account.email, `wrong ${i} password`)).status, 401);
      clock.advance(1000);
      await browser.get('/login');
      const burst = await Promise.all(
        Array.from({ length: 15 }, (_, i) => browser.post('/login', { identifier: account.email, password: `parallel guess ${i}` })),
      );
      const statuses = burst.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 401).length, 1, `exactly one guess is checked, the rest wait: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 429).length, 14);
      const row = await app.gatehouse.services.db.selectFrom('login_throttles').selectAll().where('subject', '=', `account:${account.id}`).executeTakeFirstOrThrow();
      assert.equal(row.failures, 6, 'one more failure, and the next wait is 2 s');
    });

    test('sign-in: a success resets the per-account failure count', async () => {
      nextWindow();
      const account = await freshAccount();
      const browser = createClient(app.url);
      for (let i = 0; i < 4; i++) assert.equal((await signIn(browser, account.email, `wrong ${i} password`)).status, 401);
      await signInOk(createClient(app.url), account.email, account.password);
      const throttles = await app.gatehouse.services.db.selectFrom('login_throttles').selectAll().where('subject', '=', `account:${account.id}`).execute();
      assert.deepEqual(throttles, [], 'the counter row is gone');
      for (let i = 0; i < 4; i++) assert.equal((await signIn(browser, account.email, `wrong ${i} again`)).status, 401, 'counting starts over');
      const fifth = await signIn(browser, account.email, 'wrong five again');
      assert.equal(fifth.status, 401, 'the 5th failure since the success is still only a failure (8 in total would already wait)');
      assert.equal((await signIn(browser, account.email, account.password)).status, 429, 'and only then does the delay start');
    });

    test('sign-in: the login name works as the identifier (any letter case)', async () => {
      nextWindow();
      const account = await freshAccount();
      const token = await signInOk(createClient(app.url), account.loginName!, account.password);
      assert.equal((await whoamiWith(app, token)).body.account.id, account.id);
      const upper = await signInOk(createClient(app.url), `  ${account.loginName!.toUpperCase()} `, account.password);
      assert.equal((await whoamiWith(app, upper)).body.account.id, account.id);
      const byEmail = await signInOk(createClient(app.url), account.email.toUpperCase(), account.password);
      assert.equal((await whoamiWith(app, byEmail)).body.account.id, account.id);
    });

    test('sign-in: a hash with other argon2 parameters is rehashed with m=19456,t=2,p=1 on a successful sign-in', async () => {
      nextWindow();
      const password = 'an older stored password';
      const weakHash = await argon2Hash(password, { algorithm: Algorithm.Argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
      const account = await freshAccount({ passwordHash: weakHash });
      const storedHash = async () =>
        (await app.gatehouse.services.db.selectFrom('accounts').select('password_hash').where('id', '=', account.id).executeTakeFirstOrThrow()).password_hash!;

      assert.equal((await signIn(createClient(app.url), account.email, 'not the password')).status, 401);
      assert.equal(await storedHash(), weakHash, 'a failed sign-in does not touch the hash');

      await signInOk(createClient(app.url), account.email, password);
      const upgraded = await storedHash();
      assert.notEqual(upgraded, weakHash);
      assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal(await app.gatehouse.services.hasher.verify(upgraded, password), true, 'the new hash holds the same password');

      await signInOk(createClient(app.url), account.email, password);
      assert.equal(await storedHash(), upgraded, 'a hash with the current parameters is left alone');
    });
  });

  describe(`sign-in per client address on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    before(async () => {
      app = await startTestGatehouse(dialect, { clock, env: PRODUCTION_ARGON2 });
    });
    after(() => app.close());

    test('sign-in: 20 failures in 10 minutes from one client address make that address wait', async () => {
      const account = await makeAccount(app, { email: 'real.shopper@example.com' });
      const browser = createClient(app.url);
      // 20 failures, each for a different identifier, so no per-account delay is involved.
      for (let i = 0; i < 20; i++) {
        const response = await signIn(browser, `guess${i}@example.com`, 'password guess 123');
        assert.equal(response.status, 401, `failure ${i + 1}`);
        clock.advance(10_000);
      }
      // The 21st attempt from the address is refused, even for a real account with its password.
      const refused = await signIn(browser, account.email, account.password);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter} within the 10 min window`);
      assert.match(alertText(refused.text) ?? '', /Too many unsuccessful attempts\. Try again in \d+ minutes?/);
      // Another browser from the same address is refused too: it is the address that counts.
      assert.equal((await signIn(createClient(app.url), account.email, account.password)).status, 429);

      // The window slides: once the oldest failures are 10 minutes old, there is room again.
      clock.advance(retryAfter * 1000);
      await signInOk(createClient(app.url), account.email, account.password);
    });

    test('sign-in: a burst of parallel attempts from one address gets no more than 20 failures per 10 minutes', async () => {
      clock.advance(11 * 60_000);
      const browser = createClient(app.url);
      await browser.get('/login');
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) => browser.post('/login', { identifier: `burst${i}@example.com`, password: 'password guess 123' })),
      );
      const checked = burst.filter((r) => r.status === 401).length;
      assert.ok(checked <= 20, `${checked} of 40 parallel guesses were checked`);
      assert.ok(burst.every((r) => r.status === 401 || r.status === 429));
      // Whatever got through, the window is now spent for the address only as far as it was used.
      const events = await app.gatehouse.services.db.selectFrom('rate_events').selectAll().where('bucket', '=', 'login_failure_client').where('at', '>', clock.now() - 600_000).execute();
      assert.equal(events.length, checked, 'each checked guess counts once, refused ones not at all');
    });
  });
}
