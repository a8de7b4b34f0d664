// Issue 9 §3 "false refusals under parallel wrong codes": with 5 of the 20 daily wrong tries used,
// 1–10 of 30 parallel wrong submits were told "Too many wrong codes… try again in 2 hours". Only
// the budget that is really spent may refuse, and with its true wait.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import type { CodeTarget } from '../../src/verification/code-service.ts';
import { testFlow } from '../harness/test-flow.ts';
import { makeAccount } from '../security/kit.ts';
import { HOUR, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';

for (const dialect of testDialects) {
  describe(`wrong codes in parallel (${dialect})`, { timeout: 120_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    const nextDay = () => clock.advance(25 * HOUR);
    const wrongCounted = async (subject: string) =>
      (await app.gatehouse.services.db.selectFrom('rate_events').select('id').where('bucket', '=', 'wrong_code').where('subject', '=', subject).execute()).length;

    async function flowTarget(subject: string): Promise<CodeTarget> {
      const { flows, db } = app.gatehouse.services;
      const flow = await flows.of(testFlow).create(db, { state: 'code_sent', browserId: 'b', accountId: null, subject, typedIdentifier: 'x', data: {}, lifetimeSeconds: 3600 });
      return { flowId: flow.id, purpose: 'test_email', subject };
    }

    test('wrong codes: with 5 of 20 used, 30 parallel wrong tries at one code are never told to rest — the code’s own 5 tries are what runs out', async () => {
      nextDay();
      const account = await makeAccount(app, { email: 'parallel.wrong@example.com' });
      const browser = createClient(app.url);
      const first = await startRecovery(app, browser, account.email, account.email);
      for (let i = 0; i < 5; i++) await browser.post('/recovery/code', { flow: first.flowId, code: wrongCode(first.code, i) });
      clock.advance(61_000);
      const second = await startRecovery(app, browser, account.email, account.email);
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => browser.post('/recovery/code', { flow: second.flowId, code: wrongCode(second.code, i) })));
      const statuses = answers.map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 429).length, 0, `no "too many wrong codes": ${statuses.join(' ')}`);
      assert.equal(statuses.filter((status) => status === 422).length, 4, 'four "not right", then the fifth kills the code');
      assert.equal(statuses.filter((status) => status === 410).length, 26);
      assert.equal(await wrongCounted(`account:${account.id}`), 10, '5 + 5 of the day’s 20');
    });

    test('wrong codes: over many codes at once, exactly the 15 left of 20 are counted, and only tries past them rest — for 1 hour, not a second more', async () => {
      nextDay();
      const { codes, db } = app.gatehouse.services;
      const subject = `account:${randomUUID()}`;
      const used = await flowTarget(subject);
      const usedCode = await codes.issueCode(db, used, 'email');
      for (let i = 0; i < 5; i++) await codes.consumeCode(used, wrongCode(usedCode, i));
      const targets = await Promise.all(Array.from({ length: 6 }, () => flowTarget(subject)));
      const issued = await Promise.all(targets.map((target) => codes.issueCode(db, target, 'email')));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => codes.consumeCode(targets[i % 6]!, wrongCode(issued[i % 6]!, i))));
      const resting = results.filter((r) => !r.ok && r.code === 'code.resting');
      assert.equal(await wrongCounted(subject), 20, 'the budget is spent to the last try, not short of it');
      assert.equal(resting.length, 15, 'only the 15 tries past the 20 are refused as resting');
      for (const refusal of resting) assert.equal(!refusal.ok && refusal.retryAfterSeconds, 3600, 'the true wait: an hour from the 20th');
      // The rest runs from the last wrong try, exactly.
      clock.advance(HOUR - 1000);
      const almost = await codes.consumeCode(targets[0]!, issued[0]!);
      assert.equal(!almost.ok && almost.code === 'code.resting' && almost.retryAfterSeconds, 1);
    });

    test('wrong codes: when the oldest of the 20 leave the 24 h window before the hour is over, the wait says so', async () => {
      nextDay();
      const { codes, db } = app.gatehouse.services;
      const subject = `account:${randomUUID()}`;
      // One wrong try, then 19 more 23 h 30 min later: the first leaves the window in 30 minutes.
      const early = await flowTarget(subject);
      await codes.consumeCode(early, wrongCode(await codes.issueCode(db, early, 'email')));
      clock.advance(23 * HOUR + 30 * 60_000);
      for (let round = 0; round < 4; round++) {
        const target = await flowTarget(subject);
        const code = await codes.issueCode(db, target, 'email');
        for (let i = 0; i < (round < 3 ? 5 : 4); i++) await codes.consumeCode(target, wrongCode(code, i));
      }
      const target = await flowTarget(subject);
      const refused = await codes.consumeCode(target, await codes.issueCode(db, target, 'email'));
      assert.equal(!refused.ok && refused.code, 'code.resting');
      assert.equal(!refused.ok && refused.retryAfterSeconds, 30 * 60, 'half an hour, when the first try is a day old');
      clock.advance(30 * 60_000);
      const code = await codes.issueCode(db, target, 'email');
      assert.deepEqual(await codes.consumeCode(target, code), { ok: true });
    });
  });
}
