// Delivers what flows put in the outbox: email through the SMTP sender, texts through the SMS
// sender, with the same claim, retries, backoff and parking for both. Runs in every Gatehouse
// process by default, so several dispatchers may drain one PostgreSQL at once: a message is
// claimed by exactly one of them with a single conditional UPDATE, and only the winner sends it.
//
// Delivery is at-least-once only across crashes: if a process dies after the server accepted
// a message but before the row was marked sent, the lease expires and another process sends it
// again. Between healthy processes it is exactly once. Every attempt of a message carries the
// same Message-ID (<outbox id@PUBLIC_URL host>), so a receiver can drop such a duplicate.
//
// The lease is short (15 s) so a message claimed by a node that died waits 15 s, not minutes; a
// send still in progress renews it every few seconds, so a slow server never makes a second node
// think the first one died. When to retry and when to stop: retry-schedule.ts.
import type { Brand } from '../config/brand.ts';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { OutboxTable, Tables } from '../storage/tables.ts';
import { describeDeliveryError } from './delivery-errors.ts';
import { scrubSecrets } from './mask.ts';
import { channelNoun, maskRecipient, renderMessage, unsealMessage, type MessageData } from './render-message.ts';
import { afterFailure } from './retry-schedule.ts';
import { holdOutboxLease } from './outbox-lease.ts';
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
  /** The store's colour and footer links for every email (config/brand.ts). */
  brand?: Brand;
  /** The right-hand side of every Message-ID: PUBLIC_URL's host name. */
  messageIdDomain: string;
  pollIntervalMs?: number;
  /** How long a claim protects a message from other dispatchers without a renewal. */
  leaseMs?: number;
  /** How often a send in progress renews its lease; a third of the lease unless told. */
  renewEveryMs?: number;
  /** Messages claimed per query; a pass keeps going while full batches come back. */
  batchSize?: number;
  /** Posts signed events to the store's endpoints (webhooks/webhook-sender.ts); without it webhook rows wait. */
  webhookSender?: { send(delivery: { endpointId: string; messageId: string; body: MessageData }): Promise<unknown> };
  /** Told each delivery's outcome (metrics); latency is from queueing to the hand-over, for sent messages. */
  observe?: (event: { channel: OutboxTable['channel']; outcome: 'sent' | 'retrying' | 'parked' | 'expired'; latencyMs?: number }) => void;
}

export interface Dispatcher {
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  /** Runs one pass now (after any pass in flight); resolves with the number delivered. */
  deliverDueMessages(): Promise<number>;
}

export { codeRetryDelayMs, retryDelayMs } from './retry-schedule.ts';

export const DEFAULT_LEASE_MS = 15_000;

const claimedColumns = ['id', 'channel', 'template', 'locale', 'recipient_sealed', 'payload_sealed', 'attempts', 'lease_until', 'expires_at', 'retry_until', 'created_at'] as const;
type Claimed = Pick<OutboxTable, (typeof claimedColumns)[number]>;

/** The stable Message-ID of an outbox message: the same on every attempt, so duplicates can be dropped. */
export const messageIdFor = (outboxId: string, domain: string) => `<${outboxId}@${domain}>`;

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, secrets, clock, sender, smsSender, logger, storeName, brand, messageIdDomain } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const renewEveryMs = options.renewEveryMs ?? Math.floor(leaseMs / 3);
  const batchSize = options.batchSize ?? 25;

  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let current: Promise<number> | null = null; // the pass running now
  let queued: Promise<number> | null = null; // at most one pass waiting behind it

  const channels: OutboxTable['channel'][] = ['email', ...(smsSender ? ['sms' as const] : []), ...(options.webhookSender ? ['webhook' as const] : [])];

  // "Due" = of a channel we can send, not a dead code, and pending with its time come, or claimed
  // by a dispatcher whose lease ran out (that process died or hung mid-send).
  const isDue = (now: number) => (eb: ExpressionBuilder<Tables, 'outbox'>) =>
    eb.and([
      eb('channel', 'in', channels),
      eb('next_attempt_at', '<=', now),
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]),
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
      .returning([...claimedColumns])
      .execute();
    return rows.length === 1 ? rows[0] : undefined;
  }

  // Every write after the claim is fenced by our lease value: if we were so slow that another
  // dispatcher took the message over, our late result must not overwrite theirs.
  const ours = (row: Claimed) =>
    db.updateTable('outbox').where('id', '=', row.id).where('status', '=', 'sending').where('lease_until', '=', row.lease_until);

  const holdLease = (row: Claimed) =>
    holdOutboxLease(row, {
      leaseMs,
      renewEveryMs,
      clock,
      renew: async (until) => Number((await ours(row).set({ lease_until: until }).executeTakeFirst()).numUpdatedRows) === 1,
      onError: (error) => logger.warn({ outboxId: row.id, error: scrubSecrets(String((error as Error)?.message ?? error)).slice(0, 300) }, 'could not renew an outbox lease'),
    });

  /** A mail or a text. The SMS body is never logged or stored: it holds the code. (An sms row is
   *  only ever claimed when there is an smsSender: see `channels`.) */
  async function send(row: Claimed, opened: { to: string; data: MessageData }) {
    const message = renderMessage(row, opened, { storeName, brand });
    if (message.channel === 'sms') await smsSender!.send({ to: message.to, body: message.body });
    else await sender.send({ to: message.to, ...message.mail, messageId: messageIdFor(row.id, messageIdDomain) });
  }

  async function deliver(row: Claimed): Promise<boolean> {
    const base = { outboxId: row.id, channel: row.channel, template: row.template, attempt: row.attempts + 1 };
    let opened: { to: string; data: MessageData } | undefined;
    const release = holdLease(row);
    try {
      opened = unsealMessage(row, secrets);
      if (row.channel === 'webhook') await options.webhookSender!.send({ endpointId: opened.to, messageId: row.id, body: opened.data });
      else await send(row, opened);
    } catch (error) {
      await release();
      await recordFailure(row, error, base, opened?.to, opened?.data ?? {});
      return false;
    }
    await release();
    const now = clock.now();
    // payload_sealed is wiped: the code has done its job and need not outlive delivery.
    const result = await ours(row)
      .set({ status: 'sent', sent_at: now, payload_sealed: '', lease_until: null, last_error: null, attempts: row.attempts + 1 })
      .executeTakeFirst();
    options.observe?.({ channel: row.channel, outcome: 'sent', latencyMs: now - row.created_at });
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
    const now = clock.now();
    const next = afterFailure(row, attempts, failure.permanent, now);
    await ours(row)
      .set({
        status: next.status,
        attempts,
        lease_until: null,
        last_error: failure.description,
        // A stopped row keeps a time for operators to sort by; it is no longer picked up.
        next_attempt_at: next.status === 'pending' ? next.nextAttemptAt : now,
        // An expired code mail will never be sent: its code need not stay in the database.
        ...(next.status === 'expired' ? { payload_sealed: '' } : {}),
      })
      .execute();
    options.observe?.({ channel: row.channel, outcome: next.status === 'pending' ? 'retrying' : next.status });
    const fields = { ...base, to: to ? maskRecipient(row.channel, to) : undefined, error: failure.description };
    const noun = channelNoun(row.channel);
    if (next.status === 'pending') logger.warn({ ...fields, retryInMs: next.nextAttemptAt - now }, `${noun} delivery failed; will retry`);
    else if (next.status === 'expired') logger.error(fields, `${noun} expired: its code died before it could be delivered`);
    else logger.error(fields, `${noun} parked: ${failure.permanent ? 'refused for good' : 'retried for 3 days'}; see gatehouse outbox`);
  }

  /**
   * Code mails whose code died while they waited (the mail server down, no SMS sender on any
   * node, a node that died holding one) become 'expired' and lose their payload. A claim in
   * progress is left to its holder until its lease runs out.
   */
  async function expireDeadCodes(now: number): Promise<void> {
    const expired = await db
      .updateTable('outbox')
      .set({ status: 'expired', payload_sealed: '', lease_until: null })
      .where('expires_at', '<=', now)
      .where((eb) => eb.or([eb('status', 'in', ['pending', 'parked']), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]))
      .returning(['id', 'channel', 'template', 'attempts', 'last_error'])
      .execute();
    for (const row of expired) {
      options.observe?.({ channel: row.channel, outcome: 'expired' });
      logger.error({ outboxId: row.id, channel: row.channel, template: row.template, attempts: row.attempts, error: row.last_error }, `${channelNoun(row.channel)} expired: its code died before it could be delivered`);
    }
  }

  async function pass(): Promise<number> {
    let delivered = 0;
    await expireDeadCodes(clock.now());
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
