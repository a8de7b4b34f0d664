// Housekeeping: rows no rule will ever read again are deleted, so counts stay fast and the
// database does not keep old traces of shoppers (hashed subjects, addresses, user agents) longer
// than it needs them. Each rule says why its row is dead after that age. Runs every few minutes on
// the nodes that run the courier (RUN_DISPATCHER), and on demand: `gatehouse prune`.
//
// Deletes go in batches of BATCH rows (an id subquery, the same on both databases), so a large
// backlog never holds one long lock. Of several courier nodes, one takes each interval's turn (a
// rate-event claim, the same on every database), so the work is not done once per node.
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import type { SelectQueryBuilder } from 'kysely';
import type { Database } from '../storage/database.ts';
import type { RateEvents, WindowLimit } from '../throttling/rate-events.ts';
import { FAILURE_MEMORY_MS } from '../throttling/login-throttle.ts';
import type { Tables } from '../storage/tables.ts';
import { cutOldAddresses, SECURITY_EVENTS_KEPT_MS } from '../activity/security-events.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const BATCH = 5000;
/** How often a courier node prunes; the first run is one interval after start, not at boot. */
export const PRUNE_INTERVAL_MS = 15 * 60_000;

type Pruned = Record<string, number>;
type PrunedTable = 'rate_events' | 'flows' | 'outbox' | 'sessions' | 'qr_login_requests';
/** A SELECT of the ids to delete from one table. */
type OldIds = SelectQueryBuilder<Tables, any, { id: string }>;

/**
 * Deletes in batches whatever `oldIds` picks; returns how many rows went. Stops between batches
 * once `stopping()` says so: a node shutting down must not wait for a large backlog.
 */
async function deleteInBatches(db: Database, table: PrunedTable, oldIds: () => OldIds, stopping: () => boolean): Promise<number> {
  let total = 0;
  while (!stopping()) {
    const result = await db.deleteFrom(table).where('id', 'in', oldIds().limit(BATCH)).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

export async function deleteOldRows(db: Database, now: number, stopping: () => boolean = () => false): Promise<Pruned> {
  const prune = (table: PrunedTable, oldIds: () => OldIds) => deleteInBatches(db, table, oldIds, stopping);
  return {
    // The longest window any limit counts over is 24 h (codes sent per day, the wrong-code
    // budget); the wrong-code rest is measured from a try inside that window. Two days is margin.
    rate_events: await prune('rate_events', () => db.selectFrom('rate_events').select('id').where('at', '<', now - 2 * DAY)),

    // A flow is refused once expired; after a day nobody is still on its page to be told so. Its
    // verification codes go with it (ON DELETE CASCADE).
    flows: await prune('flows', () => db.selectFrom('flows').select('id').where('expires_at', '<', now - DAY)),

    // Sent mail and texts (and decoys) have had their payload wiped at sending, expired code mails
    // at expiry; a week keeps them for "did my code go out?" questions (`gatehouse outbox`).
    // Parked ones wait 30 days for an operator. Pending and sending rows are never pruned:
    // nothing a shopper asked for is dropped by housekeeping.
    outbox:
      (await prune('outbox', () => db.selectFrom('outbox').select('id').where('status', 'in', ['sent', 'expired']).where('created_at', '<', now - 7 * DAY))) +
      (await prune('outbox', () => db.selectFrom('outbox').select('id').where('status', '=', 'parked').where('created_at', '<', now - 30 * DAY))),

    // A session is refused once expired or signed out; 30 days later it no longer belongs in
    // "where you're signed in" or in an investigation of a recent sign-in. Two deletes, so each
    // uses its own index (an OR of the two would scan the table).
    sessions:
      (await prune('sessions', () => db.selectFrom('sessions').select('id').where('expires_at', '<', now - 30 * DAY))) +
      (await prune('sessions', () => db.selectFrom('sessions').select('id').where('revoked_at', '<', now - 30 * DAY))),

    // A QR request lives minutes (DESIGN.md §4); a day later it is history.
    qr_login_requests: await prune('qr_login_requests', () => db.selectFrom('qr_login_requests').select('id').where('created_at', '<', now - DAY)),

    // Failures older than FAILURE_MEMORY_MS no longer count: such a row acts exactly like no row
    // once its wait is over. One row per subject that failed recently.
    login_throttles: stopping()
      ? 0
      : Number((await db.deleteFrom('login_throttles').where('last_failure_at', '<', now - FAILURE_MEMORY_MS).where('blocked_until', '<', now).executeTakeFirst()).numDeletedRows),

    // A send older than the resend wait (at most an hour) acts exactly like no row; a day is margin.
    send_cooldowns: stopping() ? 0 : Number((await db.deleteFrom('send_cooldowns').where('last_sent_at', '<', now - DAY).executeTakeFirst()).numDeletedRows),

    // A lock row holds nothing; it only gives parallel claims something to queue on, and is
    // written again by the next claim. One per subject that tried a code in the last day.
    budget_locks: stopping() ? 0 : Number((await db.deleteFrom('budget_locks').where('touched_at', '<', now - DAY).executeTakeFirst()).numDeletedRows),

    // A passkey challenge is refused 5 minutes after issue (used or not); an hour is margin.
    passkey_challenges: stopping() ? 0 : Number((await db.deleteFrom('passkey_challenges').where('expires_at', '<', now - HOUR).executeTakeFirst()).numDeletedRows),

    // oidc-provider's rows (codes, tokens, grants, its sessions) are refused once expired, by the
    // provider's own clock (the real one, hence Date.now); an hour later a replayed code finds
    // nothing instead of a used code, and is refused all the same (invalid_grant).
    oidc_payloads: stopping() ? 0 : Number((await db.deleteFrom('oidc_payloads').where('expires_at', '<', Date.now() - HOUR).executeTakeFirst()).numDeletedRows),
    // A retired signing key stays published a day after it stopped signing (signing-keys.ts).
    oidc_keys: stopping() ? 0 : Number((await db.deleteFrom('oidc_keys').where('retired_at', '<', now - 2 * DAY).executeTakeFirst()).numDeletedRows),

    // Security activity (activity/security-events.ts): whole addresses for 30 days, then their
    // network; the rows themselves for a year. Rows of no account (refusals for addresses that
    // are nobody's) are on no one's page: a week, so strangers cannot fill the table for a year.
    security_event_addresses: stopping() ? 0 : await cutOldAddresses(db, now),
    security_events: stopping() ? 0 : Number((await db.deleteFrom('security_events').where('occurred_at', '<', now - SECURITY_EVENTS_KEPT_MS).executeTakeFirst()).numDeletedRows),
    security_events_of_nobody: stopping() ? 0 : Number((await db.deleteFrom('security_events').where('account_id', 'is', null).where('occurred_at', '<', now - 7 * DAY).executeTakeFirst()).numDeletedRows),
  };
}

/** Prunes every PRUNE_INTERVAL_MS until stopped; a failed run (database away) is logged and retried next time. */
export function startHousekeeping(deps: { db: Database; clock: Clock; logger: Logger; rateEvents: RateEvents; intervalMs?: number }) {
  const intervalMs = deps.intervalMs ?? PRUNE_INTERVAL_MS;
  // One turn per interval across all nodes; a little shorter than the interval, so a node whose
  // timer fires a moment early still finds the last turn over.
  const turn: WindowLimit = { bucket: 'housekeeping_turn', limit: 1, windowSeconds: (intervalMs * 0.9) / 1000 };
  let running: Promise<void> | undefined;
  let stopped = false;
  const pruneIfOurTurn = async () => {
    if (!(await deps.rateEvents.claim(turn, 'cluster')).ok) return null;
    return deleteOldRows(deps.db, deps.clock.now(), () => stopped);
  };
  const run = () => {
    running ??= pruneIfOurTurn()
      .then((pruned) => {
        if (!pruned) return;
        const total = Object.values(pruned).reduce((sum, n) => sum + n, 0);
        if (total > 0) deps.logger.info({ pruned }, 'housekeeping: deleted old rows');
      })
      .catch((error: unknown) => deps.logger.warn({ err: { message: (error as Error)?.message } }, 'housekeeping failed; will try again'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref(); // housekeeping alone must not keep a process alive
  return {
    /** Ends the interval; a run in progress finishes its current batch, not the backlog. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
