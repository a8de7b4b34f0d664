// Issue 3, DESIGN.md §2 "enumeration": recovery answers the same whether or not the account exists
// — for an email and for a login name, at the start, on the code page, for a wrong code and for
// a resend (too soon, then accepted). Only a real, usable account's owner is mailed; a locked
// account gets no code but the same answer.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Response } from '../harness/http-client.ts';
import { makeAccount, withoutTokens } from '../security/kit.ts';
import { HOUR, afterNow, outboxCount, wrongCode } from './recovery-kit.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Everything a visitor gets back at one step, with the per-request parts blanked. */
interface Answer {
  status: number;
  location: string | null;
  retryAfter: string | null;
  contentType: string | null;
  page: string;
}

function answer(response: Response, typed: string): Answer {
  return {
    status: response.status,
    location: response.location?.replace(UUID, 'FLOW') ?? null,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    page: withoutTokens(response.text).replace(UUID, 'FLOW').replaceAll(typed, 'TYPED'),
  };
}

for (const dialect of testDialects) {
  describe(`recovery enumeration on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();

    before(async () => {
      app = await startTestGatehouse(dialect, { clock });
    });
    after(() => app.close());

    /**
     * Walks the recovery steps a visitor can take without the code: start, code page, a wrong
     * code, *Get code* too soon, *Get code* after 60 s, the code page again. Returns each answer
     * and how many emails the walk queued.
     */
    async function walk(typed: string, realCode?: () => Promise<string>) {
      const browser = createClient(app.url);
      const answers: Record<string, Answer> = {};
      const outboxBefore = await outboxCount(app);
      await browser.get('/recovery');
      const started = await browser.post('/recovery', { identifier: typed });
      answers.start = answer(started, typed);
      assert.match(started.location ?? '', /^\/recovery\/code\?flow=[0-9a-f-]{36}$/, `${typed}: redirected to the code page`);
      const flow = new URL(started.location!, 'http://x').searchParams.get('flow')!;
      answers.codePage = answer(await browser.get(started.location!), typed);
      // For a real account, a code that is surely wrong; for an unknown one any code is wrong.
      const guess = realCode ? wrongCode(await realCode()) : '123456';
      answers.wrongCode = answer(await browser.post('/recovery/code', { flow, code: guess }), typed);
      answers.resendTooSoon = answer(await browser.post('/recovery/resend', { flow }), typed);
      clock.advance(61_000);
      const resent = await browser.post('/recovery/resend', { flow });
      answers.resend = answer(resent, typed);
      answers.codePageAfterResend = answer(await browser.get(resent.location ?? `/recovery/code?flow=${flow}`), typed);
      answers.otherWays = answer(await browser.get(`/recovery/other-ways?flow=${flow}`), typed);
      return { answers, queued: (await outboxCount(app)) - outboxBefore };
    }

    function assertSameAnswers(a: Record<string, Answer>, b: Record<string, Answer>, why: string) {
      assert.deepEqual(Object.keys(b), Object.keys(a));
      for (const step of Object.keys(a)) {
        const [x, y] = [a[step]!, b[step]!];
        assert.equal(y.status, x.status, `${why}, ${step}: same status`);
        assert.equal(y.location, x.location, `${why}, ${step}: same redirect`);
        assert.equal(y.retryAfter, x.retryAfter, `${why}, ${step}: same Retry-After`);
        assert.equal(y.contentType, x.contentType, `${why}, ${step}: same content type`);
        assert.equal(y.page, x.page, `${why}, ${step}: byte-identical page`);
      }
    }

    test('recovery enumeration: an existing and an unknown email get the same answers at every step; only the real one is mailed', async () => {
      clock.advance(25 * HOUR);
      const account = await makeAccount(app, { email: 'real.person@example.com', loginName: 'real_person' });
      const since = afterNow();
      const known = await walk(account.email, () => app.codeFor(account.email, since));
      const unknown = await walk('fake.person@example.com');
      assertSameAnswers(known.answers, unknown.answers, 'unknown email');
      assert.equal(known.answers.start!.status, 303);
      assert.equal(known.answers.wrongCode!.status, 422);
      assert.equal(known.answers.resendTooSoon!.status, 429);
      assert.equal(known.answers.resend!.status, 303);
      assert.equal(known.queued, 2, 'the owner is mailed a code at the start and at the resend');
      assert.equal(unknown.queued, 0, 'nobody is mailed for an unknown address');
      // Two codes reach the real address; nothing reaches the unknown one.
      const toOwner = () => app.mail.messages().filter((m) => m.to.includes(account.email) && m.receivedAt >= since).length;
      for (let waited = 0; toOwner() < 2; waited += 20) {
        assert.ok(waited < 10_000, 'both codes reach the owner');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // One dispatcher pass delivers everything queued so far: a mail to the unknown address would be caught by now.
      await app.deliverMail();
      assert.ok(!app.mail.messages().some((m) => m.to.includes('fake.person@example.com')), 'no mail to the unknown address');
    });

    test('recovery enumeration: an existing and an unknown login name get the same answers at every step', async () => {
      clock.advance(25 * HOUR);
      const account = await makeAccount(app, { email: 'named.person@example.com', loginName: 'named_person' });
      const since = afterNow();
      const known = await walk('named_person', () => app.codeFor(account.email, since));
      const unknown = await walk('nobody_person');
      assertSameAnswers(known.answers, unknown.answers, 'unknown login name');
      // And the same as for an email (the page only ever shows what was typed).
      const byEmail = await walk('unknown.person@example.com');
      assertSameAnswers(known.answers, byEmail.answers, 'login name vs email');
      assert.equal(known.queued, 2);
      assert.equal(unknown.queued, 0);
    });

    test('recovery enumeration: a locked account gets no code, but exactly the same answers', async () => {
      clock.advance(25 * HOUR);
      const open = await makeAccount(app, { email: 'open.account@example.com', loginName: 'open_account' });
      const locked = await makeAccount(app, { email: 'shut.account@example.com', loginName: 'shut_account', locked: true });
      const since = afterNow();
      const known = await walk(open.email, () => app.codeFor(open.email, since));
      const byEmail = await walk(locked.email);
      const byLoginName = await walk(locked.loginName!);
      assertSameAnswers(known.answers, byEmail.answers, 'locked account by email');
      assertSameAnswers(known.answers, byLoginName.answers, 'locked account by login name');
      assert.equal(byEmail.queued + byLoginName.queued, 0, 'no code is mailed to a locked account');
      await app.mail.waitFor((m) => m.to.includes(open.email) && m.receivedAt >= since, 10_000);
      await app.deliverMail();
      assert.ok(!app.mail.messages().some((m) => m.to.includes(locked.email)), 'no mail to the locked account');
    });

    test('recovery enumeration: the same answer after 5 wrong codes (the code is dead either way)', async () => {
      clock.advance(25 * HOUR);
      const account = await makeAccount(app, { email: 'five.tries@example.com', loginName: 'five_tries' });
      const pages: Answer[][] = [];
      for (const [typed, mailTo] of [[account.email, account.email], ['four.tries@example.com', undefined]] as const) {
        const browser = createClient(app.url);
        await browser.get('/recovery');
        const since = afterNow();
        const started = await browser.post('/recovery', { identifier: typed });
        const flow = new URL(started.location!, 'http://x').searchParams.get('flow')!;
        const real = mailTo ? await app.codeFor(mailTo, since) : '000000';
        const answers: Answer[] = [];
        for (let i = 0; i < 6; i++) {
          // Unknown: a different code each time, none of which can be right.
          answers.push(answer(await browser.post('/recovery/code', { flow, code: wrongCode(real, i) }), typed));
        }
        pages.push(answers);
      }
      assert.deepEqual(pages[0]!.map((a) => a.status), [422, 422, 422, 422, 410, 410]);
      for (let i = 0; i < 6; i++) assert.deepEqual(pages[1]![i], pages[0]![i], `wrong code ${i + 1}`);
    });
  });
}
