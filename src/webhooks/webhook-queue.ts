// Turns each security event (activity/security-events.ts) into one outbox delivery per endpoint
// that wants its type, inside the event's own transaction: the change, its record and its
// deliveries commit together or not at all.
import type { Clock } from '../shared/clock.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { EventListener, SecurityEventRow } from '../activity/security-events.ts';
import { enqueueWebhook } from '../courier/outbox.ts';
import type { WebhookEndpoints } from './webhook-endpoints.ts';

/**
 * The body every receiver gets: stable field names, the account's id and the event's non-secret
 * details. Not the client address or the browser: a store's order or fraud system needs to know
 * that the password changed, not where the shopper sat (it can ask the admin API).
 */
export function webhookBody(event: Pick<SecurityEventRow, 'id' | 'type' | 'occurred_at' | 'account_id' | 'way' | 'result' | 'actor' | 'detail'>) {
  return {
    type: event.type,
    id: event.id,
    occurred_at: new Date(event.occurred_at).toISOString(),
    data: {
      account_id: event.account_id,
      ...(event.way ? { way: event.way } : {}),
      ...(event.result ? { result: event.result } : {}),
      ...(event.actor ? { actor: event.actor } : {}),
      ...event.detail,
    },
  };
}

export function webhookQueue(deps: { endpoints: WebhookEndpoints; secrets: Secrets; clock: Clock; wakeCourier: () => void }): EventListener {
  return async (executor: Database, event: SecurityEventRow) => {
    const endpointIds = await deps.endpoints.subscribedTo(executor, event.type);
    // An event of no account (a refused sign-in, a recovery for an unknown address) goes to
    // nobody, but costs the same lookup and inserts: its time must not tell the account exists.
    const kind = event.account_id === null ? 'decoy' : 'pending';
    for (const endpointId of endpointIds) {
      await enqueueWebhook(executor, deps, { endpointId, type: event.type, body: webhookBody(event) }, kind);
    }
    // Woken now; the transaction may still be open, so the courier also finds it on its next poll.
    if (endpointIds.length > 0 && kind === 'pending') deps.wakeCourier();
  };
}
