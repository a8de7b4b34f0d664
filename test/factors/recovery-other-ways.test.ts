// Issue 4, rule 5 with DESIGN.md §2 "enumeration": in recovery, "Other ways to verify" offers every
// way to everyone, and a way the account does not have behaves exactly like a wrong code — the same
// status, page, Retry-After and attempt counting — and a text "sent" to no phone answers, writes
// and spends exactly what a real one does, without reaching anyone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient, type Client, type Response } from '../harness/http-client.ts';
import { withoutTokens } from '../security/kit.ts';
import { HOUR, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { addPhone, appNow, countWhere, enrollAuthenticator, oathtool, phoneNo, signedInShopper, smsCount } from './factors-kit.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Answer {
  status: number;
  location: string | null;
  retryAfter: string | null;
  page: string;
}

async function waitUntil(done: () => boolean, what: string) {
  for (let waited = 0; !done(); waited += 20) {
    assert.ok(waited < 10_000, what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const answer = (response: Response, typed: string): Answer => ({
  status: response.status,
  location: response.location?.replace(UUID, 'FLOW') ?? null,
  retryAfter: response.headers.get('retry-after'),
  page: withoutTokens(response.text).replace(UUID, 'FLOW').replaceAll(typed, 'TYPED'),
});

function assertSame(a: Answer[], b: Answer[], why: string) {
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(b[i]!.status, a[i]!.status, `${why}, answer ${i + 1}: same status`);
    assert.equal(b[i]!.location, a[i]!.location, `${why}, answer ${i + 1}: same redirect`);
    assert.equal(b[i]!.retryAfter, a[i]!.retryAfter, `${why}, answer ${i + 1}: same Retry-After`);
    assert.equal(b[i]!.page, a[i]!.page, `${why}, answer ${i + 1}: byte-identical page`);
  }
}

for (const dialect of testDialects) {
  describe(`recovery: other ways reveal nothing (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;

    /** Three visitors: an unknown address, an account without factors, one with phone + authenticator + backup codes. */
    async function threeVisitors() {
      clock.advance(25 * HOUR);
      n++;
      const plain = await signedInShopper(app, `plain.${n}@example.com`);
      const full = await signedInShopper(app, `full.${n}@example.com`);
      const phone = phoneNo(n);
      await addPhone(app, full, phone);
      const { secret, backupCodes } = await enrollAuthenticator(app, full);
      // Past the hour of the set-up sends (per-number cap, account send budget) and the enrolled step.
      clock.advance(HOUR + 60_000);
      return { unknown: `nobody.${n}@example.com`, plain: plain.email, full: full.email, phone, secret, backupCodes };
    }

    /** A fresh recovery for `typed` in its own browser. */
    async function recover(typed: string): Promise<{ browser: Client; flowId: string }> {
      const browser = createClient(app.url);
      const { flowId } = await startRecovery(app, browser, typed);
      return { browser, flowId };
    }

    test('recovery other ways: every way is offered, identically, for an unknown account, one without factors and one with all; no number is shown', async () => {
      const v = await threeVisitors();
      const pages: Answer[][] = [];
      for (const typed of [v.full, v.plain, v.unknown]) {
        const { browser, flowId } = await recover(typed);
        const answers: Answer[] = [];
        for (const path of ['other-ways', 'sms', 'authenticator', 'backup-code']) answers.push(answer(await browser.get(`/recovery/${path}?flow=${flowId}`), typed));
        pages.push(answers);
      }
      const ways = pages[0]![0]!.page;
      assert.equal(pages[0]![0]!.status, 200);
      for (const way of ['sms', 'totp', 'backup_code', 'email']) assert.match(ways, new RegExp(`data-way="${way}"`), `the ${way} way is offered`);
      assert.match(ways, /action="\/recovery\/sms\/send"/);
      assert.match(ways, /href="\/recovery\/authenticator\?flow=FLOW"/);
      assert.match(ways, /href="\/recovery\/backup-code\?flow=FLOW"/);
      for (const page of pages[0]!.map((a) => a.page)) {
        assert.doesNotMatch(page, /\*\*\*\*|\+44|unused backup codes/, 'no masked number, no count of backup codes in recovery');
      }
      assertSame(pages[0]!, pages[1]!, 'account without factors');
      assertSame(pages[0]!, pages[2]!, 'unknown account');
    });

    test('recovery other ways: an authenticator code for an unknown account or one without an authenticator fails exactly like a wrong code, counted alike', async () => {
      const v = await threeVisitors();
      const walks: Answer[][] = [];
      for (const typed of [v.full, v.plain, v.unknown]) {
        const { browser, flowId } = await recover(typed);
        const right = oathtool(v.secret, appNow(app));
        const wrongBefore = await countWhere(app, 'rate_events', 'bucket', 'wrong_code');
        const answers: Answer[] = [];
        for (let i = 0; i < 6; i++) answers.push(answer(await browser.post('/recovery/authenticator', { flow: flowId, code: wrongCode(right, i) }), typed));
        assert.equal((await countWhere(app, 'rate_events', 'bucket', 'wrong_code')) - wrongBefore, 5, `${typed}: 5 tries spend 5 of the account's wrong-code budget`);
        walks.push(answers);
      }
      assert.deepEqual(walks[0]!.map((a) => a.status), [422, 422, 422, 422, 410, 410], '5 wrong tries, then the way is closed for this flow');
      assert.match(walks[0]![0]!.page, /That code is not right/);
      assertSame(walks[0]!, walks[1]!, 'no authenticator');
      assertSame(walks[0]!, walks[2]!, 'unknown account');
    });

    test('recovery other ways: a backup code for an unknown account or one without backup codes fails exactly like a wrong one, counted alike', async () => {
      const v = await threeVisitors();
      const walks: Answer[][] = [];
      const guesses = ['abcd-efgh', 'zzzz-zzzz', '2345 6789', 'not-a-code', 'mnpq-rstu', v.backupCodes[0]!.split('').reverse().join('')];
      for (const typed of [v.full, v.plain, v.unknown]) {
        const { browser, flowId } = await recover(typed);
        const wrongBefore = await countWhere(app, 'rate_events', 'bucket', 'wrong_code');
        const answers: Answer[] = [];
        for (const code of guesses) answers.push(answer(await browser.post('/recovery/backup-code', { flow: flowId, code }), typed));
        assert.equal((await countWhere(app, 'rate_events', 'bucket', 'wrong_code')) - wrongBefore, 5, `${typed}: counted against the daily budget`);
        walks.push(answers);
      }
      assert.deepEqual(walks[0]!.map((a) => a.status), [422, 422, 422, 422, 410, 410]);
      assertSame(walks[0]!, walks[1]!, 'no backup codes');
      assertSame(walks[0]!, walks[2]!, 'unknown account');
    });

    test('recovery other ways: a text code for an unknown account or one without a phone fails exactly like a wrong one, counted alike', async () => {
      const v = await threeVisitors();
      const walks: Answer[][] = [];
      for (const typed of [v.full, v.plain, v.unknown]) {
        const { browser, flowId } = await recover(typed);
        const answers: Answer[] = [];
        // Before any text was sent: no code to try.
        answers.push(answer(await browser.post('/recovery/sms', { flow: flowId, code: '123456' }), typed));
        answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed));
        const wrongBefore = await countWhere(app, 'rate_events', 'bucket', 'wrong_code');
        // The real text's code is never one of these six (for the phone it is simply not read).
        for (let i = 0; i < 6; i++) answers.push(answer(await browser.post('/recovery/sms', { flow: flowId, code: String(100000 + i * 7919) }), typed));
        assert.equal((await countWhere(app, 'rate_events', 'bucket', 'wrong_code')) - wrongBefore, 5, `${typed}: counted against the daily budget`);
        walks.push(answers);
      }
      assert.deepEqual(walks[0]!.map((a) => a.status), [410, 303, 422, 422, 422, 422, 410, 410]);
      assertSame(walks[0]!, walks[1]!, 'no phone');
      assertSame(walks[0]!, walks[2]!, 'unknown account');
    });

    test('recovery other ways: "Text me a code" for an unknown account or one without a phone answers like a real send, writes a decoy, delivers nothing and spends the same budgets', async () => {
      const v = await threeVisitors();
      const walks: Answer[][] = [];
      const decoysBefore = await countWhere(app, 'outbox', 'recipient_sealed', '');
      for (const typed of [v.full, v.plain, v.unknown]) {
        const { browser, flowId } = await recover(typed);
        const caughtBefore = smsCount(app);
        const caughtByPhoneBefore = smsCount(app, v.phone);
        const smsRowsBefore = await countWhere(app, 'outbox', 'channel', 'sms');
        const sendsBefore = await countWhere(app, 'rate_events', 'bucket', 'code_send_account_hour');
        const answers: Answer[] = [];
        const sent = await browser.post('/recovery/sms/send', { flow: flowId });
        answers.push(answer(sent, typed));
        answers.push(answer(await browser.get(sent.location ?? '/'), typed));
        assert.equal((await countWhere(app, 'outbox', 'channel', 'sms')) - smsRowsBefore, 1, `${typed}: one outbox row for the text`);
        assert.equal((await countWhere(app, 'rate_events', 'bucket', 'code_send_account_hour')) - sendsBefore, 1, `${typed}: one send spent`);
        answers.push(answer(await browser.get(`/recovery/other-ways?flow=${flowId}`), typed)); // counting down the same 60 s
        answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed)); // too soon
        clock.advance(61_000);
        answers.push(answer(await browser.post('/recovery/resend', { flow: flowId }), typed)); // the email: 3rd send
        answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed)); // 4th
        clock.advance(61_000);
        answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed)); // 5th
        clock.advance(61_000);
        answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed)); // 6th: over 5 an hour
        if (typed === v.full) {
          await waitUntil(() => smsCount(app, v.phone) === caughtByPhoneBefore + 3, 'the real phone gets its 3 texts');
        } else {
          // One dispatcher pass sends everything due: a text that should not go would be caught by now.
          await app.deliverMail();
          assert.equal(smsCount(app), caughtBefore, `${typed}: nothing reaches the SMS provider`);
        }
        walks.push(answers);
        clock.advance(HOUR + 60_000);
      }
      assert.deepEqual(walks[0]!.map((a) => a.status), [303, 200, 200, 429, 303, 303, 303, 429]);
      assert.equal(walks[0]![0]!.location, '/recovery/sms?flow=FLOW&sent=1');
      assert.match(walks[0]![2]!.page, /data-countdown="60"/);
      assert.equal(walks[0]![3]!.retryAfter, '60');
      assert.match(walks[0]![7]!.page, /We have sent too many codes/);
      assertSame(walks[0]!, walks[1]!, 'no phone');
      assertSame(walks[0]!, walks[2]!, 'unknown account');
      // Decoys: in the outbox like a real text, but with nothing inside and never for delivery.
      const decoys = await app.gatehouse.services.db.selectFrom('outbox').selectAll().where('recipient_sealed', '=', '').where('channel', '=', 'sms').execute();
      assert.equal((await countWhere(app, 'outbox', 'recipient_sealed', '')) - decoysBefore, 3 + 3 + 2, 'three decoy texts each, and the unknown account\'s two decoy emails');
      assert.ok(decoys.every((r) => r.status === 'sent' && r.payload_sealed === '' && r.sent_at !== null));
    });

    test('recovery other ways: the SMS-pumping cap per number does not tell an account with a phone from one without', async () => {
      const v = await threeVisitors();
      const walks: Answer[][] = [];
      for (const typed of [v.full, v.plain]) {
        const { browser, flowId } = await recover(typed);
        const answers: Answer[] = [];
        // 4 texts in an hour: within the account's 5 sends, past the number's 3.
        for (let i = 0; i < 4; i++) {
          answers.push(answer(await browser.post('/recovery/sms/send', { flow: flowId }), typed));
          clock.advance(61_000);
        }
        walks.push(answers);
      }
      assert.deepEqual(walks[1]!.map((a) => a.status), [303, 303, 303, 303]);
      assertSame(walks[1]!, walks[0]!, 'capped number');
      // Delivery is asynchronous (the outbox): wait for the texts that are due, then one dispatcher
      // pass (it sends everything due) for any that should not be, before counting.
      for (const deadline = Date.now() + 10_000; smsCount(app, v.phone) < 1 + 3 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
      await app.deliverMail();
      assert.equal(smsCount(app, v.phone), 1 + 3, 'the number still got no more than 3 texts in the hour');
    });
  });
}
