// What `gatehouse outbox` shows and does: the mail and texts not (yet) delivered, and re-queueing
// them. An operator reading this sees which message, its state and why — never who it is for
// (addresses and numbers are masked) nor what it says (codes and bodies stay sealed).
import type { Clock } from '../shared/clock.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { OutboxTable } from '../storage/tables.ts';
import { scrubSecrets } from './mask.ts';
import { maskRecipient } from './render-message.ts';
import { NOTICE_RETRY_MS } from './retry-schedule.ts';

/** 'retrying' is a pending message that has failed at least once. */
export type OutboxState = 'pending' | 'retrying' | 'sending' | 'parked' | 'expired';

export interface OutboxEntry {
  id: string;
  state: OutboxState;
  channel: OutboxTable['channel'];
  template: string;
  /** A code mail dies with its code; a notice is retried for days. */
  kind: 'code' | 'notice';
  /** Masked: `j***@e***.com`, `+7 *** ***-**-12`. */
  to: string;
  attempts: number;
  /** When the dispatcher tries next; null once it stopped (parked, expired). */
  nextTryAt: number | null;
  queuedAt: number;
  /** The code's expiry, for code mails. */
  expiresAt: number | null;
  reason: string | null;
}

const LISTED = ['pending', 'sending', 'parked', 'expired'] as const;

function stateOf(row: Pick<OutboxTable, 'status' | 'attempts'>): OutboxState {
  if (row.status === 'pending') return row.attempts > 0 ? 'retrying' : 'pending';
  return row.status as OutboxState;
}

function maskedRecipient(row: Pick<OutboxTable, 'channel' | 'recipient_sealed'>, secrets: Secrets): string {
  try {
    return maskRecipient(row.channel, secrets.unseal(row.recipient_sealed));
  } catch {
    return '***'; // sealed with another GATEHOUSE_SECRET: nobody can read it, and so do we
  }
}

function reasonOf(row: Pick<OutboxTable, 'status' | 'last_error' | 'expires_at'>): string | null {
  // last_error was scrubbed when written; scrubbed again in case a row came from elsewhere.
  const error = row.last_error ? scrubSecrets(row.last_error) : null;
  if (row.status === 'expired') return error ? `the code expired; last error: ${error}` : 'the code expired before it could be sent';
  return error;
}

/** Every message not delivered (oldest first, at most `limit`), and how many there are per state. */
export async function listUndelivered(db: Database, secrets: Secrets, limit = 200): Promise<{ entries: OutboxEntry[]; counts: Record<OutboxState, number> }> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'channel', 'template', 'recipient_sealed', 'status', 'attempts', 'next_attempt_at', 'created_at', 'expires_at', 'last_error'])
    .where('status', 'in', [...LISTED])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const counts: Record<OutboxState, number> = { pending: 0, retrying: 0, sending: 0, parked: 0, expired: 0 };
  for (const row of rows) counts[stateOf(row)] += 1;
  const entries = rows.slice(0, limit).map((row) => ({
    id: row.id,
    state: stateOf(row),
    channel: row.channel,
    template: row.template,
    kind: row.expires_at === null ? ('notice' as const) : ('code' as const),
    to: maskedRecipient(row, secrets),
    attempts: Number(row.attempts),
    nextTryAt: row.status === 'pending' || row.status === 'sending' ? Number(row.next_attempt_at) : null,
    queuedAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    reason: reasonOf(row),
  }));
  return { entries, counts };
}

export type RequeueProblem = 'outbox.not_found' | 'outbox.code_expired' | 'outbox.already_sent' | 'outbox.sending';

/** Only the operator's CLI meets these (in English, no HTTP status), so they are not FailureCodes. */
export type RequeueRefusal = { ok: false; code: RequeueProblem };
const refuse = (code: RequeueProblem): RequeueRefusal => ({ ok: false, code });

/**
 * Puts a parked or retrying message back in the queue, due now, with a fresh 3 days of retries
 * for a notice. One conditional UPDATE: a code mail whose code is dead is never re-queued (the
 * shopper asks for a new code; the old one would be refused), nor is a message sent or in flight.
 */
export async function requeue(db: Database, clock: Clock, id: string): Promise<{ ok: true } | RequeueRefusal> {
  const now = clock.now();
  const result = await requeueable(db, now).where('id', '=', id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return { ok: true };
  const row = await db.selectFrom('outbox').select(['status', 'expires_at']).where('id', '=', id).executeTakeFirst();
  if (!row) return refuse('outbox.not_found');
  if (row.status === 'sent') return refuse('outbox.already_sent');
  if (row.status === 'sending') return refuse('outbox.sending');
  return refuse('outbox.code_expired');
}

/** Re-queues every parked message that may still go out; says how many code mails could not. */
export async function requeueParked(db: Database, clock: Clock): Promise<{ requeued: number; deadCodes: number }> {
  const now = clock.now();
  const result = await requeueable(db, now).where('status', '=', 'parked').executeTakeFirst();
  const dead = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'parked')
    .where('expires_at', '<=', now)
    .executeTakeFirstOrThrow();
  return { requeued: Number(result.numUpdatedRows), deadCodes: Number(dead.n) };
}

const requeueable = (db: Database, now: number) =>
  db
    .updateTable('outbox')
    // A code mail keeps its code's expiry as its limit; a notice gets 3 more days from now.
    .set((eb) => ({ status: 'pending', next_attempt_at: now, lease_until: null, retry_until: eb.fn.coalesce('expires_at', eb.val(now + NOTICE_RETRY_MS)) }))
    .where('status', 'in', ['parked', 'pending'])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
