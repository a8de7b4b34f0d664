// Every state-changing form carries a token bound to this browser (HMAC of its binding cookie),
// and the Origin header, when the browser sends one, must be our own (OWASP CSRF cheat sheet).
import type { FastifyInstance } from 'fastify';
import type { Secrets } from '../shared/secrets.ts';
import { RequestProblem } from './request-problem.ts';

export const CSRF_FIELD = '_csrf';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler checks where its posts come from itself; the form token is not asked for. */
    ownCsrf?: boolean;
  }
}

export function registerCsrfGuard(app: FastifyInstance, deps: { secrets: Secrets; publicOrigin: string }) {
  // preValidation, not preHandler: the token is checked before the body schema, so a form without
  // its token is refused as a CSRF failure (403), not as an unreadable form (400).
  app.addHook('preValidation', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    // An address we do not serve has nothing to protect: it answers 404 whatever is posted.
    if (request.is404) return;
    // The JSON API is used with bearer tokens by apps, not by ambient cookies; its routes opt in.
    if (request.url.startsWith('/api/')) return;
    // A route that guards its own posts (oidc-provider's: apps authenticate, sign-out has its own field).
    if (request.routeOptions.config?.ownCsrf === true) return;
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== deps.publicOrigin && !isSameHost(origin, request.headers.host)) {
      throw new RequestProblem('request.csrf_invalid');
    }
    const body = request.body as Record<string, unknown> | undefined;
    const token = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
    if (typeof token !== 'string' || !deps.secrets.isCsrfTokenValid(request.ctx.browserId, token)) {
      throw new RequestProblem('request.csrf_invalid');
    }
  });
}

/** Allows the origin the request was actually addressed to (e.g. 127.0.0.1 vs localhost in development). */
function isSameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
