// Delivers what flows put in the outbox: email through the SMTP sender, texts through the SMS
// sender, with the same claim, retries, backoff and parking for both. Runs in every Gatehouse
// process by default, so several dispatchers may drain one PostgreSQL at once: a message is
// claimed by exactly one of them with a single conditional UPDATE, and only the winner sends it.
//
// Delivery is at-least-once only across crashes: if a process dies after the server accepted
// a message but before the row was marked sent, the lease expires and another process sends it
// again. Between healthy processes it is exactly once.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { OutboxTable, Tables } from '../storage/tables.ts';
import { describeDeliveryError } from './delivery-errors.ts';
import { scrubSecrets } from './mask.ts';
import { channelNoun, maskRecipient, renderMessage, unsealMessage, type MessageData } from './render-message.ts';
import type { MailSender } from './smtp-transport.ts';
import type { SmsSender } from './sms-transport.ts';

/** The subset of pino the courier uses, so tests can capture log calls. */
export interface CourierLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DispatcherOptions {
  db: Kysely<Tables>;
  secrets: Secrets;
  clock: Clock;
  sender: MailSender;
  /** Without one, text messages stay in the outbox for a process that has one. */
  smsSender?: SmsSender;
  logger: CourierLogger;
  /** Used when a message's data carries no storeName of its own. */
  storeName: string;
  pollIntervalMs?: number;
  /** How long a claim protects a message from other dispatchers; must exceed one send (SMTP or SMS). */
  leaseMs?: number;
  maxAttempts?: number;
  /** Messages claimed per query; a pass keeps going while full batches come back. */
  batchSize?: number;
}

export interface Dispatcher {
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  /** Runs one pass now (after any pass in flight); resolves with the number delivered. */
  deliverDueMessages(): Promise<number>;
}

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 15 * 60_000;

/** 5 s, 10 s, 20 s … doubling per failed attempt, capped at 15 minutes. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

type Claimed = Pick<OutboxTable, 'id' | 'channel' | 'template' | 'locale' | 'recipient_sealed' | 'payload_sealed' | 'attempts' | 'lease_until'>;

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, secrets, clock, sender, smsSender, logger, storeName } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const batchSize = options.batchSize ?? 25;

  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let current: Promise<number> | null = null; // the pass running now
  let queued: Promise<number> | null = null; // at most one pass waiting behind it

  const channels: OutboxTable['channel'][] = smsSender ? ['email', 'sms'] : ['email'];

  // "Due" = of a channel we can send, and pending with its time come, or claimed by a dispatcher
  // whose lease ran out (that process died or hung mid-send).
  const isDue = (now: number) => (eb: ExpressionBuilder<Tables, 'outbox'>) =>
    eb.and([
      eb('channel', 'in', channels),
      eb('next_attempt_at', '<=', now),
      eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]),
    ]);

  /**
   * The claim. The WHERE repeats the due condition, so of several dispatchers that saw the same
   * row only the first UPDATE matches: PostgreSQL re-checks the condition on the row it waited
   * for, SQLite serialises writers. RETURNING gives us the fresh row (attempts may have moved).
   */
  async function claim(id: string): Promise<Claimed | undefined> {
    const now = clock.now();
    const rows = await db
      .updateTable('outbox')
      .set({ status: 'sending', lease_until: now + leaseMs })
      .where('id', '=', id)
      .where(isDue(now))
      .returning(['id', 'channel', 'template', 'locale', 'recipient_sealed', 'payload_sealed', 'attempts', 'lease_until'])
      .execute();
    return rows.length === 1 ? rows[0] : undefined;
  }

  // Every write after the claim is fenced by our lease value: if we were so slow that another
  // dispatcher took the message over, our late result must not overwrite theirs.
  const ours = (row: Claimed) =>
    db.updateTable('outbox').where('id', '=', row.id).where('status', '=', 'sending').where('lease_until', '=', row.lease_until);

  async function deliver(row: Claimed): Promise<boolean> {
    const base = { outboxId: row.id, channel: row.channel, template: row.template, attempt: row.attempts + 1 };
    let opened: { to: string; data: MessageData } | undefined;
    try {
      opened = unsealMessage(row, secrets);
      const message = renderMessage(row, opened, storeName);
      // The SMS body is never logged or stored: it holds the code. (An sms row is only ever
      // claimed when there is an smsSender: see `channels`.)
      if (message.channel === 'sms') await smsSender!.send({ to: message.to, body: message.body });
      else await sender.send({ to: message.to, ...message.mail });
    } catch (error) {
      await recordFailure(row, error, base, opened?.to, opened?.data ?? {});
      return false;
    }
    const now = clock.now();
    // payload_sealed is wiped: the code has done its job and need not outlive delivery.
    const result = await ours(row)
      .set({ status: 'sent', sent_at: now, payload_sealed: '', lease_until: null, last_error: null, attempts: row.attempts + 1 })
      .executeTakeFirst();
    const masked = maskRecipient(row.channel, opened.to);
    const noun = channelNoun(row.channel);
    if (Number(result.numUpdatedRows) !== 1) {
      logger.warn({ ...base, to: masked }, `${noun} sent after its lease ran out; another dispatcher may send it again`);
    } else {
      logger.info({ ...base, to: masked }, `${noun} sent`);
    }
    return true;
  }

  async function recordFailure(row: Claimed, error: unknown, base: object, to: string | undefined, data: MessageData) {
    // The address, its mailbox, the number without its "+", and every data value (the code).
    const local = row.channel === 'sms' ? to?.replace(/^\+/, '') : to?.split('@')[0];
    const hide = [to, local, ...Object.values(data).map(String)].filter((s): s is string => !!s);
    const failure = describeDeliveryError(error, hide);
    const attempts = row.attempts + 1;
    const park = failure.permanent || attempts >= maxAttempts;
    const now = clock.now();
    const delay = retryDelayMs(attempts);
    await ours(row)
      .set({
        status: park ? 'parked' : 'pending',
        attempts,
        lease_until: null,
        last_error: failure.description,
        // A parked row keeps a time for operators to sort by; it is no longer picked up.
        next_attempt_at: park ? now : now + delay,
      })
      .execute();
    const fields = { ...base, to: to ? maskRecipient(row.channel, to) : undefined, error: failure.description };
    const noun = channelNoun(row.channel);
    if (park) logger.error({ ...fields, maxAttempts }, `${noun} parked: giving up after repeated or permanent failure`);
    else logger.warn({ ...fields, retryInMs: delay }, `${noun} delivery failed; will retry`);
  }

  async function pass(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const due = await db.selectFrom('outbox').select('id').where(isDue(clock.now())).orderBy('next_attempt_at').limit(batchSize).execute();
      let claimedAny = false;
      for (const { id } of due) {
        // stop() waits for the message being sent, not for the rest of the batch.
        if (stopping) return delivered;
        const row = await claim(id);
        if (!row) continue; // another dispatcher won it
        claimedAny = true;
        if (await deliver(row)) delivered += 1;
      }
      // A full batch means more may be waiting; a batch lost entirely to other dispatchers means
      // they are on it, so we stop rather than spin.
      if (due.length < batchSize || !claimedAny) return delivered;
    }
  }

  function runPass(): Promise<number> {
    const running: Promise<number> = pass().finally(() => {
      if (current === running) current = null;
    });
    current = running;
    return running;
  }

  // Passes never overlap. A request arriving mid-pass may have committed its message after our
  // SELECT, so it queues one more pass; any further wakes join that queued one.
  function schedule(): Promise<number> {
    if (!current) return runPass();
    if (queued) return queued;
    const waitFor = current;
    queued = waitFor
      .catch(() => 0)
      .then(() => {
        queued = null;
        return runPass();
      });
    return queued;
  }

  /** A nudge to the running dispatcher; one never started (RUN_DISPATCHER=false) or stopped ignores it. */
  function wake(): void {
    if (!timer) return;
    schedule().catch((error: unknown) => {
      // Database down or busy: log and let the next tick (or the next wake) try again.
      logger.error({ error: scrubSecrets(String((error as Error)?.message ?? error)).slice(0, 300) }, 'outbox pass failed; retrying');
    });
  }

  return {
    start() {
      if (timer) return;
      stopping = false;
      timer = setInterval(wake, pollIntervalMs);
      timer.unref(); // polling alone must not keep the process alive
      wake();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([current, queued].filter(Boolean));
      // A pass queued before stop() may have started just now; let it finish its current message.
      if (current) await current.catch(() => 0);
    },
    wake,
    deliverDueMessages: schedule,
  };
}
