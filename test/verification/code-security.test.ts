// DESIGN.md §2 "verification code", "code lifetime", "wrong codes", "resend": 6 CSPRNG digits,
// stored only as a keyed hash, single use, bound to one flow and one purpose, 10 minutes, 5 wrong
// per code, 20 wrong per account per 24 h then 1 h of rest (resending does not reset it), 60 s
// between sends, a new code voids the old, 5 sends/hour and 10/day per account, 20/hour per client.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import type { CodeTarget } from '../../src/verification/code-service.ts';
import { testFlow } from '../harness/test-flow.ts';
import { alertText, countRows, dumpDatabase, flowIdFrom, registrationFields } from '../security/kit.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Starts sign-up in this browser and reads the emailed code. */
async function startSignUp(app: TestGatehouse, browser: Client, email: string) {
  await browser.get('/register');
  const sentAfter = new Date();
  const response = await browser.post('/register', registrationFields(email));
  assert.equal(response.status, 303, `sign-up for ${email} starts`);
  const flowId = flowIdFrom(response.location);
  return { flowId, code: await app.codeFor(email, sentAfter) };
}

/** Presses *Get code* and reads the new code. */
async function resend(app: TestGatehouse, browser: Client, flowId: string, email: string) {
  const sentAfter = new Date();
  const response = await browser.post('/register/resend', { flow: flowId });
  assert.equal(response.status, 303, 'resend accepted');
  return app.codeFor(email, sentAfter);
}

/** A send by email from this client address (where to is only ever hashed). */
const byEmail = (clientAddress: string) => ({ channel: 'email' as const, destination: 'shopper@example.com', clientAddress });

/** A code that is not this one. */
const wrong = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

for (const dialect of testDialects) {
  describe(`verification codes on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    let n = 0;
    const email = () => `new.shopper${++n}@example.com`;
    /** Clears every per-hour and per-day budget the earlier tests spent (they share one client address). */
    const nextDay = () => clock.advance(25 * HOUR);

    /** A flow row for service-level tests (codes reference their flow). */
    async function flowTarget(subject: string, purpose = 'registration_email'): Promise<CodeTarget> {
      const flow = await app.gatehouse.services.flows.of(testFlow).create(app.gatehouse.services.db, {
        state: 'code_sent',
        browserId: 'test-browser',
        accountId: null,
        subject,
        typedIdentifier: 'someone',
        data: {},
        lifetimeSeconds: 3600,
      });
      return { flowId: flow.id, purpose, subject };
    }
    const issue = (target: CodeTarget) => app.gatehouse.services.codes.issueCode(app.gatehouse.services.db, target, 'email');
    const consume = (target: CodeTarget, typed: string) => app.gatehouse.services.codes.consumeCode(target, typed);

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    test('codes: 6 digits from the CSPRNG, a different one each time', async () => {
      const target = await flowTarget(`subject:${randomUUID()}`);
      const codes: string[] = [];
      for (let i = 0; i < 200; i++) codes.push(await issue(target));
      for (const code of codes) assert.match(code, /^\d{6}$/);
      assert.ok(new Set(codes).size >= 195, 'no visible pattern or repetition');
      // The emailed code is 6 digits too.
      const { code } = await startSignUp(app, createClient(app.url), email());
      assert.match(code, /^\d{6}$/);
    });

    test('codes: stored only as a keyed hash; neither verification_codes nor the outbox holds a readable code', async () => {
      nextDay();
      const address = email();
      const { flowId, code } = await startSignUp(app, createClient(app.url), address);
      const rows = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', flowId).execute();
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.match(row.code_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(row.code_hash, createHash('sha256').update(code).digest('hex'), 'not a plain SHA-256 of the code');
      assert.notEqual(row.code_hash, createHash('sha256').update(`${flowId}${code}`).digest('hex'));
      const everything = await dumpDatabase(app);
      assert.ok(!new RegExp(`(?<!\\d)${code}(?!\\d)`).test(everything), 'the code appears nowhere in the database');
      const outbox = JSON.stringify(await app.gatehouse.services.db.selectFrom('outbox').selectAll().execute());
      assert.ok(!outbox.includes(address), 'the outbox does not show the address either (recipients are sealed)');
    });

    test('codes: a queued email holds the code only sealed (outbox before delivery)', async () => {
      // Without a dispatcher the message stays queued, so we see the row as it is before delivery.
      const quiet = await startTestGatehouse(dialect, { env: { RUN_DISPATCHER: 'false' } });
      try {
        const browser = createClient(quiet.url);
        await browser.get('/register');
        const address = 'queued.shopper@example.com';
        assert.equal((await browser.post('/register', registrationFields(address))).status, 303);
        const outbox = await quiet.gatehouse.services.db.selectFrom('outbox').selectAll().execute();
        assert.equal(outbox.length, 1);
        const sealed = JSON.parse(quiet.gatehouse.services.secrets.unseal(outbox[0]!.payload_sealed)) as { code: string };
        assert.match(sealed.code, /^\d{6}$/, 'the sealed payload does carry the code');
        const everything = await dumpDatabase(quiet);
        assert.ok(!new RegExp(`(?<!\\d)${sealed.code}(?!\\d)`).test(everything), 'but no row shows it readable');
        assert.ok(!JSON.stringify(outbox).includes(address), 'and the outbox row does not show the address');
      } finally {
        await quiet.close();
      }
    });

    test('codes: single use — the right code works once, a replay fails', async () => {
      nextDay();
      const target = await flowTarget(`subject:${randomUUID()}`);
      const code = await issue(target);
      assert.deepEqual(await consume(target, code), { ok: true });
      const again = await consume(target, code);
      assert.equal(again.ok, false);
      assert.equal(!again.ok && again.code, 'code.used_up');

      // Through sign-up: replaying the confirming request creates nothing more.
      const browser = createClient(app.url);
      const signUp = await startSignUp(app, browser, email());
      const confirmed = await browser.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.equal(confirmed.status, 303);
      const before = await countRows(app);
      const replay = await browser.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.ok(replay.status >= 400 && replay.status < 500, `replay refused (${replay.status})`);
      assert.ok(!replay.headers.getSetCookie().some((line) => line.startsWith('__Host-gh_session=')), 'no new session');
      assert.deepEqual(await countRows(app), before, 'nothing changed');
    });

    test('codes: bound to one flow and one purpose — a code for flow A fails in flow B and for another purpose', async () => {
      nextDay();
      const subject = `subject:${randomUUID()}`;
      const a = await flowTarget(subject);
      const b = await flowTarget(subject);
      const codeA = await issue(a);
      const codeB = await issue(b);
      assert.equal((await consume(b, codeA)).ok, codeA === codeB, 'flow B refuses the code of flow A');
      await issue({ ...a, purpose: 'recovery_email' });
      assert.equal((await consume({ ...a, purpose: 'recovery_email' }, codeA)).ok, false, 'the same flow with another purpose refuses it');
      assert.deepEqual(await consume(a, codeA), { ok: true }, 'in its own flow and purpose it works');
    });

    test('codes: another browser cannot use a sign-up flow — it answers as not found, and the code stays usable', async () => {
      nextDay();
      const owner = createClient(app.url);
      const intruder = createClient(app.url);
      const address = email();
      const signUp = await startSignUp(app, owner, address);
      const intruderFlow = await startSignUp(app, intruder, email());

      // The intruder's own flow refuses the owner's code.
      const crossFlow = await intruder.post('/register/code', { flow: intruderFlow.flowId, code: signUp.code });
      assert.equal(crossFlow.status, signUp.code === intruderFlow.code ? 303 : 422);

      // The owner's flow, seen from the intruder's browser, does not exist.
      const before = await countRows(app);
      const page = await intruder.get(`/register/code?flow=${signUp.flowId}`);
      assert.equal(page.status, 404);
      assert.ok(!page.text.includes(address), 'the page reveals nothing of the flow');
      const stolen = await intruder.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.equal(stolen.status, 404);
      assert.match(alertText(stolen.text) ?? '', /not valid in this browser/);
      const resent = await intruder.post('/register/resend', { flow: signUp.flowId });
      assert.equal(resent.status, 404);
      assert.deepEqual(await countRows(app), before, 'nothing changed: no account, no session, no send');

      const confirmed = await owner.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.equal(confirmed.status, 303, "the owner's code was not burnt by the intruder");
    });

    test('codes: a code expires after 10 minutes', async () => {
      nextDay();
      const early = await flowTarget(`subject:${randomUUID()}`);
      const late = await flowTarget(`subject:${randomUUID()}`);
      const earlyCode = await issue(early);
      const lateCode = await issue(late);
      clock.advance(10 * MINUTE - 1000);
      assert.deepEqual(await consume(early, earlyCode), { ok: true }, 'works at 9:59');
      clock.advance(1000);
      const expired = await consume(late, lateCode);
      assert.equal(!expired.ok && expired.code, 'code.expired', 'refused at 10:00');

      // Through sign-up: 410 with a message that says to get a new code.
      nextDay();
      const browser = createClient(app.url);
      const signUp = await startSignUp(app, browser, email());
      clock.advance(10 * MINUTE);
      const response = await browser.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.equal(response.status, 410);
      assert.equal(alertText(response.text), 'This code has expired. Get a new code.');
    });

    test('codes: 5 wrong tries kill the code, even for the right code afterwards', async () => {
      nextDay();
      const browser = createClient(app.url);
      const signUp = await startSignUp(app, browser, email());
      for (let i = 0; i < 4; i++) {
        const response = await browser.post('/register/code', { flow: signUp.flowId, code: wrong(signUp.code, i) });
        assert.equal(response.status, 422, `wrong try ${i + 1}`);
        assert.equal(alertText(response.text), 'That code is not right. Check it and try again.');
      }
      const fifth = await browser.post('/register/code', { flow: signUp.flowId, code: wrong(signUp.code, 4) });
      assert.equal(fifth.status, 410, 'the 5th wrong try kills it');
      assert.equal(alertText(fifth.text), 'This code can no longer be used. Get a new code.');
      const right = await browser.post('/register/code', { flow: signUp.flowId, code: signUp.code });
      assert.equal(right.status, 410, 'the right code no longer works');
      const row = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', signUp.flowId).executeTakeFirstOrThrow();
      assert.equal(row.used_at, null);
      assert.equal(row.wrong_attempts, 5);
    });

    test('codes: 20 wrong codes per account in 24 h make the channel rest 1 h; resending does not reset it', async () => {
      nextDay();
      const browser = createClient(app.url);
      const address = email();
      const signUp = await startSignUp(app, browser, address);
      let code = signUp.code;
      let wrongSoFar = 0;
      for (let round = 0; round < 4; round++) {
        if (round > 0) {
          clock.advance(61_000);
          code = await resend(app, browser, signUp.flowId, address);
        }
        for (let i = 0; i < 5; i++) {
          const response = await browser.post('/register/code', { flow: signUp.flowId, code: wrong(code, i) });
          wrongSoFar++;
          assert.ok(response.status === 422 || response.status === 410, `wrong try ${wrongSoFar}: ${response.status}`);
        }
      }
      // A fresh code after the 20th wrong one: the right code is refused until the hour is over.
      clock.advance(61_000);
      code = await resend(app, browser, signUp.flowId, address);
      const resting = await browser.post('/register/code', { flow: signUp.flowId, code });
      assert.equal(resting.status, 429);
      assert.equal(resting.headers.get('retry-after'), String(3600 - 61), 'an hour from the 20th wrong code');
      assert.equal(alertText(resting.text), 'Too many wrong codes. For your safety, try again in 59 minutes.');

      // The rest counts from the last wrong code, and over every flow of the same account.
      const subject = (await app.gatehouse.services.db.selectFrom('flows').select('subject').where('id', '=', signUp.flowId).executeTakeFirstOrThrow()).subject;
      const otherFlow = await flowTarget(subject);
      const otherCode = await issue(otherFlow);
      const refused = await consume(otherFlow, otherCode);
      assert.equal(!refused.ok && refused.code, 'code.resting', 'another flow of the same account rests too');
      assert.ok(!refused.ok && refused.retryAfterSeconds! > 3400 && refused.retryAfterSeconds! <= 3600);

      clock.advance(HOUR - 2 * MINUTE);
      const stillResting = await consume(otherFlow, await issue(otherFlow));
      assert.equal(!stillResting.ok && stillResting.code, 'code.resting', 'still resting just before the hour is over');

      // An hour after the last wrong code the account may verify again (the sign-up flow itself
      // has expired by now, so the shopper starts over; that does not reset anything either).
      clock.advance(2 * MINUTE);
      const again = await startSignUp(app, browser, address);
      const confirmed = await browser.post('/register/code', { flow: again.flowId, code: again.code });
      assert.equal(confirmed.status, 303, 'after the hour of rest the right code works');
    });

    test('codes: a burst of parallel wrong guesses gets at most 5 tries at one code', async () => {
      nextDay();
      const target = await flowTarget(`subject:${randomUUID()}`);
      const code = await issue(target);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => consume(target, wrong(code, i))));
      const invalid = results.filter((r) => !r.ok && r.code === 'code.invalid').length;
      assert.ok(invalid <= 4, `${invalid} guesses answered "not right" (at most 4, the 5th kills the code)`);
      const row = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', target.flowId).executeTakeFirstOrThrow();
      assert.ok(row.wrong_attempts <= 5, `the code counted ${row.wrong_attempts} tries`);
      const counted = await app.gatehouse.services.db.selectFrom('rate_events').selectAll().where('bucket', '=', 'wrong_code').where('subject', '=', target.subject).execute();
      assert.equal(counted.length, row.wrong_attempts, 'each try compared counts once against the account');
      if (row.wrong_attempts === 5) {
        const right = await consume(target, code);
        assert.equal(!right.ok && right.code, 'code.used_up', 'after 5 counted tries even the right code is refused');
      }
    });

    test('codes: a burst of parallel wrong guesses cannot go past 20 wrong codes per account per day', async () => {
      nextDay();
      const subject = `subject:${randomUUID()}`;
      // 18 wrong codes, one after the other, over four codes.
      for (const tries of [5, 5, 5, 3]) {
        const target = await flowTarget(subject);
        const code = await issue(target);
        for (let i = 0; i < tries; i++) assert.equal((await consume(target, wrong(code, i))).ok, false);
      }
      // Then 10 guesses at once over two fresh codes.
      const targets = [await flowTarget(subject), await flowTarget(subject)];
      const codes = [await issue(targets[0]!), await issue(targets[1]!)];
      await Promise.all(Array.from({ length: 10 }, (_, i) => consume(targets[i % 2]!, wrong(codes[i % 2]!, i))));
      const counted = await app.gatehouse.services.db.selectFrom('rate_events').selectAll().where('bucket', '=', 'wrong_code').where('subject', '=', subject).execute();
      assert.ok(counted.length <= 20, `${counted.length} wrong codes were checked for the account today`);
      const last = await consume(targets[0]!, codes[0]!);
      if (counted.length === 20) assert.equal(!last.ok && last.code, 'code.resting', 'and at 20 the account rests');
    });

    test('codes: resend is refused for 60 s with the seconds left and Retry-After; a new code voids the old one', async () => {
      nextDay();
      const browser = createClient(app.url);
      const address = email();
      const signUp = await startSignUp(app, browser, address);

      const page = await browser.get(`/register/code?flow=${signUp.flowId}`);
      assert.match(page.text, /data-countdown="60"/, 'the page counts down from 60 s');

      const tooSoon = await browser.post('/register/resend', { flow: signUp.flowId });
      assert.equal(tooSoon.status, 429);
      assert.equal(tooSoon.headers.get('retry-after'), '60');
      assert.equal(alertText(tooSoon.text), 'You can get a new code in 60 seconds.');

      clock.advance(45_000);
      const stillTooSoon = await browser.post('/register/resend', { flow: signUp.flowId });
      assert.equal(stillTooSoon.status, 429);
      assert.equal(stillTooSoon.headers.get('retry-after'), '15');
      assert.equal(alertText(stillTooSoon.text), 'You can get a new code in 15 seconds.');

      clock.advance(15_000);
      const newCode = await resend(app, browser, signUp.flowId, address);
      if (newCode !== signUp.code) {
        const old = await browser.post('/register/code', { flow: signUp.flowId, code: signUp.code });
        assert.ok(old.status === 422 || old.status === 410, `the old code no longer works (${old.status})`);
      }
      const rows = await app.gatehouse.services.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', signUp.flowId).orderBy('created_at').execute();
      assert.equal(rows.length, 2);
      assert.notEqual(rows[0]!.voided_at, null, 'the first code is voided');
      assert.equal(rows[1]!.voided_at, null);
      const confirmed = await browser.post('/register/code', { flow: signUp.flowId, code: newCode });
      assert.equal(confirmed.status, 303, 'the new code works');
    });

    test('codes: at most 5 sends per hour and 10 per day per account', async () => {
      nextDay();
      const codes = app.gatehouse.services.codes;
      const subject = `email:${randomUUID()}`;
      const send = async (client: string) => codes.reserveSend(await flowTarget(subject), byEmail(client));
      // Different client addresses, so only the per-account budgets are in play.
      for (let i = 1; i <= 5; i++) {
        assert.deepEqual(await send(`10.0.0.${i}`), { ok: true }, `send ${i} in the first hour`);
        clock.advance(2 * MINUTE);
      }
      const sixth = await send('10.0.1.1');
      assert.equal(!sixth.ok && sixth.code, 'code.send_limit_reached');
      assert.ok(!sixth.ok && sixth.retryAfterSeconds! > 0 && sixth.retryAfterSeconds! <= 3600, 'with how long to wait');

      clock.advance(HOUR);
      for (let i = 6; i <= 10; i++) {
        assert.deepEqual(await send(`10.0.2.${i}`), { ok: true }, `send ${i} in the second hour`);
        clock.advance(2 * MINUTE);
      }
      clock.advance(HOUR);
      const eleventh = await send('10.0.3.1');
      assert.equal(!eleventh.ok && eleventh.code, 'code.send_limit_reached', 'the 11th send of the day is refused');
      assert.ok(!eleventh.ok && eleventh.retryAfterSeconds! > 3600, 'until the day has room again');
      clock.advance(eleventh.ok ? 0 : eleventh.retryAfterSeconds! * 1000);
      assert.deepEqual(await send('10.0.3.2'), { ok: true }, 'once the oldest send is a day old');

      // Through sign-up: the 6th registration of one address within the hour is refused with
      // Retry-After, and nothing is created for it.
      nextDay();
      const address = email();
      for (let i = 1; i <= 5; i++) {
        await startSignUp(app, createClient(app.url), address);
        clock.advance(61_000); // one code a minute per address, over every flow
      }
      const browser = createClient(app.url);
      await browser.get('/register');
      const before = await countRows(app);
      const refused = await browser.post('/register', registrationFields(address));
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.match(alertText(refused.text) ?? '', /^We have sent too many codes\. You can get a new one in \d+ (minutes?|hour)\.$/);
      assert.deepEqual(await countRows(app), before, 'no flow, code or mail for the refused send');
    });

    test('codes: at most 20 sends per hour per client address', async () => {
      nextDay();
      const codes = app.gatehouse.services.codes;
      for (let i = 1; i <= 20; i++) {
        assert.deepEqual(await codes.reserveSend(await flowTarget(`email:${randomUUID()}`), byEmail('192.0.2.7')), { ok: true }, `send ${i}`);
      }
      const refused = await codes.reserveSend(await flowTarget(`email:${randomUUID()}`), byEmail('192.0.2.7'));
      assert.equal(!refused.ok && refused.code, 'code.send_limit_reached');
      assert.ok(!refused.ok && refused.retryAfterSeconds! > 0 && refused.retryAfterSeconds! <= 3600);
      assert.deepEqual(await codes.reserveSend(await flowTarget(`email:${randomUUID()}`), byEmail('192.0.2.8')), { ok: true }, 'another address is not affected');
      clock.advance(HOUR);
      assert.deepEqual(await codes.reserveSend(await flowTarget(`email:${randomUUID()}`), byEmail('192.0.2.7')), { ok: true }, 'an hour later there is room again');
    });
  });
}
