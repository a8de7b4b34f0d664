// DESIGN.md §2 "resend": 60 s after the last send to that account (or sign-up address) on that
// channel, across flows, claimed by one conditional statement. Issue 9 §3: 20 parallel *Get code*
// just after the 60 s sent 3–4 codes, and 50 parallel recovery starts for one account sent 5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { alertText, flowIdFrom, makeAccount, registrationFields, signInOk } from '../security/kit.ts';
import { HOUR, afterNow, outboxCount, startPasswordChange, startRecovery } from '../recovery/recovery-kit.ts';

const STILL_WORKS = 'We sent you a code less than a minute ago. It still works: enter it here.';
const SENT_RECENTLY = 'A code was sent less than a minute ago. You can ask for a new one when the countdown ends.';
const countdownOf = (html: string) => Number(/data-countdown="(\d+)"/.exec(html)?.[1] ?? 0);
const noticeOf = (html: string) => /class="alert alert-success"[^>]*>([^<]*)</.exec(html)?.[1];

for (const dialect of testDialects) {
  describe(`resend cooldown per account and channel (${dialect})`, { timeout: 120_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock, env: { CODE_SENDS_PER_CLIENT_PER_HOUR: '1000' } });
    let n = 0;
    const freshAccount = () => makeAccount(app, { email: `cooling${++n}@example.com`, loginName: `cooling_${n}` });
    const nextDay = () => clock.advance(25 * HOUR);

    test('resend: 20 parallel "Get code" just after the 60 s send exactly one new code, the rest are told how long to wait', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const { flowId } = await startRecovery(app, browser, account.email, account.email);
      clock.advance(60_000);
      const before = await outboxCount(app);
      const answers = await Promise.all(Array.from({ length: 20 }, () => browser.post('/recovery/resend', { flow: flowId })));
      const statuses = answers.map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 303).length, 1, `one send: ${statuses.join(' ')}`);
      assert.equal(statuses.filter((status) => status === 429).length, 19);
      for (const refused of answers.filter((answer) => answer.status === 429)) assert.equal(refused.headers.get('retry-after'), '60');
      assert.equal((await outboxCount(app)) - before, 1, 'one mail queued');
      const codes = await app.gatehouse.services.db.selectFrom('verification_codes').select('id').where('flow_id', '=', flowId).execute();
      assert.equal(codes.length, 2, 'the first code and one new one');
    });

    test('resend: 50 parallel recovery starts for one account send one code in that second, not one per flow', async () => {
      nextDay();
      const account = await freshAccount();
      const browsers = Array.from({ length: 50 }, () => createClient(app.url));
      await Promise.all(browsers.map((browser) => browser.get('/recovery')));
      const before = await outboxCount(app);
      const answers = await Promise.all(browsers.map((browser, i) => browser.post('/recovery', { identifier: i % 2 ? account.email : account.loginName! })));
      assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [303], 'every start is answered alike');
      assert.equal((await outboxCount(app)) - before, 1, 'one mail for the account');
      // The other 49 pages count down from the one send.
      const page = await browsers[7]!.get(answers[7]!.location!);
      assert.ok(countdownOf(page.text) > 0 && countdownOf(page.text) <= 60, `countdown ${countdownOf(page.text)}`);
    });

    test('resend: starting again in the same browser within the minute moves the code already sent to the new flow; no second mail', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      const first = await startRecovery(app, browser, account.email, account.email);
      clock.advance(20_000);
      const before = await outboxCount(app);
      const again = await startRecovery(app, browser, account.loginName!);
      assert.match(again.response.location ?? '', /&sent=earlier$/);
      assert.equal(await outboxCount(app), before, 'no new code was sent');
      const page = await browser.get(again.response.location!);
      assert.equal(noticeOf(page.text), STILL_WORKS);
      assert.equal(countdownOf(page.text), 40, 'the countdown runs from the first send');
      const oldFlow = await browser.post('/recovery/code', { flow: first.flowId, code: first.code });
      assert.equal(oldFlow.status, 410, 'the code left the old flow');
      const confirmed = await browser.post('/recovery/code', { flow: again.flowId, code: first.code });
      assert.equal(confirmed.status, 303, 'the code in the mailbox works in the new flow');
    });

    test('resend: another browser starting within the minute gets the countdown and no code; the first browser’s code stays with it', async () => {
      nextDay();
      const account = await freshAccount();
      const owner = createClient(app.url);
      const first = await startRecovery(app, owner, account.email, account.email);
      clock.advance(15_000);
      const stranger = createClient(app.url);
      const before = await outboxCount(app);
      const theirs = await startRecovery(app, stranger, account.email);
      assert.match(theirs.response.location ?? '', /&sent=recently$/);
      assert.equal(await outboxCount(app), before, 'no new code');
      const page = await stranger.get(theirs.response.location!);
      assert.equal(noticeOf(page.text), SENT_RECENTLY);
      assert.equal(countdownOf(page.text), 45);
      const tooSoon = await stranger.post('/recovery/resend', { flow: theirs.flowId });
      assert.equal(tooSoon.status, 429);
      assert.equal(alertText(tooSoon.text), 'You can get a new code in 45 seconds.');
      const typed = await stranger.post('/recovery/code', { flow: theirs.flowId, code: first.code });
      assert.ok(typed.status === 410 || typed.status === 422, `the owner's code does not open the stranger's flow (${typed.status})`);
      assert.equal((await owner.post('/recovery/code', { flow: first.flowId, code: first.code })).status, 303, 'and it still works for the owner');
      // After the minute the stranger's flow may ask for its own code.
      clock.advance(45_000);
      assert.equal((await stranger.post('/recovery/resend', { flow: theirs.flowId })).status, 303);
    });

    test('resend: the wait is across flows of the account (recovery → Change password) and per channel (a text is not held up by an email)', async () => {
      nextDay();
      const account = await freshAccount();
      const browser = createClient(app.url);
      await signInOk(browser, account.email, account.password);
      const recovery = await startRecovery(app, browser, account.email, account.email);
      clock.advance(10_000);
      const before = await outboxCount(app);
      const started = await browser.post('/account/password', {});
      assert.match(started.location ?? '', /^\/account\/password\/code\?flow=.*&sent=earlier$/, 'Change password takes over the code');
      assert.equal(await outboxCount(app), before);
      assert.equal((await browser.post('/account/password/code', { flow: flowIdFrom(started.location), code: recovery.code })).status, 303);
      // The email wait does not stop a text to the same account: another channel.
      const { codes } = app.gatehouse.services;
      assert.equal(await codes.secondsUntilResend({ subject: `account:${account.id}` }, 'email'), 50);
      assert.equal(await codes.secondsUntilResend({ subject: `account:${account.id}` }, 'sms'), 0);
      // And a minute later Change password sends again as usual.
      clock.advance(50_000);
      await startPasswordChange(app, browser, account.email);
    });

    test('resend: sign-up waits per address across flows, and the same browser keeps its code', async () => {
      nextDay();
      const address = `cooling.signup${++n}@example.com`;
      const browser = createClient(app.url);
      await browser.get('/register');
      const sentAfter = afterNow();
      const first = await browser.post('/register', registrationFields(address));
      const code = await app.codeFor(address, sentAfter);
      clock.advance(5_000);
      const before = await outboxCount(app);
      const again = await browser.post('/register', registrationFields(address));
      assert.match(again.location ?? '', /&sent=earlier$/);
      assert.equal(await outboxCount(app), before);
      assert.equal((await browser.post('/register/code', { flow: flowIdFrom(first.location), code })).status, 410, 'moved out of the first flow');
      assert.equal((await browser.post('/register/code', { flow: flowIdFrom(again.location), code })).status, 303, 'the mailed code confirms the new one');
    });
  });
}
