// The two probes a load balancer or orchestrator asks (Kubernetes liveness and readiness):
//   GET /healthz — the process is alive and serving HTTP: 200 without touching the database, so a
//     database outage never gets a healthy node restarted (it would come back to the same outage).
//   GET /readyz — send this node traffic: 200 only when its database answers and is migrated
//     (readiness.ts), otherwise 503 with the reason, so the load balancer takes it out of rotation
//     until it is back — by itself, without a restart.
// Marked as probes (http/probe.ts): answered for any Host, no cookie, no session, no request log.
// They are GETs, so the CSRF guard never looks at them.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Readiness } from './readiness.ts';

const probe = { config: { probe: true } };

function answer(reply: FastifyReply, status: number, body: object) {
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

export function registerHealthRoutes(app: FastifyInstance, deps: { readiness: () => Promise<Readiness> }) {
  app.get('/healthz', probe, async (_request, reply) => answer(reply, 200, { status: 'ok' }));

  app.get('/readyz', probe, async (_request, reply) => {
    const readiness = await deps.readiness();
    if (readiness.ready) return answer(reply, 200, { status: 'ok' });
    return answer(reply, 503, { status: 'unavailable', reason: readiness.reason });
  });
}
