// The code store part of src/verification/code-service.ts on both databases, below HTTP: codes
// stored as keyed hashes bound to a flow and a purpose, expiry at the edge, single use under
// races, 5 tries per code, 20 wrong per subject a day, and the send budgets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { createFlowStore } from '../../src/flows/flow-store.ts';
import { createRateEvents } from '../../src/throttling/rate-events.ts';
import { createCodeService, type CodeTarget } from '../../src/verification/code-service.ts';
import { testFlow } from '../harness/test-flow.ts';
import { DAY, HOUR, MINUTE, SECOND, storeSuite } from './store-kit.ts';

const security = loadConfig({}).security;

storeSuite('verification codes', (s) => {
  const codes = () => createCodeService({ db: s.db, clock: s.clock, secrets: s.secrets, rateEvents: createRateEvents(s.db, s.clock), security });
  async function target(fields: Partial<CodeTarget> = {}): Promise<CodeTarget> {
    const flow = await createFlowStore(s.db, s.clock)
      .of(testFlow)
      .create(s.db, { state: 'code_sent', browserId: 'b', accountId: null, subject: 's', typedIdentifier: '', data: {}, lifetimeSeconds: 3600 });
    return { flowId: flow.id, purpose: 'recovery', subject: `account:${randomUUID()}`, ...fields };
  }
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  test('a code is 6 digits; the row holds only a keyed hash of it', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    assert.match(code, /^\d{6}$/);
    const rows = await s.db.selectFrom('verification_codes').selectAll().where('flow_id', '=', t.flowId).execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(code));
  });

  test('a code lives 10 minutes — accepted at 9:59.999, refused as expired at 10:00', async () => {
    const t1 = await target();
    const issued = await codes().issueCodeExpiring(s.db, t1, 'email');
    assert.equal(issued.expiresAt, s.clock.now() + 10 * MINUTE);
    const t2 = await target();
    const second = await codes().issueCode(s.db, t2, 'email');
    s.clock.advance(10 * MINUTE - 1);
    assert.deepEqual(await codes().consumeCode(t1, issued.code), { ok: true });
    s.clock.advance(1);
    assert.equal((await codes().consumeCode(t2, second) as { code: string }).code, 'code.expired');
  });

  test('a code works once: the right code again is used up', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    assert.deepEqual(await codes().consumeCode(t, code), { ok: true });
    assert.equal((await codes().consumeCode(t, code) as { code: string }).code, 'code.used_up');
  });

  test('of parallel tries with the right code exactly one succeeds', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    const results = await Promise.all(Array.from({ length: 6 }, () => codes().consumeCode(t, code)));
    assert.equal(results.filter((r) => r.ok).length, 1);
  });

  test('a new code voids the one before: the old code is a wrong try, the new one works', async () => {
    const t = await target();
    const old = await codes().issueCode(s.db, t, 'email');
    s.clock.advance(SECOND);
    let fresh = await codes().issueCode(s.db, t, 'email');
    while (fresh === old) fresh = await codes().issueCode(s.db, t, 'email');
    assert.equal((await codes().consumeCode(t, old) as { code: string }).code, 'code.invalid');
    assert.deepEqual(await codes().consumeCode(t, fresh), { ok: true });
  });

  test('a code is bound to its flow and purpose: typed for another purpose or flow it finds no code', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    assert.equal((await codes().consumeCode({ ...t, purpose: 'password_change' }, code) as { code: string }).code, 'code.used_up');
    assert.equal((await codes().consumeCode({ ...(await target()), subject: t.subject }, code) as { code: string }).code, 'code.used_up');
    assert.deepEqual(await codes().consumeCode(t, code), { ok: true });
  });

  test('5 wrong tries use a code up: the 5th is used_up, and then even the right code is refused', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await codes().consumeCode(t, wrong(code)) as { code: string }).code);
    assert.deepEqual(answers, ['code.invalid', 'code.invalid', 'code.invalid', 'code.invalid', 'code.used_up']);
    assert.equal((await codes().consumeCode(t, code) as { code: string }).code, 'code.used_up');
  });

  test('a right code gives its try back: it does not count toward the subject’s daily wrong codes', async () => {
    const t = await target();
    const code = await codes().issueCode(s.db, t, 'email');
    await codes().consumeCode(t, code);
    const counted = await s.db.selectFrom('rate_events').select('id').where('bucket', '=', 'wrong_code').where('subject', '=', t.subject).execute();
    assert.equal(counted.length, 0);
  });

  test('20 wrong codes in 24 h over any flows rest the subject 1 h; the second step’s budget is apart', async () => {
    s.clock.advance(DAY);
    const subject = `account:${randomUUID()}`;
    for (let flow = 0; flow < 4; flow++) {
      const t = await target({ subject });
      const code = await codes().issueCode(s.db, t, 'email');
      for (let i = 0; i < 5; i++) await codes().consumeCode(t, wrong(code));
    }
    const t = await target({ subject });
    const code = await codes().issueCode(s.db, t, 'email');
    assert.deepEqual(await codes().consumeCode(t, code), { ok: false, code: 'code.resting', retryAfterSeconds: 3600, field: 'code' });
    const secondStep = await target({ subject, budget: 'second_step' });
    const own = await codes().issueCode(s.db, secondStep, 'sms');
    assert.deepEqual(await codes().consumeCode(secondStep, own), { ok: true });
    s.clock.advance(HOUR);
    const later = await target({ subject });
    assert.deepEqual(await codes().consumeCode(later, await codes().issueCode(s.db, later, 'email')), { ok: true });
  });

  test('a way that sends nothing gets one slot per flow and purpose, with the same 5 tries and single use', async () => {
    const t = await target({ purpose: 'recovery:totp' });
    assert.equal((await codes().checkWithoutSending(t, async () => false) as { code: string }).code, 'code.invalid');
    assert.deepEqual(await codes().checkWithoutSending(t, async () => true), { ok: true });
    assert.equal((await codes().checkWithoutSending(t, async () => true) as { code: string }).code, 'code.used_up');
    const slots = await s.db.selectFrom('verification_codes').select('id').where('flow_id', '=', t.flowId).execute();
    assert.deepEqual(slots.map((r) => r.id), [`slot:${t.flowId}:recovery:totp`]);
  });

  test('parallel first tries without a code share one slot', async () => {
    const t = await target({ purpose: 'recovery:backup_code' });
    await Promise.all(Array.from({ length: 4 }, () => codes().checkWithoutSending(t, async () => false)));
    const slots = await s.db.selectFrom('verification_codes').select('wrong_attempts').where('flow_id', '=', t.flowId).execute();
    assert.equal(slots.length, 1);
    assert.equal(slots[0]!.wrong_attempts, 4);
  });

  test('sends: one a minute per subject and channel, then resend_too_soon with the wait', async () => {
    const t = await target();
    const to = { channel: 'email' as const, destination: 'a@example.com', clientAddress: `client-${randomUUID()}` };
    assert.deepEqual(await codes().reserveSend(t, to), { ok: true });
    assert.deepEqual(await codes().reserveSend(t, to), { ok: false, code: 'code.resend_too_soon', retryAfterSeconds: 60 });
    assert.equal(await codes().secondsUntilResend(t, 'email'), 60);
  });

  test('sends: 5 an hour per subject, the 6th refused with send_limit_reached, and its minute given back', async () => {
    const t = await target();
    const to = { channel: 'email' as const, destination: 'a@example.com', clientAddress: `client-${randomUUID()}` };
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await codes().reserveSend(t, to), { ok: true });
      s.clock.advance(61 * SECOND);
    }
    const refused = await codes().reserveSend(t, to);
    assert.equal(!refused.ok && refused.code, 'code.send_limit_reached');
    assert.equal(await codes().secondsUntilResend(t, 'email'), 0, 'nothing went out, so no minute to wait');
  });

  test('a send refused by a further cap gives back its minute and its budget units', async () => {
    const t = await target();
    const to = { channel: 'sms' as const, destination: '+79161234512', clientAddress: `client-${randomUUID()}` };
    const refused = await codes().reserveSend(t, to, async () => ({ ok: false, code: 'sms.country_limit' }));
    assert.equal(!refused.ok && refused.code, 'sms.country_limit');
    assert.equal(await codes().secondsUntilResend(t, 'sms'), 0);
    const spent = await s.db.selectFrom('rate_events').select('id').where('subject', '=', t.subject).execute();
    assert.equal(spent.length, 0);
  });
});
