// The store's webhook endpoints (issue 12 §5): where security events are posted, which types each
// wants, and its signing secret. Events reach them through the outbox, queued in the transaction
// of the change (webhook-queue.ts), so an event is never sent for a change that rolled back, nor
// lost when an endpoint is down.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import { securityEventTypes, type SecurityEventType } from '../activity/security-events.ts';

/** The test event `gatehouse webhook test` sends; never written by a flow. */
export const TEST_EVENT = 'webhook.test';

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Event types, or ['*'] for all. */
  events: string[];
  createdAt: number;
}

export type EndpointProblem = { ok: false; reason: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https only: the body names accounts and what happened to them, and the signature proves who
 * sent it, not who read it on the way. Plain http is allowed to this machine alone (a receiver
 * beside Gatehouse, a test), never to another host. No credentials in the URL (they would sit in
 * the database and the logs); at most 2 KB.
 */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the URL is not a valid absolute URL';
  }
  if (text.length > 2048) return 'the URL is longer than 2048 characters';
  if (url.username || url.password) return 'the URL must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'the URL must start with https:// (http:// only for localhost)';
}

/** `password.changed,account.locked` → the list, or the first unknown type. */
export function parseEventList(text: string): { ok: true; events: string[] } | EndpointProblem {
  const events = [...new Set(text.split(',').map((part) => part.trim()).filter(Boolean))];
  if (events.length === 0) return { ok: false, reason: 'name at least one event type, or * for all' };
  if (events.includes('*')) return { ok: true, events: ['*'] };
  const unknown = events.find((type) => !(securityEventTypes as readonly string[]).includes(type));
  if (unknown) return { ok: false, reason: `unknown event type "${unknown.slice(0, 60)}" (known: ${securityEventTypes.join(', ')})` };
  return { ok: true, events };
}

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 random bytes (the HMAC key). */
const newSigningSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export function createWebhookEndpoints(db: Database, secrets: Secrets, clock: Clock) {
  const toEndpoint = (row: { id: string; url: string; events: string; created_at: number }): WebhookEndpoint => ({
    id: row.id,
    url: row.url,
    events: row.events.split(','),
    createdAt: Number(row.created_at),
  });

  return {
    /** A new endpoint; its secret is returned this once (only sealed in the database). */
    async add(input: { url: string; events: string }): Promise<{ ok: true; endpoint: WebhookEndpoint; secret: string } | EndpointProblem> {
      const problem = urlProblem(input.url);
      if (problem) return { ok: false, reason: problem };
      const events = parseEventList(input.events);
      if (!events.ok) return events;
      const secret = newSigningSecret();
      const row = { id: newId(), url: input.url, events: events.events.join(','), secret_sealed: secrets.seal(secret), created_at: clock.now() };
      await db.insertInto('webhook_endpoints').values(row).execute();
      return { ok: true, endpoint: toEndpoint(row), secret };
    },

    async list(): Promise<WebhookEndpoint[]> {
      const rows = await db.selectFrom('webhook_endpoints').select(['id', 'url', 'events', 'created_at']).orderBy('created_at').execute();
      return rows.map(toEndpoint);
    },

    async remove(id: string): Promise<boolean> {
      const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** What a delivery needs: where, and the key to sign with. Undefined once removed. */
    async forDelivery(id: string, executor: Database = db): Promise<{ url: string; secret: string } | undefined> {
      const row = await executor.selectFrom('webhook_endpoints').select(['url', 'secret_sealed']).where('id', '=', id).executeTakeFirst();
      return row && { url: row.url, secret: secrets.unseal(row.secret_sealed) };
    },

    /** The endpoints that want this type of event, read in the event's own transaction. */
    async subscribedTo(executor: Database, type: SecurityEventType): Promise<string[]> {
      const rows = await executor.selectFrom('webhook_endpoints').select(['id', 'events']).execute();
      return rows.filter((row) => row.events === '*' || row.events.split(',').includes(type)).map((row) => row.id);
    },
  };
}

export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;
