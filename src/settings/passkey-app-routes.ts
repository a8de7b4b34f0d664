// The store's app registers passkeys through the JSON API, with its bearer token (no cookies, so
// no CSRF). Like every security change it needs a fresh proof: an app session signed in with the
// password less than 10 minutes ago, or the password sent with the options call (which then
// answers with the session's new token — the old one stops working, DESIGN.md §2).
//
//   GET  /api/v1/app/passkeys          → { passkeys: [{ id, name, synced, createdAt, lastUsedAt }] }
//   POST /api/v1/app/passkeys/options  { password? } → { options, token? }   (creation options, 5 minutes)
//   POST /api/v1/app/passkeys          { response }  → 201 { passkey }         (the platform's answer)
//   POST /api/v1/app/passkeys/remove   { id }        → 204
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import { passkeyMessages } from '../passkeys/passkey-messages.ts';
import type { PasskeyRow } from '../passkeys/passkey-store.ts';
import { bearerToken } from '../sessions/bearer-token.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Failure } from '../shared/failure.ts';
import type { PasskeySettingsService } from './passkey-settings-service.ts';
import type { SecuritySettingsService, Shopper } from './security-settings-service.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';

const optionsBody = { body: Type.Object({ password: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false }) };
// The answer's fields are checked for shape and size by passkeys/passkey-input.ts (a 400 that changes nothing).
const responseBody = { body: Type.Object({ response: Type.Unknown() }, { additionalProperties: false }) };
const removeBody = { body: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }) };

const described = (p: PasskeyRow) => ({
  id: p.id,
  name: p.name,
  synced: p.backedUp,
  createdAt: new Date(p.createdAt).toISOString(),
  lastUsedAt: p.lastUsedAt === null ? null : new Date(p.lastUsedAt).toISOString(),
});

export function registerPasskeyAppRoutes(app: FastifyInstance, deps: { passkeys: PasskeySettingsService; settings: SecuritySettingsService; sessions: SessionService }) {
  const { passkeys, settings, sessions } = deps;
  const problem = (request: FastifyRequest, reply: FastifyReply, failure: Failure) => {
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return sendProblem(request, reply, failure.code, { catalogs: [passkeyMessages, securitySettingsMessages], params: { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) } });
  };
  /** The app's session as a Shopper; the challenge binding is the session, not a browser cookie. */
  async function appCaller(request: FastifyRequest, token = bearerToken(request.headers.authorization)): Promise<{ shopper: Shopper; email: string } | null> {
    const session = await sessions.resolveSession(token, 'app');
    if (!session) return null;
    const shopper = { accountId: session.account_id, sessionId: session.id, locale: session.locale, browserId: `app:${session.id}`, clientAddress: request.ctx.clientAddress, session };
    return { shopper, email: session.email };
  }
  const appShopper = async (request: FastifyRequest) => (await appCaller(request))?.shopper ?? null;
  const unauthenticated = (request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, 'request.unauthenticated');

  app.get('/api/v1/app/passkeys', async (request, reply) => {
    const shopper = await appShopper(request);
    if (!shopper) return unauthenticated(request, reply);
    return { passkeys: (await passkeys.list(shopper)).map(described) };
  });

  app.post('/api/v1/app/passkeys/options', { schema: optionsBody }, async (request, reply) => {
    let caller = await appCaller(request);
    if (!caller) return unauthenticated(request, reply);
    const password = (request.body as { password?: string }).password;
    let token: string | undefined;
    if (password !== undefined) {
      const proved = await settings.reverify(caller.shopper, password);
      if (!proved.ok) return problem(request, reply, proved);
      token = proved.token;
      // The session row read again under its new token: it now says when it was proved.
      caller = await appCaller(request, token);
      if (!caller) return unauthenticated(request, reply);
    }
    const started = await passkeys.startAdding(caller.shopper, caller.email);
    if (!started.ok) return problem(request, reply, started);
    return { options: started.options, ...(token ? { token } : {}) };
  });

  app.post('/api/v1/app/passkeys', { schema: responseBody }, async (request, reply) => {
    const shopper = await appShopper(request);
    if (!shopper) return unauthenticated(request, reply);
    const added = await passkeys.finishAdding(shopper, (request.body as { response: unknown }).response, request.ctx.userAgent);
    if (!added.ok) return problem(request, reply, added);
    return reply.status(201).send({ passkey: described(added.passkey) });
  });

  app.post('/api/v1/app/passkeys/remove', { schema: removeBody }, async (request, reply) => {
    const shopper = await appShopper(request);
    if (!shopper) return unauthenticated(request, reply);
    const removed = await passkeys.remove(shopper, (request.body as { id: string }).id);
    if (!removed.ok) return problem(request, reply, removed);
    return reply.status(204).send();
  });
}
