// One-time verification codes (DESIGN.md §2): 6 digits from the CSPRNG, stored only as a keyed
// hash bound to one flow and one purpose, 10 minutes, single use, 5 wrong tries per code, 20
// wrong tries per account per 24 h over every code and channel (then 1 h of rest), 60 s between
// sends to an account on a channel (send-cooldowns.ts), 5 sends an hour and 10 a day per
// account, 20 an hour per client address.
//
// An account has three sets of budgets (wrong codes, sends): recovery's, which anyone who knows the
// email can spend; the second step's after a correct password; and the signed-in changes' (Change
// password, a new phone). Were they one, 20 wrong codes typed into recovery by a stranger would keep
// the owner — right password, right authenticator code — from signing in for an hour, or from
// changing their password while signed in, renewable with one wrong try an hour.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import { constantTimeEqual } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { VerificationCodesTable } from '../storage/tables.ts';
import type { RateEvents } from '../throttling/rate-events.ts';
import { createSendCooldowns, type SendChannel } from './send-cooldowns.ts';
import { voidOtherCodes } from './void-codes.ts';

/** Why a typed code is refused: wrong, dead, spent, or the account resting after wrong tries. */
export type TryProblem = 'code.invalid' | 'code.expired' | 'code.used_up' | 'code.resting';
/** Why a code is not sent: asked again within the wait, or a send budget is spent. */
export type SendProblem = 'code.resend_too_soon' | 'code.send_limit_reached';
export type CodeProblem = TryProblem | SendProblem;

const DAY_SECONDS = 24 * 3600;

/**
 * Whose budgets a try or a send spends. 'recovery': flows anyone who knows the identifier can
 * start (recovery, sign-up); 'second_step': sign-in after the right password; 'signed_in': the
 * flows of a signed-in session that has just proved the password (Change password, phone set-up).
 * A stranger reaches only the first.
 */
export type CodeBudget = 'recovery' | 'second_step' | 'signed_in';

/** Rate-event bucket names: recovery's keep their original names, the others have their own. */
const bucketOf = (name: string, budget: CodeBudget | undefined) => (budget === undefined || budget === 'recovery' ? name : `${name}:${budget}`);

export interface CodeTarget {
  flowId: string;
  purpose: string;
  /** Whose budgets this counts against: "account:<id>", or a keyed hash of what was typed. */
  subject: string;
  /** 'recovery' when absent. */
  budget?: CodeBudget;
}

/** Where a send goes: the channel, and the address or number (only ever hashed here). */
export interface SendTo {
  channel: SendChannel;
  destination: string;
  clientAddress: string;
  /**
   * A number being added, not the account's verified one: its texts wait on their own minute (a
   * shopper who just added a phone may be texted on the old one at once), and have caps of their
   * own (sms-caps.ts). A code never moves between the two: they go to different places.
   */
  toNewNumber?: boolean;
}

const cooldownKey = (subject: string, to: Pick<SendTo, 'channel' | 'toNewNumber'>) => ({ subject: to.toNewNumber ? `${subject}:new_number` : subject, channel: to.channel });

/**
 * A start within the minute after a send: 'moved' — the code already sent now belongs to the new
 * flow (same browser, same place); 'elsewhere' — it stays with the flow that asked for it.
 */
export type EarlierCode = 'moved' | 'elsewhere';

export function createCodeService(deps: { db: Database; clock: Clock; secrets: Secrets; rateEvents: RateEvents; security: SecurityConfig }) {
  const { db, clock, secrets, rateEvents, security } = deps;

  // Keyed by the code row's own id: a code that moves to a newer flow of the same browser
  // (takeOverEarlierCode) keeps its hash; which flow and purpose it serves are its columns.
  const hashCode = (codeId: string, code: string) => secrets.keyedHash(`code:${codeId}`, code);

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
   * then 1 h from the last one — or less, when the oldest of them leave the 24 h window first.
   */
  const restingSeconds = async (executor: Database, bucket: string, subject: string, now: number): Promise<number> => {
    const since = now - DAY_SECONDS * 1000;
    const recent = () => executor.selectFrom('rate_events').where('bucket', '=', bucket).where('subject', '=', subject).where('at', '>', since);
    const row = await recent().select([sql<number>`count(*)`.as('n'), sql<number>`max(at)`.as('last')]).executeTakeFirstOrThrow();
    const count = Number(row.n);
    if (count < security.wrongCodesPerAccountPerDay) return 0;
    // Below the limit again once this many of the oldest have left the window.
    const leaving = await recent().select('at').orderBy('at', 'asc').offset(count - security.wrongCodesPerAccountPerDay).limit(1).executeTakeFirstOrThrow();
    const until = Math.min(Number(row.last) + security.wrongCodesRestSeconds * 1000, Number(leaving.at) + DAY_SECONDS * 1000);
    // Never more than the rest itself, even if another node's clock ran a little ahead.
    return until > now ? Math.min(security.wrongCodesRestSeconds, Math.ceil((until - now) / 1000)) : 0;
  };

  const cooldowns = createSendCooldowns({ db, clock, secrets, cooldownSeconds: security.resendCooldownSeconds });

  const CLIENT_BUCKET = 'code_send_client_hour';
  const sendRulesFor = (budget: CodeBudget | undefined) => [
    { bucket: bucketOf('code_send_account_hour', budget), limit: security.sendsPerAccountPerHour, windowSeconds: 3600 },
    { bucket: bucketOf('code_send_account_day', budget), limit: security.sendsPerAccountPerDay, windowSeconds: DAY_SECONDS },
    // Per client address: one budget whatever the flow, it is about the client, not the account.
    { bucket: CLIENT_BUCKET, limit: security.sendsPerClientPerHour, windowSeconds: 3600 },
  ];

  const service = {
    /** Seconds until *Get code* may be pressed again for this subject on this channel (0 = now). */
    secondsUntilResend: (target: Pick<CodeTarget, 'subject'>, channel: SendChannel, options: { toNewNumber?: boolean } = {}) =>
      cooldowns.secondsLeft(cooldownKey(target.subject, { channel, ...options })),

    /**
     * Claims the send: the 60 s wait for the subject and channel first (one conditional upsert,
     * so of parallel requests exactly one goes on), then one send from each budget, then
     * `alsoSpend` (the SMS caps); a refusal by any of them gives back what was taken before it.
     */
    async reserveSend<AlsoCode extends FailureCode = never>(
      target: CodeTarget,
      to: SendTo,
      alsoSpend?: () => Promise<{ ok: true } | Failure<AlsoCode>>,
    ): Promise<{ ok: true } | Failure<SendProblem | AlsoCode>> {
      const key = cooldownKey(target.subject, to);
      const claimedAt = await cooldowns.claim(key, target.flowId, to.destination);
      if (claimedAt === null) return fail('code.resend_too_soon', { retryAfterSeconds: Math.max(1, await cooldowns.secondsLeft(key)) });
      const spent = await rateEvents.consume(sendRulesFor(target.budget), (rule) => (rule.bucket === CLIENT_BUCKET ? `client:${to.clientAddress}` : target.subject));
      if (!spent.ok) {
        await cooldowns.release(key, target.flowId, claimedAt);
        return fail('code.send_limit_reached', { retryAfterSeconds: spent.retryAfterSeconds });
      }
      const also = alsoSpend ? await alsoSpend() : ({ ok: true } as const);
      if (!also.ok) {
        await rateEvents.release(spent.ids);
        await cooldowns.release(key, target.flowId, claimedAt);
        return also;
      }
      return { ok: true };
    },

    /**
     * After a send refused as too soon, for a flow that exists: moves the code sent a moment ago
     * into it when the same browser asked for both (see send-cooldowns.ts handOver).
     */
    async takeOverEarlierCode(target: CodeTarget, to: Pick<SendTo, 'channel' | 'destination' | 'toNewNumber'>): Promise<EarlierCode> {
      const moved = await cooldowns.handOver(cooldownKey(target.subject, to), target, to.destination, { wrongAttemptsBelow: security.wrongCodesPerCode });
      return moved ? 'moved' : 'elsewhere';
    },

    /** A fresh code for the flow; older codes of the same flow and purpose stop working. */
    async issueCode(executor: Database, target: CodeTarget, channel: SendChannel): Promise<string> {
      return (await service.issueCodeExpiring(executor, target, channel)).code;
    },

    /** issueCode, with the moment the code dies: its mail is queued to expire with it (courier/outbox.ts). */
    async issueCodeExpiring(executor: Database, target: CodeTarget, channel: SendChannel): Promise<{ code: string; expiresAt: number }> {
      const now = clock.now();
      const code = String(randomInt(0, 10 ** security.codeLength)).padStart(security.codeLength, '0');
      const expiresAt = now + security.codeLifetimeSeconds * 1000;
      await voidOtherCodes(executor, target, now);
      const id = newId();
      await executor
        .insertInto('verification_codes')
        .values({
          id,
          flow_id: target.flowId,
          purpose: target.purpose,
          channel,
          code_hash: hashCode(id, code),
          created_at: now,
          expires_at: expiresAt,
          wrong_attempts: 0,
          used_at: null,
          voided_at: null,
        })
        .execute();
      return { code, expiresAt };
    },

    /**
     * Spends the code if it is right; every wrong try counts against the code and the account.
     */
    async consumeCode(target: CodeTarget, typed: string): Promise<{ ok: true } | Failure<TryProblem>> {
      const code = await latestCode(target);
      return spendTry(target, code, () => /^\d+$/.test(typed) && constantTimeEqual(code!.code_hash, hashCode(code!.id, typed)));
    },

    /**
     * The same rules for a way that sends nothing (an authenticator app, a backup code): the flow
     * gets one "attempt slot" per purpose (a codes row with no hash; its id is derived, so racing
     * first tries share it), which carries the 5 tries and single use; the account's 24 h budget
     * is the one email and SMS codes spend. `isRight` does the factor's own check and its own
     * single-use claim (a TOTP step, a backup code).
     */
    async checkWithoutSending(target: CodeTarget, isRight: () => Promise<boolean>): Promise<{ ok: true } | Failure<TryProblem>> {
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
   * (counted before comparing), so a burst of parallel guesses cannot all be compared before any
   * of them is counted. The claims run in one transaction holding the budget's lock: parallel
   * tries are counted one after another, so none is refused for a budget that a try racing it
   * was about to give back — only a budget really spent refuses, with its true wait.
   */
  async function spendTry(
    target: CodeTarget,
    code: VerificationCodesTable | undefined,
    isRight: () => boolean | Promise<boolean>,
  ): Promise<{ ok: true } | Failure<TryProblem>> {
    const bucket = bucketOf('wrong_code', target.budget);
    const claim = await db.transaction().execute(async (trx): Promise<{ ok: true; attemptId: string; now: number; wrongAttempts: number } | Failure<TryProblem>> => {
      await rateEvents.lock(trx, bucket, target.subject);
      // The time once the lock is ours: a try counted while this one waited is not "in the future".
      const now = clock.now();
      const resting = await restingSeconds(trx, bucket, target.subject, now);
      if (resting > 0) return fail('code.resting', { retryAfterSeconds: resting, field: 'code' });
      if (!code || code.used_at !== null || code.wrong_attempts >= security.wrongCodesPerCode) return fail('code.used_up', { field: 'code' });
      if (code.expires_at <= now) return fail('code.expired', { field: 'code' });
      // One of the code's tries…
      const claimed = await trx
        .updateTable('verification_codes')
        .set((eb) => ({ wrong_attempts: eb('wrong_attempts', '+', 1) }))
        .where('id', '=', code.id)
        .where('used_at', 'is', null)
        .where('wrong_attempts', '<', security.wrongCodesPerCode)
        .returning('wrong_attempts')
        .executeTakeFirst();
      if (!claimed) return fail('code.used_up', { field: 'code' });
      // …and one of the account's for today; both are given back if the code is right.
      const attemptId = newId();
      await trx.insertInto('rate_events').values({ id: attemptId, bucket, subject: target.subject, at: now }).execute();
      return { ok: true, attemptId, now, wrongAttempts: Number(claimed.wrong_attempts) };
    });
    if (!claim.ok) return claim;
    const giveBack = () => rateEvents.release(claim.attemptId);

    if (!(await isRight())) {
      return claim.wrongAttempts < security.wrongCodesPerCode ? fail('code.invalid', { field: 'code' }) : fail('code.used_up', { field: 'code' });
    }
    // Right: the try was not a wrong one after all. Conditional, so of two requests racing with
    // the right code exactly one wins.
    const spent = await db
      .updateTable('verification_codes')
      .set((eb) => ({ used_at: claim.now, wrong_attempts: eb('wrong_attempts', '-', 1) }))
      .where('id', '=', code!.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    await giveBack();
    return Number(spent.numUpdatedRows) === 1 ? { ok: true } : fail('code.used_up', { field: 'code' });
  }
}

export type CodeService = ReturnType<typeof createCodeService>;
