// Two-step sign-in: the second step's attempt budgets, its binding to the browser that typed the
// password, no replay of a finished step, return_to, and "Other ways to verify" listing only what
// the account has.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { fieldError, sessionSetCookie, signIn } from '../security/kit.ts';
import {
  afterNow,
  appNow,
  oathtool,
  otherCode,
  passwordStep,
  PHONE,
  PHONE_MASKED_END,
  sessionCount,
  signInWithSecondStep,
  smsCodeFor,
  startClockedGatehouse,
  startPhone,
  twoStepShopper,
} from './factors-kit.ts';

const HOUR = 3600_000;
const wrongBackupCode = 'zzzz-zzzz';

for (const dialect of testDialects) {
  describe(`Two-step sign-in rules (${dialect})`, { timeout: 90_000 }, () => {
    test('second step: 5 wrong codes per way per flow, then that way is used up for the flow', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'five-per-way@example.com');
      const browser = createClient(app.url);
      const { flowId } = await passwordStep(app, browser, shopper.email, shopper.password);
      const right = oathtool(shopper.secret, appNow(app));
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await browser.post('/login/verify/authenticator', { flow: flowId, code: otherCode(right) })).status);
      assert.deepEqual(statuses, [422, 422, 422, 422, 410]);
      const usedUp = await browser.post('/login/verify/authenticator', { flow: flowId, code: right });
      assert.equal(usedUp.status, 410, 'even the right code is refused now');
      assert.match(fieldError(usedUp.text, 'code') ?? '', /Too many wrong codes here\. Choose another way/, 'the way out is another way, not a new code');
      assert.equal(sessionSetCookie(usedUp), undefined);

      const backupStatuses: number[] = [];
      for (let i = 0; i < 5; i++) backupStatuses.push((await browser.post('/login/verify/backup-code', { flow: flowId, code: wrongBackupCode })).status);
      assert.deepEqual(backupStatuses, [422, 422, 422, 422, 410], 'backup codes have their own 5');
      assert.equal((await browser.post('/login/verify/backup-code', { flow: flowId, code: shopper.backupCodes[0]! })).status, 410);

      // A new sign-in starts a new flow with fresh tries (the account budget still has room: 10 of 20).
      const again = await signInWithSecondStep(app, shopper, 'totp', right);
      assert.equal(again.response.status, 303);
    });

    test('second step: wrong codes over all its ways share the second step’s own 20-per-24 h budget (not the settings’ or recovery’s), then it rests 1 h', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect, { CODE_SENDS_PER_HOUR: '10' });
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'shared-budget@example.com', { phone: true, totp: true });
      clock.advance(61_000); // the minute after the set-up's text
      // 5 wrong SMS codes while adding another number (My account → Security): recovery's budget.
      const { flowId: phoneFlow, code: phoneCode } = await startPhone(app, shopper, '+79123456712');
      for (let i = 0; i < 5; i++) await shopper.browser.post('/account/security/phone/code', { flow: phoneFlow, code: otherCode(phoneCode) });
      // 5 wrong authenticator codes and 5 wrong backup codes in one sign-in, 5 wrong texts in another.
      const browser = createClient(app.url);
      const first = await passwordStep(app, browser, shopper.email, shopper.password);
      const right = oathtool(shopper.secret, appNow(app));
      for (let i = 0; i < 5; i++) await browser.post('/login/verify/authenticator', { flow: first.flowId, code: otherCode(right) });
      for (let i = 0; i < 5; i++) await browser.post('/login/verify/backup-code', { flow: first.flowId, code: wrongBackupCode });
      const second = await passwordStep(app, browser, shopper.email, shopper.password);
      const sentAfter = afterNow();
      assert.equal((await browser.post('/login/verify/sms/send', { flow: second.flowId })).status, 303);
      const smsCode = await smsCodeFor(app, PHONE, sentAfter);
      for (let i = 0; i < 5; i++) await browser.post('/login/verify/sms', { flow: second.flowId, code: otherCode(smsCode) });
      // 15 of the second step's 20 (the set-up's 5 are not among them); 5 more make 20.
      const third = await passwordStep(app, browser, shopper.email, shopper.password);
      for (let i = 0; i < 5; i++) await browser.post('/login/verify/authenticator', { flow: third.flowId, code: otherCode(right) });

      // 20 wrong: a fresh flow with the right authenticator code is refused, and says how long to wait.
      const sessions = await sessionCount(app, shopper.id);
      const rested = await signInWithSecondStep(app, shopper, 'totp', right);
      assert.equal(rested.response.status, 429);
      assert.equal(rested.response.headers.get('retry-after'), '3600', 'an hour from the 20th wrong code, not a second more');
      assert.equal(fieldError(rested.response.text, 'code'), 'Too many wrong codes. For your safety, try again in 1 hour.');
      const backup = await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[0]!);
      assert.equal(backup.response.status, 429, 'a backup code too');
      assert.equal(await sessionCount(app, shopper.id), sessions);

      clock.advance(HOUR);
      const after = await signInWithSecondStep(app, shopper, 'totp', oathtool(shopper.secret, appNow(app)));
      assert.equal(after.response.status, 303, 'after the hour of rest the right code works');
    });

    test('second step: the flow is bound to the browser that typed the password (another client gets 404 and no session)', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'bound-flow@example.com');
      const browser = createClient(app.url);
      const { location, flowId } = await passwordStep(app, browser, shopper.email, shopper.password);
      const stranger = createClient(app.url);
      await stranger.get('/login');
      const code = oathtool(shopper.secret, appNow(app));
      const sessions = await sessionCount(app, shopper.id);
      for (const path of [location, `/login/verify/backup-code?flow=${flowId}`, `/login/verify/sms?flow=${flowId}`, `/login/verify/other-ways?flow=${flowId}`]) {
        assert.equal((await stranger.get(path)).status, 404, `GET ${path.split('?')[0]} from another browser`);
      }
      for (const [path, fields] of [
        ['/login/verify/authenticator', { flow: flowId, code }],
        ['/login/verify/backup-code', { flow: flowId, code: shopper.backupCodes[0]! }],
        ['/login/verify/sms', { flow: flowId, code: '123456' }],
        ['/login/verify/sms/send', { flow: flowId }],
      ] as const) {
        const response = await stranger.post(path, fields);
        assert.equal(response.status, 404, `POST ${path} from another browser`);
        assert.equal(sessionSetCookie(response), undefined);
      }
      assert.equal(await sessionCount(app, shopper.id), sessions);
      const own = await browser.post('/login/verify/authenticator', { flow: flowId, code });
      assert.equal(own.status, 303, 'the stranger spent neither the step nor the flow');
    });

    test('second step: a finished flow cannot be replayed (409, no second session)', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'replay-flow@example.com');
      const { response, flowId, browser } = await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[0]!);
      assert.equal(response.status, 303);
      const sessions = await sessionCount(app, shopper.id);
      const replays = [
        await browser.post('/login/verify/backup-code', { flow: flowId, code: shopper.backupCodes[1]! }),
        await browser.post('/login/verify/authenticator', { flow: flowId, code: oathtool(shopper.secret, appNow(app)) }),
        await browser.get(`/login/verify/authenticator?flow=${flowId}`),
      ];
      for (const replay of replays) {
        assert.ok(replay.status === 409 || replay.status === 404, `refused (${replay.status})`);
        assert.equal(sessionSetCookie(replay), undefined);
      }
      assert.equal(await sessionCount(app, shopper.id), sessions, 'no second session');
      assert.equal((await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[1]!)).response.status, 303, 'the second backup code was not spent by the replay');
    });

    test('second step: return_to is honoured, and never leads off the site', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'return-to@example.com');
      const browser = createClient(app.url);
      const started = await signIn(browser, shopper.email, shopper.password, { return_to: '/account/settings' });
      const flowId = new URL(started.location!, 'http://x').searchParams.get('flow')!;
      const done = await browser.post('/login/verify/authenticator', { flow: flowId, code: oathtool(shopper.secret, appNow(app)) });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account/settings');

      const other = createClient(app.url);
      const offsite = await signIn(other, shopper.email, shopper.password, { return_to: '//evil.example/x' });
      const flow2 = new URL(offsite.location!, 'http://x').searchParams.get('flow')!;
      const done2 = await other.post('/login/verify/backup-code', { flow: flow2, code: shopper.backupCodes[0]! });
      assert.equal(done2.location, '/account');
    });

    test('Other ways to verify at sign-in lists only the ways the account has, with the masked phone', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const ways = async (account: { email: string; password: string }) => {
        const browser = createClient(app.url);
        const { flowId } = await passwordStep(app, browser, account.email, account.password);
        const page = await browser.get(`/login/verify/other-ways?flow=${flowId}`);
        assert.equal(page.status, 200);
        return { list: [...page.text.matchAll(/data-way="([a-z_]+)"/g)].map((m) => m[1]).sort(), text: page.text };
      };
      const totpOnly = await twoStepShopper(app, clock, 'ways-totp@example.com');
      assert.deepEqual((await ways(totpOnly)).list, ['backup_code', 'totp']);
      const phoneOnly = await twoStepShopper(app, clock, 'ways-phone@example.com', { phone: true });
      const signInTextAfter = afterNow();
      const phonePage = await ways(phoneOnly);
      assert.deepEqual(phonePage.list, ['sms']);
      // The phone-only sign-in texted its code to PHONE; let it arrive before the next account adds
      // the same number, so that account's code is the one read.
      await smsCodeFor(app, PHONE, signInTextAfter);
      const all = await twoStepShopper(app, clock, 'ways-all@example.com', { phone: true, totp: true });
      const allPage = await ways(all);
      assert.deepEqual(allPage.list, ['backup_code', 'sms', 'totp']);
      for (const page of [phonePage, allPage]) {
        const hint = /data-way="sms">[\s\S]*?<p class="field-hint">([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';
        assert.match(hint, new RegExp(`^We’ll text a code to \\+44[\\s*]+${PHONE_MASKED_END}\\.$`), `masked phone: ${hint}`);
        assert.ok(!page.text.includes('7911'), 'the number itself is not shown');
      }
      assert.match(allPage.text, /You have 10 unused backup codes\./);
    });
  });
}
