// The JSON API of the store's native app: sign in for a 30-day bearer session, scan a QR,
// confirm or cancel, list and end its sessions. No cookies, so no CSRF; every call but sign-in
// needs `Authorization: Bearer <token>`.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import type { LoginService } from '../login/login-service.ts';
import type { TwoStepService } from '../login/two-step-service.ts';
import { answerSecondStep, askForSecondStep, confirmAlongWithPassword } from '../login/app-second-step-routes.ts';
import { loginMessages } from '../login/login-messages.ts';
import { bearerToken } from '../sessions/bearer-token.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { describeUserAgent } from '../sessions/user-agent.ts';
import type { Locale } from '../shared/i18n.ts';
import { qrLoginMessages } from './qr-login-messages.ts';
import type { QrLoginService } from './qr-login-service.ts';
import type { FailureCode } from '../shared/failure.ts';

const tokenBody = { body: Type.Object({ token: Type.String({ maxLength: 64 }) }, { additionalProperties: false }) };
/** Confirm: `confirmElsewhere` is the shopper's second, explicit yes when the browser is elsewhere (the scan's `elsewhere`). */
const decideBody = { body: Type.Object({ token: Type.String({ maxLength: 64 }), confirmElsewhere: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) };
const signInBody = {
  body: Type.Object(
    {
      identifier: Type.String({ maxLength: 1024 }),
      password: Type.String({ maxLength: 1024 }),
      // For accounts with two-step verification: a code from the authenticator app or a backup code.
      secondFactor: Type.Optional(
        Type.Object({ way: Type.Union([Type.Literal('totp'), Type.Literal('backup_code')]), code: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
};

export function registerAppApiRoutes(app: FastifyInstance, deps: { qrLogin: QrLoginService; login: LoginService; twoStep: TwoStepService; sessions: SessionService }) {
  const { qrLogin, login, twoStep, sessions } = deps;
  const problem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode, retryAfterSeconds?: number) => {
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    return sendProblem(request, reply, code, { catalogs: [qrLoginMessages, loginMessages], params: { wait: waitText(retryAfterSeconds, request.ctx.locale) } });
  };
  const appSession = async (request: FastifyRequest) => sessions.resolveSession(bearerToken(request.headers.authorization), 'app');

  app.post('/api/v1/app/sessions', { schema: signInBody }, async (request, reply) => {
    const body = request.body as { identifier: string; password: string; secondFactor?: { way: 'totp' | 'backup_code'; code: string } };
    const caller = { clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent };
    const result = await login.signIn({ identifier: body.identifier, password: body.password, ...caller, kind: 'app' });
    if (!result.ok) return problem(request, reply, result.code, result.retryAfterSeconds);
    if ('needsSecondFactor' in result) {
      if (!body.secondFactor) return askForSecondStep(request, reply, twoStep, result, caller);
      const confirmed = await confirmAlongWithPassword(twoStep, result, caller, body.secondFactor.way, body.secondFactor.code);
      return answerSecondStep(request, reply, confirmed, problem);
    }
    return reply.status(201).send({ token: result.token, expiresAt: new Date(result.expiresAt).toISOString() });
  });

  app.post('/api/v1/qr/scan', { schema: tokenBody }, async (request, reply) => {
    const session = await appSession(request);
    if (!session) return problem(request, reply, 'request.unauthenticated');
    const scanned = await qrLogin.scan({ id: session.id, accountId: session.account_id, address: request.ctx.clientAddress }, (request.body as { token: string }).token, request.ctx.locale);
    if (!scanned.ok) return problem(request, reply, scanned.code, scanned.retryAfterSeconds);
    const d = scanned.details;
    return {
      browser: d.browser,
      system: d.system,
      place: d.place ?? 'unknown',
      countryCode: d.approximatePlace?.countryCode ?? null,
      clientAddress: d.clientAddress,
      // The browser is in another country or network than this phone: show it plainly and send
      // confirmElsewhere: true only after the shopper's second, explicit "Yes, this is me".
      elsewhere: d.elsewhere,
      requestedAt: new Date(d.requestedAt).toISOString(),
      decideBy: new Date(d.decideBy).toISOString(),
    };
  });

  for (const [action, approve] of [['confirm', true], ['cancel', false]] as const) {
    app.post(`/api/v1/qr/${action}`, { schema: decideBody }, async (request, reply) => {
      const session = await appSession(request);
      if (!session) return problem(request, reply, 'request.unauthenticated');
      const body = request.body as { token: string; confirmElsewhere?: boolean };
      const decided = await qrLogin.decide({ id: session.id, address: request.ctx.clientAddress }, body.token, approve, body.confirmElsewhere === true);
      if (!decided.ok) return problem(request, reply, decided.code);
      return { status: approve ? 'approved' : 'denied' };
    });
  }

  app.get('/api/v1/sessions', async (request, reply) => {
    const session = await appSession(request);
    if (!session) return problem(request, reply, 'request.unauthenticated');
    const list = await sessions.listSessions(session.account_id);
    return {
      sessions: list.map((s) => ({
        id: s.id,
        kind: s.kind,
        ...deviceFields(s.user_agent, request.ctx.locale),
        authenticatedVia: s.authenticated_via,
        createdAt: new Date(s.created_at).toISOString(),
        lastSeenAt: new Date(s.last_seen_at).toISOString(),
        current: s.id === session.id,
      })),
    };
  });

  app.delete('/api/v1/sessions/:id', async (request, reply) => {
    const session = await appSession(request);
    if (!session) return problem(request, reply, 'request.unauthenticated');
    const ended = await sessions.endSession(session.account_id, (request.params as { id: string }).id, request.ctx);
    if (!ended) return problem(request, reply, 'session.not_found');
    return reply.status(204).send();
  });
}

/** The JSON answer's two device fields (describeUserAgent also says whether it recognised any). */
function deviceFields(userAgent: string, locale: Locale) {
  const { browser, system } = describeUserAgent(userAgent, locale);
  return { browser, system };
}
