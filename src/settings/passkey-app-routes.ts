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
import type { Failure, FailureCode } from '../shared/failure.ts';
import { anyRequestFailures, apiErrors, bearer, bodyFailures, isoTime, noContent, textOrNull } from '../http/api-schemas.ts';
import type { PasskeySettingsService } from './passkey-settings-service.ts';
import type { SecuritySettingsService, Shopper } from './security-settings-service.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';

const unauthenticated = ['request.unauthenticated'] as const satisfies readonly FailureCode[];
const passkeyAnswer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  synced: Type.Boolean({ description: 'Backed up by the platform (synced between devices).' }),
  createdAt: isoTime,
  lastUsedAt: textOrNull({ format: 'date-time' }),
});
const listSchema = {
  summary: "The account's passkeys",
  tags: ['Passkeys'],
  security: bearer,
  response: { 200: Type.Object({ passkeys: Type.Array(passkeyAnswer) }), ...apiErrors([...anyRequestFailures, ...unauthenticated]) },
};
const optionsBody = {
  summary: 'Start adding a passkey',
  description: 'Needs a fresh proof: an app session signed in with the password less than 10 minutes ago, or `password` sent here (the answer then carries the session\'s new `token`; the old one stops working).',
  tags: ['Passkeys'],
  security: bearer,
  body: Type.Object({ password: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false }),
  response: {
    200: Type.Object({
      options: Type.Unknown({ description: 'WebAuthn PublicKeyCredentialCreationOptionsJSON (valid 5 minutes).' }),
      token: Type.Optional(Type.String({ description: "Only when `password` was sent: the session's new bearer token." })),
    }),
    ...apiErrors([...bodyFailures, ...unauthenticated, 'login.throttled', 'reverify.password_missing', 'reverify.password_wrong', 'reverify.required', 'passkey.limit_reached']),
  },
};
// The answer's fields are checked for shape and size by passkeys/passkey-input.ts (a 400 that changes nothing).
const responseBody = {
  summary: 'Add the passkey (the platform\'s answer)',
  tags: ['Passkeys'],
  security: bearer,
  body: Type.Object({ response: Type.Unknown({ description: "The platform's RegistrationResponseJSON." }) }, { additionalProperties: false }),
  response: {
    201: Type.Object({ passkey: passkeyAnswer }, { description: 'Added.' }),
    ...apiErrors([...bodyFailures, ...unauthenticated, 'reverify.required', 'passkey.response_invalid', 'passkey.challenge_invalid', 'passkey.not_verified', 'passkey.limit_reached', 'passkey.already_registered']),
  },
};
const removeBody = {
  summary: 'Remove a passkey',
  tags: ['Passkeys'],
  security: bearer,
  body: Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  response: { 204: noContent('Removed.'), ...apiErrors([...bodyFailures, ...unauthenticated, 'reverify.required', 'passkey.not_found']) },
};

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

  app.get('/api/v1/app/passkeys', { schema: listSchema }, async (request, reply) => {
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
