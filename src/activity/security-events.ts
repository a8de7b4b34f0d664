// The security activity of each account (issue 12 §4): one append-only row per event, written
// through the executor of the change it records, so a change and its record commit or roll back
// together. Read back for the shopper's "Recent security activity", the admin API, and turned into
// the store's webhooks. It sits just above storage/: every flow may record, none is imported here.
//
// What a row may hold is fixed here: a type from the list below, the way (a sign-in way or a
// factor kind), a result (success or a failure code), a few non-secret details, the client
// address and the browser's User-Agent header. Never a code, token, password or email address.
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

export const securityEventTypes = [
  'sign_in.succeeded',
  'sign_in.failed',
  'two_step.failed',
  'two_step.turned_on',
  'two_step.turned_off',
  'recovery.started',
  'recovery.completed',
  'password.change_started',
  'password.changed',
  'email.confirmed',
  'factor.added',
  'factor.changed',
  'factor.removed',
  'session.ended',
  'qr.approved',
  'qr.denied',
  'account.locked',
  'account.unlocked',
  'app.consent_given',
  'app.consent_withdrawn',
] as const;

export type SecurityEventType = (typeof securityEventTypes)[number];

/** Where the request came from; the User-Agent is stored as sent and shown only through the fixed list. */
export interface EventOrigin {
  clientAddress?: string;
  userAgent?: string;
}

export interface SecurityEvent {
  /** null for a refusal or a start for no account: the same insert either way (see the migration). */
  accountId: string | null;
  type: SecurityEventType;
  way?: string;
  result?: string;
  detail?: Record<string, string | number | boolean>;
  from?: EventOrigin;
  /** Who acted when it was not the shopper: `admin:<token name>`, `cli`. */
  actor?: string;
}

export interface SecurityEventRow {
  id: string;
  account_id: string | null;
  type: SecurityEventType;
  way: string | null;
  result: string | null;
  detail: Record<string, string | number | boolean>;
  client_address: string | null;
  user_agent: string | null;
  actor: string | null;
  occurred_at: number;
}

/**
 * Told of each event as it is written, in the same transaction (webhooks queue their deliveries).
 * Also of events of no account: a listener must then do the same work and keep nothing, or the
 * time a refusal takes would tell whether the account exists.
 */
export type EventListener = (executor: Database, event: SecurityEventRow) => Promise<void>;

const MAX_USER_AGENT = 512;
const ADDRESS_KEPT_WHOLE_MS = 30 * 24 * 3600 * 1000;

/** 203.0.113.57 → 203.0.113.0/24; 2001:db8:1:2:… → 2001:db8:1::/48. Anything else is dropped. */
export function networkOf(address: string): string | null {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!address.includes(':') || address.includes('/')) return address.endsWith('/24') || address.endsWith('/48') ? address : null;
  const [head = '', tail] = address.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) while (groups.length < 3) groups.push('0');
  return `${groups.slice(0, 3).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/48`;
}

/** Events are kept a year: long enough to answer "what happened to my account last spring?". */
export const SECURITY_EVENTS_KEPT_MS = 365 * 24 * 3600 * 1000;

/**
 * Housekeeping: a whole address is kept 30 days (the owner spots a stranger in that time), then
 * only its network. In batches of `batch`; returns how many rows were cut.
 */
export async function cutOldAddresses(db: Database, now: number, batch = 1000): Promise<number> {
  const old = await db
    .selectFrom('security_events')
    .select(['id', 'client_address'])
    .where('occurred_at', '<', now - ADDRESS_KEPT_WHOLE_MS)
    .where('client_address', 'is not', null)
    .where('client_address', 'not like', '%/%')
    .limit(batch)
    .execute();
  for (const row of old) {
    await db.updateTable('security_events').set({ client_address: networkOf(row.client_address!) }).where('id', '=', row.id).execute();
  }
  return old.length;
}

export function createSecurityEvents(db: Database, clock: Clock) {
  const listeners: EventListener[] = [];
  const parse = (row: Omit<SecurityEventRow, 'detail'> & { detail: string | null }): SecurityEventRow => ({ ...row, detail: row.detail ? JSON.parse(row.detail) : {} });

  return {
    /** Adds a listener that runs inside every record() (webhooks/). */
    onEvent(listener: EventListener) {
      listeners.push(listener);
    },

    async record(executor: Database, event: SecurityEvent): Promise<void> {
      const row = {
        id: newId(),
        account_id: event.accountId,
        type: event.type,
        way: event.way ?? null,
        result: event.result ?? null,
        detail: event.detail && Object.keys(event.detail).length > 0 ? JSON.stringify(event.detail) : null,
        client_address: event.from?.clientAddress ?? null,
        user_agent: event.from?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
        actor: event.actor ?? null,
        occurred_at: clock.now(),
      };
      await executor.insertInto('security_events').values(row).execute();
      for (const listener of listeners) await listener(executor, parse(row));
    },

    /** The account's events since a moment, newest first. */
    async recentFor(accountId: string, since: number, limit = 100): Promise<SecurityEventRow[]> {
      const rows = await db
        .selectFrom('security_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('occurred_at', '>=', since)
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => parse({ ...row, type: row.type as SecurityEventType }));
    },
  };
}

export type SecurityEvents = ReturnType<typeof createSecurityEvents>;
