// Posts one webhook delivery, signed per the Standard Webhooks scheme (standardwebhooks.com):
//
//   webhook-id:        the outbox message id — the same on every retry, so receivers drop duplicates
//   webhook-timestamp: seconds since the epoch, this attempt — receivers refuse old ones (replays)
//   webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>"> with the endpoint's key
//
// The key is the base64 after `whsec_` in the endpoint's secret. The body is serialised once and
// that exact text is both signed and sent. Anything but a 2xx is a failed attempt: the dispatcher
// retries it with backoff and parks it after 3 days (courier/retry-schedule.ts); a removed
// endpoint's delivery is parked at once.
import { createHmac } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { WebhookEndpoints } from './webhook-endpoints.ts';

/** A receiver gets this long to answer; a slow one holds a dispatcher slot, not the shopper. */
const TIMEOUT_MS = 10_000;

const permanent = (message: string) => Object.assign(new Error(message), { permanent: true });

export function signWebhook(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

export function createWebhookSender(deps: { endpoints: WebhookEndpoints; clock: Clock; timeoutMs?: number }) {
  return {
    async send(delivery: { endpointId: string; messageId: string; body: unknown }): Promise<{ status: number }> {
      const endpoint = await deps.endpoints.forDelivery(delivery.endpointId);
      if (!endpoint) throw permanent('the webhook endpoint was removed');
      const body = JSON.stringify(delivery.body);
      const timestamp = Math.floor(deps.clock.now() / 1000);
      let response: Response;
      try {
        response = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Gatehouse-Webhooks/1',
            'webhook-id': delivery.messageId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(endpoint.secret, delivery.messageId, timestamp, body),
          },
          body,
          // A redirect is not followed: the signature was made for this receiver, not the next.
          redirect: 'manual',
          signal: AbortSignal.timeout(deps.timeoutMs ?? TIMEOUT_MS),
        });
      } catch (error) {
        // Only the kind of failure: the URL may carry a token of the receiver's in its path.
        const cause = (error as { cause?: { code?: string } })?.cause?.code ?? (error as Error)?.name ?? 'error';
        throw new Error(`webhook endpoint unreachable (${cause})`);
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`webhook endpoint answered ${response.status}`);
      return { status: response.status };
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
