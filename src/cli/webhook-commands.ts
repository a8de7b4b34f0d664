// `gatehouse webhook add|list|remove|test`: the store's endpoints for signed security events
// (webhooks/). JSON on stdout, for scripts; the signing secret is printed once, when it is made.
import { isOurId, newId } from '../shared/ids.ts';
import { createWebhookEndpoints, TEST_EVENT, type WebhookEndpoint } from '../webhooks/webhook-endpoints.ts';
import { createWebhookSender } from '../webhooks/webhook-sender.ts';
import type { AdminServices } from './admin-services.ts';
import { UsageError } from './usage-error.ts';

const describe = (endpoint: WebhookEndpoint) => ({ id: endpoint.id, url: endpoint.url, events: endpoint.events, created_at: new Date(endpoint.createdAt).toISOString() });
const endpointsOf = (services: AdminServices) => createWebhookEndpoints(services.db, services.secrets, services.clock);

export async function addWebhook(services: AdminServices, options: { url?: string; events?: string }): Promise<string> {
  if (!options.url || !options.events) throw new UsageError('webhook add needs --url https://… and --events password.changed,account.locked,… (or --events "*")');
  const added = await endpointsOf(services).add({ url: options.url, events: options.events });
  if (!added.ok) throw new UsageError(added.reason);
  return JSON.stringify({ ...describe(added.endpoint), secret: added.secret });
}

export async function listWebhooks(services: AdminServices): Promise<string> {
  return JSON.stringify((await endpointsOf(services).list()).map(describe));
}

function endpointId(id: string | undefined): string {
  if (!id || !isOurId(id)) throw new UsageError('name the endpoint by its id (gatehouse webhook list shows them)');
  return id;
}

export async function removeWebhook(services: AdminServices, id: string | undefined): Promise<string> {
  if (!(await endpointsOf(services).remove(endpointId(id)))) throw new UsageError(`no webhook endpoint ${id}`);
  return JSON.stringify({ removed: id });
}

/** Sends a signed `webhook.test` event at once (not through the outbox) and says how it went. */
export async function testWebhook(services: AdminServices, id: string | undefined): Promise<string> {
  const endpoints = endpointsOf(services);
  const endpoint = (await endpoints.list()).find((e) => e.id === endpointId(id));
  if (!endpoint) throw new UsageError(`no webhook endpoint ${id}`);
  const messageId = newId();
  const body = { type: TEST_EVENT, id: messageId, occurred_at: new Date(services.clock.now()).toISOString(), data: {} };
  try {
    const { status } = await createWebhookSender({ endpoints, clock: services.clock }).send({ endpointId: endpoint.id, messageId, body });
    return JSON.stringify({ delivered: true, status, webhook_id: messageId });
  } catch (error) {
    return JSON.stringify({ delivered: false, error: (error as Error).message, webhook_id: messageId });
  }
}
