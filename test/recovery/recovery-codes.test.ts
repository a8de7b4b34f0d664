// Issue 3, DESIGN.md §2 "verification code", "code lifetime", "wrong codes", "resend" — as password
// recovery and Change password use them: 6 CSPRNG digits stored only as a keyed hash, single use,
// bound to one flow and one purpose, 10 minutes; 5 wrong per code; 20 wrong per account per 24 h
// over every flow of the account (recovery and Change password share it), then 1 h of rest;
// 60 s between sends, a new code voids the old, 5 sends/hour and 10/day per account, 20/hour per
// client address, each refusal saying why and when.
import { test, describe, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import crypto, { createHash } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, countRows, dumpDatabase, fieldError, makeAccount, registrationFields, signInOk, flowIdFrom } from '../security/kit.ts';
import { HOUR, MINUTE, afterNow, finishRecovery, outboxCount, resendCode, startPasswordChange, startRecovery, wrongCode } from './recovery-kit.ts';

const NOT_RIGHT = 'That code is not right. Check it and try again.';
const USED_UP = 'This code can no longer be used. Get a new code.';

for (const dialect of testDialects) {
  describe(`recovery codes on ${dialect}`, { timeout: 240_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const freshAccount = (extra: { loginName?: string } = {}) => makeAccount(app, { email: `recovering${++n}@example.com`, loginName: extra.loginName ?? `recovering_${n}` });
    /** Every per-hour and per-day budget (the tests share one client address) starts empty. */
    const nextDay = () => clock.advance(25 * HOUR);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    test('recovery codes: 6 digits taken from crypto.randomInt (the CSPRNG), different each time', async () => {
      nextDay();
      const account = await freshAccount();
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) {
        clock.advance(61_000); // one code a minute per account, over every flow
        const { code } = await startRecovery(app, createClient(app.url), account.email, account.email);
        assert.match(code, /^\d{6}$/);
        codes.push(code);
      }
      assert.ok(new Set(codes).size >= 3, `codes repeat: ${codes.join(', ')}`);

      // The code is whatever the CSPRNG says: replace crypto.randomInt and the emailed code follows.
      const calls: unknown[][] = [];
      const fake = mock.method(crypto, 'randomInt', (...args: unknown[]) => {
        calls.push(args);
        return 42;
      });
      syncBuiltinESMExports();
      let code: string;
      clock.advance(61_000);
      try {
        code = (await startRecovery(app, createClient(app.url), account.email, account.email)).code;
      } finally {
        fake.mock.restore();
        syncBuiltinESMExports();
      }
      assert.equal(code, '000042', 'the emailed code comes from crypto.randomInt, zero-padded to 6 digits');
      assert.deepEqual(calls, [[0, 1_000_000]], 'one draw over the whole 6-digit range');
    });

    test('recovery codes: stored only as a keyed hash bound to the flow and purpose; the raw code is in no table', async () => {
      nextDay();
      const account = await freshAccount();
      const { flowId, code } = await startRecovery(app, createClient(app.url), account.loginName!, account.email);
      const rows = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', flowId).execute();
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.equal(row.purpose, 'recovery');
      assert.match(row.code_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(row.code_hash, createHash('sha256').update(code).digest('hex'), 'not a plain SHA-256');
      // Keyed by the row's own id; the flow and purpose it serves are its columns (so it can move
      // to a newer flow of the same browser within the minute, see send-cooldowns.ts).
      assert.equal(row.code_hash, app.gatehouse.services.secrets.keyedHash(`code:${row.id}`, code), 'a keyed hash bound to the code row');
      assert.ok(!new RegExp(`(?<!\\d)${code}(?!\\d)`).test(await dumpDatabase(app)), 'the code appears in no table');
    });

    test('recovery codes: a queued recovery email holds the code and the address only sealed', async () => {
      const quiet = await startTestGatehouse(dialect, { env: { RUN_DISPATCHER: 'false' } });
      try {
        const account = await makeAccount(quiet, { email: 'sealed.recovery@example.com', loginName: 'sealed_recovery' });
        const browser = createClient(quiet.url);
        await browser.get('/recovery');
        assert.equal((await browser.post('/recovery', { identifier: account.loginName! })).status, 303);
        const outbox = await quiet.gatehouse.services.db.selectFrom('outbox').selectAll().execute();
        assert.equal(outbox.length, 1);
        const sealed = JSON.parse(quiet.gatehouse.services.secrets.unseal(outbox[0]!.payload_sealed)) as { code: string; to?: string };
        assert.match(sealed.code, /^\d{6}$/, 'the sealed payload carries the code');
        const everything = await dumpDatabase(quiet);
        assert.ok(!new RegExp(`(?<!\\d)${sealed.code}(?!\\d)`).test(everything), 'no row shows the code readable');
        assert.ok(!JSON.stringify(outbox).includes(account.email), 'the outbox row does not show the address');
      } finally {
        await quiet.close();
      }
    });

    test('recovery codes: single use — after the right code, the same code is refused and the flow cannot be confirmed again', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      const target = { flowId, purpose: 'recovery', subject: `account:${account.id}` };
      assert.equal((await browser.post('/recovery/code', { flow: flowId, code })).status, 303);
      const again = await app.gatehouse.services.codes.consumeCode(target, code);
      assert.equal(!again.ok && again.code, 'code.used_up', 'the code itself is spent');
      const before = await countRows(app);
      const replay = await browser.post('/recovery/code', { flow: flowId, code });
      assert.equal(replay.status, 409, 'the verified flow refuses a second confirmation');
      assert.deepEqual(await countRows(app), before);
    });

    test('recovery codes: bound to their flow and purpose — not for sign-up, not for Change password, not in another recovery flow', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      await signInOk(browser, account.email, account.password);
      const recovery = await startRecovery(app, browser, account.email, account.email);
      clock.advance(61_000); // a minute apart: within it, the same browser's new flow would take the code over
      const other = await startRecovery(app, browser, account.loginName!, account.email);
      clock.advance(61_000);
      const change = await startPasswordChange(app, browser, account.email);
      await browser.get('/register');
      const signUpStarted = await browser.post('/register', registrationFields('brand.new.shopper@example.com'));
      assert.equal(signUpStarted.status, 303);
      const signUpFlow = flowIdFrom(signUpStarted.location);
      const signUpCode = await app.codeFor('brand.new.shopper@example.com');

      // Typed into the other flows (a collision of two random codes is the one case it may match).
      if (recovery.code !== other.code) assert.equal((await browser.post('/recovery/code', { flow: other.flowId, code: recovery.code })).status, 422, 'another recovery flow of the same account');
      if (recovery.code !== change.code) assert.equal((await browser.post('/account/password/code', { flow: change.flowId, code: recovery.code })).status, 422, 'Change password of the same account');
      if (recovery.code !== signUpCode) assert.equal((await browser.post('/register/code', { flow: signUpFlow, code: recovery.code })).status, 422, 'sign-up confirmation');

      // The recovery flow's own id on the other kinds' pages does not exist.
      assert.equal((await browser.post('/account/password/code', { flow: recovery.flowId, code: recovery.code })).status, 404);
      assert.equal((await browser.post('/register/code', { flow: recovery.flowId, code: recovery.code })).status, 404);

      // The same flow id with another purpose finds no code for the recovery code.
      const codes = app.gatehouse.services.codes;
      for (const purpose of ['password_change', 'registration_email']) {
        const refused = await codes.consumeCode({ flowId: recovery.flowId, purpose, subject: `account:${account.id}` }, recovery.code);
        assert.equal(refused.ok, false, `purpose ${purpose}`);
      }

      // In its own flow it still works (the wrong tries elsewhere did not touch it).
      assert.equal((await browser.post('/recovery/code', { flow: recovery.flowId, code: recovery.code })).status, 303);
    });

    test('recovery codes: a code lives 10 minutes — accepted at 9:59, refused at 10:00 with "get a new code"', async () => {
      nextDay();
      const account = await freshAccount();
      const early = createClient(app.url);
      const late = createClient(app.url);
      const first = await startRecovery(app, early, account.email, account.email);
      clock.advance(61_000); // one code a minute per account
      const second = await startRecovery(app, late, account.loginName!, account.email);
      clock.advance(10 * MINUTE - 1000 - 61_000);
      assert.equal((await early.post('/recovery/code', { flow: first.flowId, code: first.code })).status, 303, 'works at 9:59');
      clock.advance(61_000 + 1000);
      const expired = await late.post('/recovery/code', { flow: second.flowId, code: second.code });
      assert.equal(expired.status, 410, 'refused at 10:00');
      assert.equal(alertText(expired.text), 'This code has expired. Get a new code.');
      // A new code brings the flow back.
      const fresh = await resendCode(app, late, second.flowId, account.email);
      await finishRecovery(late, second.flowId, fresh);
    });

    test('recovery codes: 5 wrong codes kill the code — the right one is refused afterwards', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      for (let i = 0; i < 4; i++) {
        const response = await browser.post('/recovery/code', { flow: flowId, code: wrongCode(code, i) });
        assert.equal(response.status, 422, `wrong code ${i + 1}`);
        assert.equal(fieldError(response.text, 'code'), NOT_RIGHT);
      }
      const fifth = await browser.post('/recovery/code', { flow: flowId, code: wrongCode(code, 4) });
      assert.equal(fifth.status, 410, 'the 5th wrong code kills it');
      assert.equal(fieldError(fifth.text, 'code'), USED_UP);
      const right = await browser.post('/recovery/code', { flow: flowId, code });
      assert.equal(right.status, 410, 'the right code no longer works');
      assert.equal(fieldError(right.text, 'code'), USED_UP);
      const row = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', flowId).executeTakeFirstOrThrow();
      assert.equal(row.wrong_attempts, 5);
      assert.equal(row.used_at, null);
    });

    test('recovery codes: 20 wrong codes per account in 24 h over resends and flows rest the channel 1 h; Change password, behind a signed-in session, keeps its own', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      let { flowId: recoveryFlow, code } = await startRecovery(app, browser, account.email, account.email);
      let wrongSoFar = 0;
      const wrongTries = async (path: string, flow: string, current: string, count: number) => {
        for (let i = 0; i < count; i++) {
          const response = await browser.post(path, { flow, code: wrongCode(current, i) });
          wrongSoFar++;
          assert.ok(response.status === 422 || response.status === 410, `wrong code ${wrongSoFar}: ${response.status}`);
        }
      };
      // 15 wrong codes over three recovery codes (two resends: resending resets nothing).
      await wrongTries('/recovery/code', recoveryFlow, code, 5);
      for (let round = 0; round < 2; round++) {
        clock.advance(61_000);
        code = await resendCode(app, browser, recoveryFlow, account.email);
        await wrongTries('/recovery/code', recoveryFlow, code, 5);
      }
      // A second recovery flow of the same account shares the budget: 5 more make 20.
      clock.advance(61_000);
      const second = await startRecovery(app, browser, account.loginName!, account.email);
      await wrongTries('/recovery/code', second.flowId, second.code, 4);
      const twentieth = await browser.post('/recovery/code', { flow: second.flowId, code: wrongCode(second.code, 4) });
      assert.equal(twentieth.status, 410, 'the 20th wrong code (5th on this code) is still answered as a wrong code');
      wrongSoFar++;
      assert.equal(wrongSoFar, 20);

      // A fresh code: even the right one rests for an hour from the 20th wrong code.
      clock.advance(61_000);
      code = await resendCode(app, browser, recoveryFlow, account.email);
      const resting = await browser.post('/recovery/code', { flow: recoveryFlow, code });
      assert.equal(resting.status, 429);
      assert.equal(resting.headers.get('retry-after'), String(3600 - 61));
      assert.equal(fieldError(resting.text, 'code'), 'Too many wrong codes. For your safety, try again in 59 minutes.');

      // The owner, signed in, is not kept from Change password by what was typed into recovery:
      // its codes spend a budget a stranger who knows only the email cannot reach.
      clock.advance(61_000);
      await signInOk(browser, account.email, account.password);
      const change = await startPasswordChange(app, browser, account.email);
      const changed = await browser.post('/account/password/code', { flow: change.flowId, code: change.code });
      assert.equal(changed.status, 303, `Change password's right code is accepted (${changed.status})`);
      const recoveryResting = await browser.post('/recovery/code', { flow: recoveryFlow, code });
      assert.equal(recoveryResting.status, 429, 'recovery still rests');
      assert.equal(recoveryResting.headers.get('retry-after'), String(3600 - 122));

      // Another account is not affected.
      const bystander = await freshAccount();
      const elsewhere = createClient(app.url);
      const theirs = await startRecovery(app, elsewhere, bystander.email, bystander.email);
      assert.equal((await elsewhere.post('/recovery/code', { flow: theirs.flowId, code: theirs.code })).status, 303);

      // Just before the hour is over a new flow still rests; at the hour the right code works.
      clock.advance(HOUR - 122_000 - MINUTE);
      const later = createClient(app.url);
      const again = await startRecovery(app, later, account.loginName!, account.email);
      const stillResting = await later.post('/recovery/code', { flow: again.flowId, code: again.code });
      assert.equal(stillResting.status, 429, 'a new recovery flow does not reset the count either');
      assert.equal(stillResting.headers.get('retry-after'), '60');
      clock.advance(MINUTE);
      await finishRecovery(later, again.flowId, again.code);
    });

    test('recovery resend: refused for 60 s with the seconds left and Retry-After; a new code voids the old one', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
      const page = await browser.get(`/recovery/code?flow=${flowId}`);
      assert.match(page.text, /data-countdown="60"/, 'Get code counts down from 60 s');
      assert.match(page.text, /Get code \(60 s\)/);

      const before = await outboxCount(app);
      const tooSoon = await browser.post('/recovery/resend', { flow: flowId });
      assert.equal(tooSoon.status, 429);
      assert.equal(tooSoon.headers.get('retry-after'), '60');
      assert.equal(alertText(tooSoon.text), 'You can get a new code in 60 seconds.');
      clock.advance(45_000);
      const stillTooSoon = await browser.post('/recovery/resend', { flow: flowId });
      assert.equal(stillTooSoon.status, 429);
      assert.equal(stillTooSoon.headers.get('retry-after'), '15');
      assert.equal(alertText(stillTooSoon.text), 'You can get a new code in 15 seconds.');
      assert.match(stillTooSoon.text, /data-countdown="15"/);
      assert.equal(await outboxCount(app), before, 'no mail for a refused resend');

      clock.advance(15_000);
      const sentAfter = afterNow();
      const resent = await browser.post('/recovery/resend', { flow: flowId });
      assert.equal(resent.status, 303);
      assert.equal(resent.location, `/recovery/code?flow=${flowId}&sent=1`);
      assert.match((await browser.get(resent.location!)).text, /We sent a new code\. The previous one no longer works\./);
      const newCode = await app.codeFor(account.email, sentAfter);
      const rows = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', flowId).orderBy('created_at').execute();
      assert.equal(rows.length, 2);
      assert.notEqual(rows[0]!.voided_at, null, 'the first code is voided');
      assert.equal(rows[1]!.voided_at, null);
      if (newCode !== code) {
        const old = await browser.post('/recovery/code', { flow: flowId, code });
        assert.equal(old.status, 422, 'the old code no longer works');
      }
      await finishRecovery(browser, flowId, newCode);
    });

    test('recovery resend: 5 sends per hour and 10 per day per account over recovery flows, Change password counting its own; refusals say why and when', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId } = await startRecovery(app, browser, account.email, account.email);
      for (let i = 2; i <= 5; i++) {
        clock.advance(61_000);
        await resendCode(app, browser, flowId, account.email);
      }
      clock.advance(61_000);
      const before = await countRows(app);
      const sixth = await browser.post('/recovery/resend', { flow: flowId });
      assert.equal(sixth.status, 429, 'the 6th send within the hour');
      const wait = Number(sixth.headers.get('retry-after'));
      assert.ok(wait > 0 && wait <= 3600, `Retry-After ${wait}`);
      assert.match(alertText(sixth.text) ?? '', /^We have sent too many codes\. You can get a new one in \d+ minutes?\.$/);

      // A new recovery flow, by login name and from another browser, counts against the same account.
      const elsewhere = createClient(app.url);
      await elsewhere.get('/recovery');
      const restart = await elsewhere.post('/recovery', { identifier: account.loginName! });
      assert.equal(restart.status, 429);
      assert.ok(Number(restart.headers.get('retry-after')) > 0);
      assert.match(fieldError(restart.text, 'identifier') ?? '', /^We have sent too many codes\. You can get a new one in \d+ minutes?\.$/);
      const after = await countRows(app);
      assert.equal(after.verification_codes, before.verification_codes, 'no code for a refused send');
      assert.equal(after.outbox, before.outbox, 'no mail for a refused send');
      assert.equal(after.flows, before.flows, 'no flow for a refused start');

      // Change password, behind a signed-in session, sends from budgets of its own: what recovery
      // spent (anyone who knows the email can) does not keep the owner from it. Its own 6th send
      // within the hour is refused, and the Settings page says so.
      await signInOk(elsewhere, account.email, account.password);
      await elsewhere.get('/account/settings');
      const change = await elsewhere.post('/account/password', {});
      assert.equal(change.status, 303, `Change password sends its code (${change.status})`);
      const changeFlow = flowIdFrom(change.location);
      for (let i = 2; i <= 5; i++) {
        clock.advance(61_000);
        await resendCode(app, elsewhere, changeFlow, account.email, '/account/password/resend');
      }
      clock.advance(61_000);
      const before2 = await countRows(app);
      const changeAgain = await elsewhere.post('/account/password', {});
      assert.equal(changeAgain.status, 429, "Change password's 6th send within the hour");
      assert.ok(Number(changeAgain.headers.get('retry-after')) > 0);
      assert.match(alertText(changeAgain.text) ?? '', /^We have sent too many codes\. You can get a new one in \d+ minutes?\.$/);
      const after2 = await countRows(app);
      assert.equal(after2.flows, before2.flows, 'no flow for a refused start');
      assert.equal(after2.outbox, before2.outbox, 'no mail for a refused send');

      // Next hour: 5 more; the 11th of the day is refused until the day has room.
      clock.advance(HOUR);
      const next = await startRecovery(app, browser, account.email, account.email);
      for (let i = 7; i <= 10; i++) {
        clock.advance(61_000);
        await resendCode(app, browser, next.flowId, account.email);
      }
      // An hour later the hourly budget has room, but the day's is spent (the flow has expired by
      // then, so the shopper starts over).
      clock.advance(HOUR);
      const newBrowser = createClient(app.url);
      await newBrowser.get('/recovery');
      const eleventh = await newBrowser.post('/recovery', { identifier: account.email });
      assert.equal(eleventh.status, 429, 'the 11th send of the day is refused');
      const dayWait = Number(eleventh.headers.get('retry-after'));
      assert.ok(dayWait > 3600, `until the day has room again (${dayWait} s)`);
      assert.match(fieldError(eleventh.text, 'identifier') ?? '', /^We have sent too many codes\. You can get a new one in \d+ hours?( \d+ minutes?)?\.$/);
      clock.advance(dayWait * 1000);
      await startRecovery(app, createClient(app.url), account.email, account.email);
    });

    test('recovery resend: at most 20 sends per hour per client address, whatever the accounts; the refusal says when', async () => {
      nextDay();
      const browsers = [];
      for (let i = 1; i <= 20; i++) {
        const browser = createClient(app.url);
        // Unknown identifiers spend the client's budget exactly like real accounts.
        const typed = i % 2 ? `stranger${n}x${i}@example.com` : `stranger_${n}_${i}`;
        await startRecovery(app, browser, typed);
        browsers.push(browser);
      }
      const account = await freshAccount();
      const browser = createClient(app.url);
      await browser.get('/recovery');
      const before = await countRows(app);
      const refused = await browser.post('/recovery', { identifier: account.email });
      assert.equal(refused.status, 429, 'the 21st send from this address in the hour');
      const wait = Number(refused.headers.get('retry-after'));
      assert.ok(wait > 0 && wait <= 3600);
      assert.match(fieldError(refused.text, 'identifier') ?? '', /^We have sent too many codes\. You can get a new one in (\d+ minutes?|1 hour)\.$/);
      assert.ok(refused.text.includes(`value="${account.email}"`), 'what was typed is kept');
      const after = await countRows(app);
      assert.equal(after.flows, before.flows);
      assert.equal(after.outbox, before.outbox);
      clock.advance(HOUR);
      await startRecovery(app, browser, account.email, account.email);
    });
  });
}
