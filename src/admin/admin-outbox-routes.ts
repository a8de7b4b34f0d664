// /api/v1/admin/outbox: what `gatehouse outbox` shows (addresses masked, nothing sealed opened
// beyond the recipient to mask it), and re-queueing a parked message (courier/outbox-admin.ts).
import type { FastifyInstance } from 'fastify';
import { listUndelivered, requeue, type RequeueProblem } from '../courier/outbox-admin.ts';
import type { Clock } from '../shared/clock.ts';
import type { FailureCode } from '../shared/failure.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import { adminProblem } from './admin-auth.ts';
import { idParams, outboxListing, refusals, adminToken, requeued } from './admin-schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const codeFor: Record<RequeueProblem, FailureCode> = {
  'outbox.not_found': 'admin.outbox_not_found',
  'outbox.code_expired': 'admin.outbox_code_expired',
  'outbox.already_sent': 'admin.outbox_already_sent',
  'outbox.sending': 'admin.outbox_sending',
};

export function registerAdminOutboxRoutes(app: FastifyInstance, deps: { db: Database; secrets: Secrets; clock: Clock; wakeCourier: () => void }) {
  app.get(
    '/api/v1/admin/outbox',
    { schema: { summary: 'Outbox status: counts by state and the undelivered messages (recipients masked)', tags: ['admin'], security: adminToken, response: { 200: outboxListing, ...refusals() } } },
    async () => {
      const { entries, counts } = await listUndelivered(deps.db, deps.secrets);
      return {
        counts,
        messages: entries.map((e) => ({ ...e, nextTryAt: iso(e.nextTryAt), queuedAt: iso(e.queuedAt)!, expiresAt: iso(e.expiresAt) })),
      };
    },
  );

  app.post(
    '/api/v1/admin/outbox/:id/retry',
    { schema: { summary: 'Queue a parked (or retrying) message again; a code mail whose code has expired is never queued again', tags: ['admin'], params: idParams, security: adminToken, response: { 200: requeued, ...refusals('admin.outbox_not_found', 'admin.outbox_code_expired', 'admin.outbox_already_sent', 'admin.outbox_sending') } } },
    async (request, reply) => {
      const id = (request.params as { id: string }).id.toLowerCase();
      const result = await requeue(deps.db, deps.clock, id);
      if (!result.ok) return adminProblem(request, reply, codeFor[result.code]);
      request.log.info({ admin: request.admin!.name, outbox: id }, 'admin re-queued an outbox message');
      deps.wakeCourier();
      return { id, state: 'pending' as const };
    },
  );
}
