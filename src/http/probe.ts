// Load balancer and orchestrator probes (/healthz, /readyz: operations/health-routes.ts) are asked
// every few seconds by machines, not shoppers. Routes mark themselves with `config: { probe: true }`
// and the plumbing that exists for browsers steps aside for them: no browser cookie or session
// lookup (a probe must not touch the database through the session, nor collect a cookie per
// call), no request log line (one per probe per node would drown the log), and any Host (a
// Kubernetes or cloud load balancer probe names the pod or instance by its IP address).
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A machine's health probe: answered for any Host, without cookies, session or request log. */
    probe?: boolean;
  }
}

/** Fastify routes before onRequest hooks run, so every hook can ask this of the matched route. */
export const isProbe = (request: FastifyRequest): boolean => request.routeOptions.config?.probe === true;
