// Issue 4, rule 6: in recovery each other way has its own code page with the email code's rules
// (DESIGN.md §2): a text code is single use, lives 10 minutes, dies after 5 wrong tries, can be
// sent again only 60 s after the last (per way, with the seconds left), and belongs to one flow
// and one purpose; authenticator and backup code pages allow 5 wrong tries per flow per way; and
// the 20 wrong tries a day are one budget over every way.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, fieldError } from '../security/kit.ts';
import { HOUR, MINUTE, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { addPhone, afterNow, appNow, enrollAuthenticator, oathtool, passwordStep, phoneNo, sendTextCode, signedInShopper, smsCodeFor, turnOnTwoStep } from './factors-kit.ts';

for (const dialect of testDialects) {
  describe(`recovery: each way's code rules (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;

    /** An account with a confirmed phone (and, if asked, an authenticator with its backup codes), an hour after set-up. */
    async function owner(options: { totp?: boolean; twoStep?: boolean } = {}) {
      clock.advance(25 * HOUR);
      n++;
      const shopper = await signedInShopper(app, `owner.${n}@example.com`);
      const phone = phoneNo(n);
      await addPhone(app, shopper, phone);
      const factors = options.totp ? await enrollAuthenticator(app, shopper) : { secret: '', backupCodes: [] as string[] };
      if (options.twoStep) await turnOnTwoStep(shopper);
      clock.advance(HOUR + MINUTE);
      return { ...shopper, phone, ...factors };
    }

    /** A recovery in a fresh browser with the emailed code read and a text code sent and read. */
    async function recoverWithText(who: { email: string; phone: string }) {
      const browser = createClient(app.url);
      const { flowId, code: emailCode } = await startRecovery(app, browser, who.email, who.email);
      const text = await sendTextCode(app, browser, flowId, who.phone);
      assert.equal(text.status, 303, `the text is sent (${text.status})`);
      return { browser, flowId, emailCode, smsCode: text.code };
    }

    test('recovery text code: single use', async () => {
      const withApp = await owner({ totp: true });
      const a = await recoverWithText(withApp);
      const first = await a.browser.post('/recovery/sms', { flow: a.flowId, code: a.smsCode });
      assert.equal(first.status, 303);
      assert.equal(first.location, `/recovery/authenticator?flow=${a.flowId}&then=1`);
      const again = await a.browser.post('/recovery/sms', { flow: a.flowId, code: a.smsCode });
      assert.equal(again.status, 410, 'the same code a second time is refused');
      assert.match(fieldError(again.text, 'code') ?? '', /can no longer be used/);

      const phoneOnly = await owner();
      const b = await recoverWithText(phoneOnly);
      assert.equal((await b.browser.post('/recovery/sms', { flow: b.flowId, code: b.smsCode })).location, `/recovery/password?flow=${b.flowId}`);
      assert.equal((await b.browser.post('/recovery/sms', { flow: b.flowId, code: b.smsCode })).status, 409, 'a verified flow takes no more codes');
    });

    test('recovery text code: valid for 10 minutes', async () => {
      const who = await owner();
      const inTime = await recoverWithText(who);
      clock.advance(10 * MINUTE - 1000);
      const accepted = await inTime.browser.post('/recovery/sms', { flow: inTime.flowId, code: inTime.smsCode });
      assert.equal(accepted.status, 303, 'accepted at 9 min 59 s');

      const late = await recoverWithText(who);
      clock.advance(10 * MINUTE);
      const expired = await late.browser.post('/recovery/sms', { flow: late.flowId, code: late.smsCode });
      assert.equal(expired.status, 410, 'refused at 10 min');
      assert.match(fieldError(expired.text, 'code') ?? '', /This code has expired/);
    });

    test('recovery text code: 5 wrong tries, then that code is dead even when right; a new code works', async () => {
      const who = await owner();
      const r = await recoverWithText(who);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await r.browser.post('/recovery/sms', { flow: r.flowId, code: wrongCode(r.smsCode, i) })).status);
      assert.deepEqual(statuses, [422, 422, 422, 422, 410]);
      assert.equal((await r.browser.post('/recovery/sms', { flow: r.flowId, code: r.smsCode })).status, 410, 'the right code no longer works');
      clock.advance(61_000);
      const fresh = await sendTextCode(app, r.browser, r.flowId, who.phone);
      assert.equal(fresh.status, 303);
      assert.equal((await r.browser.post('/recovery/sms', { flow: r.flowId, code: fresh.code })).location, `/recovery/password?flow=${r.flowId}`);
    });

    test('recovery text code: 60 s between texts, per way, with the seconds left; a new text voids the old code', async () => {
      const who = await owner();
      const r = await recoverWithText(who); // the email went at the same moment: it does not hold the text back
      const tooSoon = await r.browser.post('/recovery/sms/send', { flow: r.flowId });
      assert.equal(tooSoon.status, 429);
      assert.equal(tooSoon.headers.get('retry-after'), '60');
      assert.match(alertText(tooSoon.text) ?? '', /You can get a new code in 60 seconds/);
      assert.equal((await r.browser.post('/recovery/resend', { flow: r.flowId })).status, 429, 'the email has its own 60 s');
      clock.advance(45_000);
      const stillSoon = await r.browser.post('/recovery/sms/send', { flow: r.flowId });
      assert.equal(stillSoon.status, 429);
      assert.equal(stillSoon.headers.get('retry-after'), '15');
      assert.match((await r.browser.get(`/recovery/sms?flow=${r.flowId}`)).text, /data-countdown="15"/, 'the page counts down the same seconds');
      assert.match((await r.browser.get(`/recovery/other-ways?flow=${r.flowId}`)).text, /data-countdown="15"/);
      clock.advance(15_000);
      const second = await sendTextCode(app, r.browser, r.flowId, who.phone);
      assert.equal(second.status, 303);
      assert.equal(second.location, `/recovery/sms?flow=${r.flowId}&sent=1`);
      assert.notEqual(second.code, r.smsCode);
      assert.equal((await r.browser.post('/recovery/sms', { flow: r.flowId, code: r.smsCode })).status, 422, 'the first code was voided');
      assert.equal((await r.browser.post('/recovery/sms', { flow: r.flowId, code: second.code })).status, 303);
    });

    test('recovery text code: bound to its flow and purpose (a two-step sign-in code or another recovery’s code is refused)', async () => {
      const who = await owner({ twoStep: true });
      const signIn = createClient(app.url);
      const sentAfter = afterNow();
      const step = await passwordStep(app, signIn, who.email, who.password);
      assert.match(step.location, /^\/login\/verify\/sms/, 'sign-in texts a code at once');
      const signInCode = await smsCodeFor(app, who.phone, sentAfter);
      clock.advance(HOUR + MINUTE); // past the number's hourly cap
      const one = await recoverWithText(who);
      clock.advance(61_000); // one code a minute per account and channel, over every flow
      const two = await recoverWithText(who);
      for (const foreign of [signInCode, two.smsCode].filter((code) => code !== one.smsCode)) {
        assert.equal((await one.browser.post('/recovery/sms', { flow: one.flowId, code: foreign })).status, 422, 'a code from another flow is just wrong here');
      }
      assert.equal((await one.browser.post('/recovery/sms', { flow: step.flowId, code: signInCode })).status, 404, 'a sign-in flow is not a recovery flow');
      assert.equal((await one.browser.post('/recovery/sms', { flow: two.flowId, code: two.smsCode })).status, 404, 'another browser’s recovery is not this one');
      assert.equal((await one.browser.post('/recovery/sms', { flow: one.flowId, code: one.smsCode })).location, `/recovery/password?flow=${one.flowId}`);
      assert.equal((await two.browser.post('/recovery/sms', { flow: two.flowId, code: two.smsCode })).location, `/recovery/password?flow=${two.flowId}`);
    });

    test('recovery authenticator and backup code: 5 wrong tries per flow and per way', async () => {
      const who = await owner({ totp: true });
      const browser = createClient(app.url);
      const { flowId } = await startRecovery(app, browser, who.email);
      const right = oathtool(who.secret, appNow(app));
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await browser.post('/recovery/authenticator', { flow: flowId, code: wrongCode(right, i) })).status);
      assert.deepEqual(statuses, [422, 422, 422, 422, 410]);
      const dead = await browser.post('/recovery/authenticator', { flow: flowId, code: right });
      assert.equal(dead.status, 410, 'the right authenticator code is refused after 5 wrong ones in this flow');
      for (let i = 0; i < 4; i++) assert.equal((await browser.post('/recovery/backup-code', { flow: flowId, code: `zzzz-zzz${2 + i}` })).status, 422);
      const backup = await browser.post('/recovery/backup-code', { flow: flowId, code: who.backupCodes[0]! });
      assert.equal(backup.status, 303, 'the backup code way has its own 5 tries');
      assert.equal(backup.location, `/recovery/code?flow=${flowId}&then=1`);
      // Another flow has its own tries.
      const other = createClient(app.url);
      const second = await startRecovery(app, other, who.email);
      assert.equal((await other.post('/recovery/authenticator', { flow: second.flowId, code: right })).status, 303);
    });

    test('recovery: the 20 wrong codes a day are shared by email, text, authenticator and backup code; then even right codes rest for 1 h', async () => {
      const who = await owner({ totp: true });
      const first = await recoverWithText(who);
      const totpNow = oathtool(who.secret, appNow(app));
      const tries: Record<string, number[]> = { email: [], sms: [], totp: [], backup: [] };
      for (let round = 0; round < 5; round++) {
        tries.email!.push((await first.browser.post('/recovery/code', { flow: first.flowId, code: wrongCode(first.emailCode, round) })).status);
        tries.sms!.push((await first.browser.post('/recovery/sms', { flow: first.flowId, code: wrongCode(first.smsCode, round) })).status);
        tries.totp!.push((await first.browser.post('/recovery/authenticator', { flow: first.flowId, code: wrongCode(totpNow, round) })).status);
        tries.backup!.push((await first.browser.post('/recovery/backup-code', { flow: first.flowId, code: `zzzz-zzz${2 + round}` })).status);
      }
      for (const way of Object.keys(tries)) assert.deepEqual(tries[way], [422, 422, 422, 422, 410], `${way}: 5 wrong tries`);
      assert.equal(await wrongCount(who.id), 20, 'all 20 counted against the account');

      clock.advance(10 * MINUTE);
      const second = await recoverWithText(who);
      const refusals = [
        await second.browser.post('/recovery/code', { flow: second.flowId, code: second.emailCode }),
        await second.browser.post('/recovery/sms', { flow: second.flowId, code: second.smsCode }),
        await second.browser.post('/recovery/authenticator', { flow: second.flowId, code: oathtool(who.secret, appNow(app)) }),
        await second.browser.post('/recovery/backup-code', { flow: second.flowId, code: who.backupCodes[0]! }),
      ];
      for (const refused of refusals) {
        assert.equal(refused.status, 429, 'the right code rests');
        assert.equal(refused.headers.get('retry-after'), String(50 * 60));
        assert.match(fieldError(refused.text, 'code') ?? '', /Too many wrong codes\. For your safety, try again in 50 minutes/);
      }
      assert.equal(await wrongCount(who.id), 20, 'refusals while resting are not counted');

      clock.advance(50 * MINUTE);
      const totp = await second.browser.post('/recovery/authenticator', { flow: second.flowId, code: oathtool(who.secret, appNow(app)) });
      assert.equal(totp.status, 303, 'after the hour the authenticator works again');
      clock.advance(61_000);
      const text = await sendTextCode(app, second.browser, second.flowId, who.phone);
      assert.equal((await second.browser.post('/recovery/sms', { flow: second.flowId, code: text.code })).location, `/recovery/password?flow=${second.flowId}`);
    });

    async function wrongCount(accountId: string): Promise<number> {
      const row = await app.gatehouse.services.db
        .selectFrom('rate_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('bucket', '=', 'wrong_code')
        .where('subject', '=', `account:${accountId}`)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }
  });
}
