// Who may call /api/v1/admin: a live admin token, sent as `Authorization: Bearer gha_…`, looked
// up by its hash in admin_tokens alone. A shopper's session or app token is never looked up here
// (and an admin token opens nothing outside /api/v1/admin: it is in no sessions row), cookies are
// not read at all, so a support person's browser session cannot be ridden into the admin API.
//
// Failed attempts are counted per client address (throttling/rate-events.ts, shared by every
// node): 10 in 15 minutes and the address is refused for the rest of the window without even
// looking at what it sends, so a token cannot be guessed online — not that 256 random bits could
// be, but a leaked *prefix* or a typo'd script hammering us should stop, loudly.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import type { FailureCode } from '../shared/failure.ts';
import type { RateEvents, WindowLimit } from '../throttling/rate-events.ts';
import type { Database } from '../storage/database.ts';
import { adminMessages } from './admin-messages.ts';
import type { AdminCaller, AdminTokens } from './admin-tokens.ts';

export const FAILED_ADMIN_AUTH: WindowLimit = { bucket: 'admin_auth_failed', limit: 10, windowSeconds: 15 * 60 };

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token that authenticated this request (admin routes only). */
    admin?: AdminCaller;
  }
}

export const adminProblem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode, retryAfterSeconds?: number) => {
  if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
  return sendProblem(request, reply, code, { catalogs: [adminMessages], params: { wait: waitText(retryAfterSeconds, request.ctx.locale) } });
};

/** Any printable text after "Bearer " is hashed and looked up: a malformed token costs the same as a wrong one. */
const givenToken = (header: string | undefined) => /^Bearer ([\x21-\x7e]{1,200})$/.exec(header ?? '')?.[1] ?? '';

export function adminAuthentication(deps: { db: Database; tokens: AdminTokens; rateEvents: RateEvents }) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const address = request.ctx.clientAddress;
    const wait = await deps.rateEvents.secondsUntilRoom(FAILED_ADMIN_AUTH, address);
    if (wait > 0) return adminProblem(request, reply, 'admin.throttled', wait);
    const caller = await deps.tokens.authenticate(givenToken(request.headers.authorization));
    if (!caller) {
      await deps.rateEvents.record(deps.db, FAILED_ADMIN_AUTH.bucket, address);
      reply.header('www-authenticate', 'Bearer realm="gatehouse-admin"');
      return adminProblem(request, reply, 'admin.unauthenticated');
    }
    request.admin = caller;
  };
}

/** The security events' actor for what this request does. */
export const actorOf = (request: FastifyRequest) => `admin:${request.admin!.name}`;
