// One-time verification codes (DESIGN.md §2): 6 digits from the CSPRNG, stored only as a keyed
// hash bound to one flow and one purpose, 10 minutes, single use, 5 wrong tries per code, 20
// wrong tries per account per 24 h over every code and channel (then 1 h of rest), 60 s between
// sends, 5 sends an hour and 10 a day per account, 20 an hour per client address.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import { constantTimeEqual } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { VerificationCodesTable } from '../storage/tables.ts';
import type { RateEvents } from '../throttling/rate-events.ts';

export type CodeProblem =
  | 'code.invalid'
  | 'code.expired'
  | 'code.used_up'
  | 'code.resting'
  | 'code.resend_too_soon'
  | 'code.send_limit_reached';

const WRONG_CODE_BUCKET = 'wrong_code';
const DAY_SECONDS = 24 * 3600;

export interface CodeTarget {
  flowId: string;
  purpose: string;
  /** Whose budgets this counts against: "account:<id>", or a keyed hash of what was typed. */
  subject: string;
}

export function createCodeService(deps: { db: Database; clock: Clock; secrets: Secrets; rateEvents: RateEvents; security: SecurityConfig }) {
  const { db, clock, secrets, rateEvents, security } = deps;

  const hashCode = (target: CodeTarget, code: string) => secrets.keyedHash(`code:${target.purpose}:${target.flowId}`, code);

  const latestCode = (target: CodeTarget) =>
    db
      .selectFrom('verification_codes')
      .selectAll()
      .where('flow_id', '=', target.flowId)
      .where('purpose', '=', target.purpose)
      .where('voided_at', 'is', null)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();

  /**
   * Seconds the account must still rest after too many wrong codes (0 = none): 20 wrong in 24 h,
   * then 1 h from the last one. `exceptId` leaves out the caller's own just-claimed try.
   */
  const restingSeconds = async (subject: string, now: number, exceptId?: string): Promise<number> => {
    let query = db
      .selectFrom('rate_events')
      .select([sql<number>`count(*)`.as('n'), sql<number>`max(at)`.as('last')])
      .where('bucket', '=', WRONG_CODE_BUCKET)
      .where('subject', '=', subject)
      .where('at', '>', now - DAY_SECONDS * 1000);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const row = await query.executeTakeFirstOrThrow();
    if (Number(row.n) < security.wrongCodesPerAccountPerDay) return 0;
    const left = Number(row.last) + security.wrongCodesRestSeconds * 1000 - now;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  };

  const sendRules = [
    { bucket: 'code_send_account_hour', limit: security.sendsPerAccountPerHour, windowSeconds: 3600 },
    { bucket: 'code_send_account_day', limit: security.sendsPerAccountPerDay, windowSeconds: DAY_SECONDS },
    { bucket: 'code_send_client_hour', limit: security.sendsPerClientPerHour, windowSeconds: 3600 },
  ];

  const service = {
    /** Seconds until *Get code* may be pressed again for this flow (0 = now). */
    async secondsUntilResend(target: CodeTarget): Promise<number> {
      const last = await latestCode(target);
      if (!last) return 0;
      const left = last.created_at + security.resendCooldownSeconds * 1000 - clock.now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },

    /** Checks the cooldown and spends one send from each budget; refuses with how long to wait. */
    async reserveSend(target: CodeTarget, clientAddress: string): Promise<{ ok: true } | Failure<CodeProblem>> {
      const wait = await service.secondsUntilResend(target);
      if (wait > 0) return fail('code.resend_too_soon', { retryAfterSeconds: wait });
      const spent = await rateEvents.consume(sendRules, (rule) => (rule.bucket === 'code_send_client_hour' ? `client:${clientAddress}` : target.subject));
      if (!spent.ok) return fail('code.send_limit_reached', { retryAfterSeconds: spent.retryAfterSeconds });
      return { ok: true };
    },

    /** A fresh code for the flow; older codes of the same flow and purpose stop working. */
    async issueCode(executor: Database, target: CodeTarget, channel: 'email' | 'sms'): Promise<string> {
      const now = clock.now();
      const code = String(randomInt(0, 10 ** security.codeLength)).padStart(security.codeLength, '0');
      await executor
        .updateTable('verification_codes')
        .set({ voided_at: now })
        .where('flow_id', '=', target.flowId)
        .where('purpose', '=', target.purpose)
        .where('voided_at', 'is', null)
        .execute();
      await executor
        .insertInto('verification_codes')
        .values({
          id: newId(),
          flow_id: target.flowId,
          purpose: target.purpose,
          channel,
          code_hash: hashCode(target, code),
          created_at: now,
          expires_at: now + security.codeLifetimeSeconds * 1000,
          wrong_attempts: 0,
          used_at: null,
          voided_at: null,
        })
        .execute();
      return code;
    },

    /**
     * Spends the code if it is right; every wrong try counts against the code and the account.
     */
    async consumeCode(target: CodeTarget, typed: string): Promise<{ ok: true } | Failure<CodeProblem>> {
      const code = await latestCode(target);
      return spendTry(target, code, () => /^\d+$/.test(typed) && constantTimeEqual(code!.code_hash, hashCode(target, typed)));
    },

    /**
     * The same rules for a way that sends nothing (an authenticator app, a backup code): the flow
     * gets one "attempt slot" per purpose (a codes row with no hash; its id is derived, so racing
     * first tries share it), which carries the 5 tries and single use; the account's 24 h budget
     * is the one email and SMS codes spend. `isRight` does the factor's own check and its own
     * single-use claim (a TOTP step, a backup code).
     */
    async checkWithoutSending(target: CodeTarget, isRight: () => Promise<boolean>): Promise<{ ok: true } | Failure<CodeProblem>> {
      // Every try after the first finds its slot: only a missing one costs a write (and a re-read,
      // which also picks up a slot a racing first try wrote meanwhile).
      const slot = await latestCode(target);
      if (slot) return spendTry(target, slot, isRight);
      const now = clock.now();
      await db
        .insertInto('verification_codes')
        .values({
          id: `slot:${target.flowId}:${target.purpose}`,
          flow_id: target.flowId,
          purpose: target.purpose,
          channel: 'none',
          code_hash: '',
          created_at: now,
          expires_at: now + security.flowLifetimeSeconds * 1000,
          wrong_attempts: 0,
          used_at: null,
          voided_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return spendTry(target, await latestCode(target), isRight);
    },
  };
  return service;

  /**
   * One try at a code. Each try first claims one of the code's tries and one of the account's
   * (record first, count after), so a burst of parallel guesses cannot all be compared before any
   * of them is counted.
   */
  async function spendTry(
    target: CodeTarget,
    code: VerificationCodesTable | undefined,
    isRight: () => boolean | Promise<boolean>,
  ): Promise<{ ok: true } | Failure<CodeProblem>> {
    const now = clock.now();
    const resting = await restingSeconds(target.subject, now);
    if (resting > 0) return fail('code.resting', { retryAfterSeconds: resting, field: 'code' });
    if (!code || code.used_at !== null || code.wrong_attempts >= security.wrongCodesPerCode) return fail('code.used_up', { field: 'code' });
    if (code.expires_at <= now) return fail('code.expired', { field: 'code' });

    // Claim one of the account's wrong tries for today; it is given back if the code is right.
    const attemptId = newId();
    await db.insertInto('rate_events').values({ id: attemptId, bucket: WRONG_CODE_BUCKET, subject: target.subject, at: now }).execute();
    const giveBack = () => db.deleteFrom('rate_events').where('id', '=', attemptId).execute();
    const restingNow = await restingSeconds(target.subject, now, attemptId);
    if (restingNow > 0) {
      await giveBack();
      return fail('code.resting', { retryAfterSeconds: restingNow, field: 'code' });
    }
    // Claim one of the code's tries.
    const claimed = await db
      .updateTable('verification_codes')
      .set((eb) => ({ wrong_attempts: eb('wrong_attempts', '+', 1) }))
      .where('id', '=', code.id)
      .where('used_at', 'is', null)
      .where('wrong_attempts', '<', security.wrongCodesPerCode)
      .returning('wrong_attempts')
      .executeTakeFirst();
    if (!claimed) {
      await giveBack();
      return fail('code.used_up', { field: 'code' });
    }

    if (!(await isRight())) {
      return Number(claimed.wrong_attempts) < security.wrongCodesPerCode ? fail('code.invalid', { field: 'code' }) : fail('code.used_up', { field: 'code' });
    }
    // Right: the try was not a wrong one after all. Conditional, so of two requests racing with
    // the right code exactly one wins.
    const spent = await db
      .updateTable('verification_codes')
      .set((eb) => ({ used_at: now, wrong_attempts: eb('wrong_attempts', '-', 1) }))
      .where('id', '=', code.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    await giveBack();
    return Number(spent.numUpdatedRows) === 1 ? { ok: true } : fail('code.used_up', { field: 'code' });
  }
}

export type CodeService = ReturnType<typeof createCodeService>;
