// GET /api/v1/whoami: how other services of the store learn who is calling. The hot path: one
// indexed lookup (sessions.token_hash joined to accounts by primary key), no other work.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../http/cookies.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { anyRequestFailures, apiErrors, bearer, isoTime } from '../http/api-schemas.ts';
import { bearerToken } from './bearer-token.ts';
import type { SessionService } from './session-service.ts';

/**
 * The 200 answer, field by field. Fastify compiles it into a serializer (fast-json-stringify) that
 * writes exactly these fields, cheaper than JSON.stringify on the hot path, and nothing else from
 * the session row can ever leak into the answer.
 */
const whoamiAnswer = Type.Object({
  account: Type.Object({ id: Type.String(), email: Type.String(), emailVerified: Type.Boolean() }),
  session: Type.Object({
    id: Type.String(),
    kind: Type.String(),
    authenticatedVia: Type.String(),
    authenticatedAt: isoTime,
    expiresAt: isoTime,
    absoluteExpiresAt: isoTime,
    keptSignedIn: Type.Boolean({ description: 'A browser session started with "Keep me signed in on this device": no idle limit, it lasts until `absoluteExpiresAt`.' }),
  }),
}, { description: 'Who is calling: the account and the session.' });

const whoamiSchema = {
  summary: 'Who is calling',
  description: "Other services of the store forward the shopper's token (either kind of session) or a browser's session cookie.",
  tags: ['Sessions'],
  // Either a bearer token or the browser's session cookie.
  security: [...bearer, { browserSession: [] }],
  response: { 200: whoamiAnswer, ...apiErrors([...anyRequestFailures, 'request.unauthenticated']) },
};

export function registerSessionRoutes(app: FastifyInstance, deps: { sessions: SessionService }) {
  app.get('/api/v1/whoami', { schema: whoamiSchema }, async (request, reply) => {
    // A bearer token may name either kind (a service forwarding the shopper's token); the cookie
    // only a browser session, as everywhere else.
    const bearer = bearerToken(request.headers.authorization);
    const session = bearer ? await deps.sessions.resolveSession(bearer) : await deps.sessions.resolveSession(request.cookies[SESSION_COOKIE], 'browser');
    if (!session) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(request, reply, 'request.unauthenticated');
    }
    return {
      account: { id: session.account_id, email: session.email, emailVerified: session.email_verified_at !== null },
      session: {
        id: session.id,
        kind: session.kind,
        authenticatedVia: session.authenticated_via,
        // Dates, not strings: the schema's serializer writes them as ISO 8601 (the same text as
        // toISOString) at a third of the cost of V8's toISOString.
        authenticatedAt: new Date(session.created_at),
        expiresAt: new Date(session.idleExpiresAt),
        absoluteExpiresAt: new Date(session.expires_at),
        keptSignedIn: session.kept_signed_in === 1,
      },
    };
  });
}
