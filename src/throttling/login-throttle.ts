// Sign-in throttling per account (DESIGN.md §2): after 5 failures each further attempt waits,
// 1 s doubling up to 15 min. Unknown identifiers are throttled by the same rule under a keyed hash
// of what was typed, so the waits look the same whether or not the account exists.
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** Failures older than this no longer count toward the next delay. */
export const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

export function delayAfterFailures(failures: number, security: SecurityConfig): number {
  if (failures < security.loginFailuresBeforeDelay) return 0;
  const doublings = failures - security.loginFailuresBeforeDelay;
  return Math.min(security.loginDelayFirstSeconds * 2 ** Math.min(doublings, 30), security.loginDelayMaxSeconds);
}

export function createLoginThrottle(db: Database, clock: Clock, security: SecurityConfig) {
  const blockedUntil = (failures: number, now: number) => {
    const delay = delayAfterFailures(failures, security);
    return delay > 0 ? now + delay * 1000 : 0;
  };
  return {
    /**
     * Claims one sign-in attempt for the subject, counted as a failure until `clear` takes it back
     * (a success): returns 0 when claimed, or the seconds to wait. Compare-and-set on the row, so
     * parallel attempts cannot all pass the check while the password hash runs.
     */
    async claimAttempt(subject: string): Promise<number> {
      for (let tries = 0; tries < 5; tries++) {
        const now = clock.now();
        const row = await db.selectFrom('login_throttles').selectAll().where('subject', '=', subject).executeTakeFirst();
        if (!row) {
          const inserted = await db
            .insertInto('login_throttles')
            .values({ subject, failures: 1, last_failure_at: now, blocked_until: blockedUntil(1, now) })
            .onConflict((oc) => oc.column('subject').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return 0;
          continue;
        }
        if (row.blocked_until > now) return Math.ceil((row.blocked_until - now) / 1000);
        const failures = row.last_failure_at < now - FAILURE_MEMORY_MS ? 1 : row.failures + 1;
        const updated = await db
          .updateTable('login_throttles')
          .set({ failures, last_failure_at: now, blocked_until: blockedUntil(failures, now) })
          .where('subject', '=', subject)
          .where('failures', '=', row.failures)
          .where('last_failure_at', '=', row.last_failure_at)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 1) return 0;
      }
      return 1; // another attempt keeps winning the race: ask this one to wait a moment
    },

    async clear(subject: string) {
      await db.deleteFrom('login_throttles').where('subject', '=', subject).execute();
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
