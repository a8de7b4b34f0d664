// GET /api/v1/whoami: how other services of the store learn who is calling. The hot path: one
// indexed lookup (sessions.token_hash joined to accounts by primary key), no other work.
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../http/cookies.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { SessionService } from './session-service.ts';

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  return match?.[1];
}

export function registerSessionRoutes(app: FastifyInstance, deps: { sessions: SessionService; storeName: string }) {
  app.get('/api/v1/whoami', async (request, reply) => {
    const token = bearerToken(request.headers.authorization) ?? request.cookies[SESSION_COOKIE];
    const session = await deps.sessions.resolveSession(token);
    if (!session) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(request, reply, 'request.unauthenticated', deps.storeName);
    }
    return {
      account: { id: session.account_id, email: session.email, emailVerified: session.email_verified_at !== null },
      session: {
        id: session.id,
        kind: session.kind,
        authenticatedVia: session.authenticated_via,
        authenticatedAt: new Date(session.created_at).toISOString(),
        expiresAt: new Date(session.idleExpiresAt).toISOString(),
        absoluteExpiresAt: new Date(session.expires_at).toISOString(),
      },
    };
  });
}
