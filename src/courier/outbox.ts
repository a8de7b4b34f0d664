// The outbox: flows never talk to a mail server or an SMS provider. They write the message as a
// row, in the same transaction as the state change it belongs to (a code is stored ⇔ its email or
// text is queued), and the dispatcher delivers it later. This is what lets a request answer at
// once and in the same time whether or not the account exists (DESIGN §2 "enumeration"), and what
// keeps a message from being lost when the mail server is down, or sent for a change that was
// rolled back.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import type { Locale } from '../shared/i18n.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { OutboxTable, Tables } from '../storage/tables.ts';
import { NOTICE_RETRY_MS } from './retry-schedule.ts';
import type { EmailData, EmailTemplateName } from './templates/email-templates.ts';
import type { SmsData, SmsTemplateName } from './templates/sms-templates.ts';

export interface OutboxDeps {
  secrets: Secrets;
  clock: Clock;
}

/** The templates that carry a verification code: worth sending only while that code lives. */
export const codeTemplates = ['registration_code', 'recovery_code', 'verification_code'] as const;
type CodeTemplate = (typeof codeTemplates)[number];

// A code template cannot be queued without its code's expiry (the type says so): a code mail
// retried for days would deliver a dead code and, worse, hide that the shopper never got one.
type Message<T extends string, D> =
  | { template: Extract<T, CodeTemplate>; locale: Locale; to: string; data: D; /** The code's expires_at. */ expiresAt: number }
  | { template: Exclude<T, CodeTemplate>; locale: Locale; to: string; data: D; expiresAt?: undefined };

export type EmailMessage = Message<EmailTemplateName, EmailData>;

/** `to` is E.164, as parsePhoneNumber (factors/phone-number.ts) returns it. */
export type SmsMessage = Message<SmsTemplateName, SmsData>;

/**
 * Queues an email. Pass the caller's transaction (a Kysely `Transaction` is a `Kysely`) so the
 * message commits or rolls back together with the change that caused it.
 *
 * The recipient and the data (which holds the code) are sealed with GATEHOUSE_SECRET: a database
 * dump or a read-only SQL injection shows neither a live code nor who is being sent one. The
 * dispatcher wipes the payload once delivered, so codes do not outlive their delivery.
 */
export async function enqueueEmail(db: Kysely<Tables>, deps: OutboxDeps, message: EmailMessage): Promise<void> {
  await insertMessage(db, deps, 'email', message, 'pending');
}

/**
 * The same work as enqueueEmail — sealing and one insert — for a message that must not go out:
 * a recovery for an unknown account writes one, so its answer costs what a real one does
 * (DESIGN.md §2 "enumeration"). Born 'sent' with nothing inside, so no dispatcher ever takes it.
 */
export async function recordDecoyEmail(db: Kysely<Tables>, deps: OutboxDeps, message: EmailMessage): Promise<void> {
  await insertMessage(db, deps, 'email', message, 'decoy');
}

/** Queues a text message: sealed, in the caller's transaction, exactly like enqueueEmail. */
export async function enqueueSms(db: Kysely<Tables>, deps: OutboxDeps, message: SmsMessage): Promise<void> {
  await insertMessage(db, deps, 'sms', message, 'pending');
}

/**
 * recordDecoyEmail for texts: a code "sent" to a number that belongs to no account costs the same
 * sealing and insert as a real one, and nothing is ever sent (nor paid for).
 */
export async function recordDecoySms(db: Kysely<Tables>, deps: OutboxDeps, message: SmsMessage): Promise<void> {
  await insertMessage(db, deps, 'sms', message, 'decoy');
}

/**
 * Queues one webhook delivery (or, for an event of no account, a decoy: the same sealing and
 * insert, born sent and empty, so a refusal costs what it costs for a real account): the event body for one endpoint (webhooks/webhook-queue.ts), in the
 * event's transaction, retried like a notice (3 days) and parked after that, never dropped. The
 * body is sealed like a mail's data: it names an account and what happened to it.
 */
export async function enqueueWebhook(db: Kysely<Tables>, deps: OutboxDeps, delivery: { endpointId: string; type: string; body: Record<string, unknown> }, kind: 'pending' | 'decoy' = 'pending'): Promise<void> {
  await insertMessage(db, deps, 'webhook', { template: delivery.type, locale: '', to: delivery.endpointId, data: delivery.body }, kind);
}

async function insertMessage(
  db: Kysely<Tables>,
  deps: OutboxDeps,
  channel: OutboxTable['channel'],
  message: EmailMessage | SmsMessage | { template: string; locale: string; to: string; data: Record<string, unknown>; expiresAt?: undefined },
  kind: 'pending' | 'decoy',
): Promise<void> {
  const now = deps.clock.now();
  const recipient = deps.secrets.seal(message.to);
  const payload = deps.secrets.seal(JSON.stringify(message.data));
  await db
    .insertInto('outbox')
    .values({
      id: randomUUID(),
      channel,
      template: message.template,
      locale: message.locale,
      recipient_sealed: kind === 'pending' ? recipient : '',
      payload_sealed: kind === 'pending' ? payload : '',
      status: kind === 'pending' ? 'pending' : 'sent',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      created_at: now,
      sent_at: kind === 'pending' ? null : now,
      expires_at: message.expiresAt ?? null,
      retry_until: message.expiresAt ?? now + NOTICE_RETRY_MS,
    })
    .execute();
}
