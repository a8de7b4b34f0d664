// The JSON API of the store's native app: sign in for a 30-day bearer session, scan a QR,
// confirm or cancel, list and end its sessions. No cookies, so no CSRF; every call but sign-in
// needs `Authorization: Bearer <token>`.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import type { LoginService } from '../login/login-service.ts';
import type { TwoStepService } from '../login/two-step-service.ts';
import { answerSecondStep, appSessionAnswer, askForSecondStep, confirmAlongWithPassword, secondStepCodeFailures, secondStepField } from '../login/app-second-step-routes.ts';
import { anyRequestFailures, apiErrors, bearer, bodyFailures, isoTime, noContent, oneWordOf, textOrNull } from '../http/api-schemas.ts';
import { loginMessages } from '../login/login-messages.ts';
import { bearerToken } from '../sessions/bearer-token.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { describeUserAgent } from '../sessions/user-agent.ts';
import type { Locale } from '../shared/i18n.ts';
import { qrLoginMessages } from './qr-login-messages.ts';
import type { QrLoginService } from './qr-login-service.ts';
import type { FailureCode } from '../shared/failure.ts';

const unauthenticated = ['request.unauthenticated'] as const satisfies readonly FailureCode[];
const tokenBody = {
  summary: "Scan a browser's sign-in QR",
  description: 'Locks the QR request to this app session and tells the app what to show before the shopper decides.',
  tags: ['QR sign-in'],
  security: bearer,
  body: Type.Object({ token: Type.String({ maxLength: 64, description: "The token in the QR code's link." }) }, { additionalProperties: false }),
  response: {
    200: Type.Object(
      {
        browser: Type.String(),
        system: Type.String(),
        place: Type.String({ description: "The browser's country in English, or `unknown`." }),
        countryCode: textOrNull({ description: 'ISO 3166 country code, or null when unknown.' }),
        clientAddress: Type.String(),
        elsewhere: Type.Boolean({ description: 'The browser is in another country or network than this phone: confirming needs `confirmElsewhere: true`.' }),
        requestedAt: isoTime,
        decideBy: isoTime,
      },
      { description: 'The browser asking to be signed in.' },
    ),
    ...apiErrors([...bodyFailures, ...unauthenticated, 'qr.too_many_requests', 'qr.not_found', 'qr.expired', 'qr.already_used']),
  },
};
/** Confirm: `confirmElsewhere` is the shopper's second, explicit yes when the browser is elsewhere (the scan's `elsewhere`). */
const decideSchema = (approve: boolean) => ({
  summary: approve ? 'Sign the browser in (confirm the QR)' : 'Refuse the QR sign-in',
  tags: ['QR sign-in'],
  security: bearer,
  body: Type.Object({ token: Type.String({ maxLength: 64 }), confirmElsewhere: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  response: {
    200: Type.Object({ status: oneWordOf(['approved', 'denied']) }, { description: 'Decided; the browser learns at once.' }),
    ...apiErrors([...bodyFailures, ...unauthenticated, 'qr.not_found', 'qr.expired', ...(approve ? (['qr.elsewhere_unconfirmed'] as const) : []), 'qr.already_used']),
  },
});
const signInFailures = ['identity.invisible_character', 'login.invalid_credentials', 'login.throttled', 'login.missing_fields', 'login.second_factor_required', ...secondStepCodeFailures] as const satisfies readonly FailureCode[];
const signInBody = {
  summary: 'Sign in with a password',
  description:
    'For a two-step account send `secondFactor` along, or answer the 401 `login.second_factor_required`: its `secondStep` says how (POST /api/v1/app/sessions/second-step).',
  tags: ['App sign-in'],
  response: { 201: appSessionAnswer, ...apiErrors([...bodyFailures, ...signInFailures], { 401: secondStepField }) },
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

const listSchema = {
  summary: "The account's sessions",
  tags: ['Sessions'],
  security: bearer,
  response: {
    200: Type.Object(
      {
        sessions: Type.Array(
          Type.Object({
            id: Type.String(),
            kind: oneWordOf(['browser', 'app']),
            browser: Type.String(),
            system: Type.String(),
            authenticatedVia: Type.String({ description: 'How the session signed in, e.g. `password`, `passkey`, `qr`.' }),
            createdAt: isoTime,
            lastSeenAt: isoTime,
            keptSignedIn: Type.Boolean({ description: 'A browser session kept signed in ("Keep me signed in on this device"): no idle limit until it ends.' }),
            current: Type.Boolean({ description: 'The session making this call.' }),
          }),
        ),
      },
      { description: 'Every live session of the account, browsers and apps.' },
    ),
    ...apiErrors([...anyRequestFailures, ...unauthenticated]),
  },
};
const endSchema = {
  summary: 'End a session (sign a device out)',
  tags: ['Sessions'],
  security: bearer,
  params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
  response: { 204: noContent('Ended; its token no longer works.'), ...apiErrors([...anyRequestFailures, ...unauthenticated, 'session.not_found']) },
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
    app.post(`/api/v1/qr/${action}`, { schema: decideSchema(approve) }, async (request, reply) => {
      const session = await appSession(request);
      if (!session) return problem(request, reply, 'request.unauthenticated');
      const body = request.body as { token: string; confirmElsewhere?: boolean };
      const decided = await qrLogin.decide({ id: session.id, address: request.ctx.clientAddress }, body.token, approve, body.confirmElsewhere === true);
      if (!decided.ok) return problem(request, reply, decided.code);
      return { status: approve ? 'approved' : 'denied' };
    });
  }

  app.get('/api/v1/sessions', { schema: listSchema }, async (request, reply) => {
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
        keptSignedIn: s.kept_signed_in === 1,
        current: s.id === session.id,
      })),
    };
  });

  app.delete('/api/v1/sessions/:id', { schema: endSchema }, async (request, reply) => {
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
