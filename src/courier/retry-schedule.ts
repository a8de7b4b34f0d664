// When a failed delivery is tried again, and when trying stops. Two kinds of mail, two rules:
//
// - A code mail (registration, recovery, SMS code) is worth sending only while its code lives: a
//   shopper is waiting on the page, so it is retried often (5 s, 10 s, 20 s, then every 30 s) and,
//   once its code is dead, it is 'expired' — visibly, never sent, its payload (the code) wiped.
// - A notice (password changed, new sign-in, "someone tried to register") tells the owner about
//   something that already happened; it stays true for days. 5 s doubling, capped at 15 minutes,
//   for 3 days after it was queued (or re-queued by an operator), and only then 'parked'.
//
// A permanent refusal (a 5xx for this recipient or this content, delivery-errors.ts) parks either
// kind at once: the same message would be refused the same way on every try.
import type { OutboxTable } from '../storage/tables.ts';

const FIRST_RETRY_MS = 5_000;
export const NOTICE_MAX_RETRY_MS = 15 * 60_000;
export const CODE_MAX_RETRY_MS = 30_000;
/** How long a notice is retried (from queueing or re-queueing) before it is parked. */
export const NOTICE_RETRY_MS = 3 * 24 * 3_600_000;

const backoff = (failedAttempts: number, cap: number) => Math.min(cap, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));

/** A notice: 5 s, 10 s, 20 s … doubling per failed attempt, capped at 15 minutes. */
export function retryDelayMs(failedAttempts: number): number {
  return backoff(failedAttempts, NOTICE_MAX_RETRY_MS);
}

/** A code mail: 5 s, 10 s, 20 s, then every 30 s while the code lives. */
export function codeRetryDelayMs(failedAttempts: number): number {
  return backoff(failedAttempts, CODE_MAX_RETRY_MS);
}

export type AfterFailure = { status: 'pending'; nextAttemptAt: number } | { status: 'parked' | 'expired' };

type Row = Pick<OutboxTable, 'expires_at' | 'retry_until' | 'created_at'>;

/** What a failed attempt (the `failedAttempts`-th) leaves behind. */
export function afterFailure(row: Row, failedAttempts: number, permanent: boolean, now: number): AfterFailure {
  if (permanent) return { status: 'parked' };
  if (row.expires_at !== null) {
    const next = now + codeRetryDelayMs(failedAttempts);
    // The next try would come too late for the code: say so now rather than at the next pass.
    return next >= row.expires_at ? { status: 'expired' } : { status: 'pending', nextAttemptAt: next };
  }
  const next = now + retryDelayMs(failedAttempts);
  const retryUntil = row.retry_until ?? row.created_at + NOTICE_RETRY_MS;
  return next > retryUntil ? { status: 'parked' } : { status: 'pending', nextAttemptAt: next };
}
