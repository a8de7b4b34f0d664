// Sign-in by passkey for the store's app (JSON, no cookies): the app asks for request options and
// gets a 256-bit `signInId` with them that stands in for a browser's binding cookie (the challenge
// is bound to it), runs the platform's passkey prompt, and sends the answer back with the id. The
// answer is the same as a password sign-in's: 201 { token, expiresAt } for a 30-day bearer session.
//
//   POST /api/v1/app/sessions/passkey/options  {}                      → 200 { options, signInId }
//   POST /api/v1/app/sessions/passkey          { signInId, response }  → 201 { token, expiresAt }
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import { passkeyMessages } from '../passkeys/passkey-messages.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { apiErrors, bodyFailures } from '../http/api-schemas.ts';
import { appSessionAnswer } from './app-second-step-routes.ts';
import { randomToken } from '../shared/secrets.ts';
import { loginMessages } from './login-messages.ts';
import type { LoginService } from './login-service.ts';

/** The id an options call handed out (randomToken: 43 base64url characters). */
const SIGN_IN_ID = '^[A-Za-z0-9_-]{43}$';
const optionsBody = {
  summary: 'Start signing in with a passkey',
  tags: ['App sign-in'],
  body: Type.Optional(Type.Object({}, { additionalProperties: false })),
  response: {
    200: Type.Object(
      {
        options: Type.Unknown({ description: 'WebAuthn PublicKeyCredentialRequestOptionsJSON, for the platform passkey prompt (valid 5 minutes).' }),
        signInId: Type.String({ description: 'Send back with the answer.' }),
      },
      { description: 'Request options and the id they are bound to.' },
    ),
    ...apiErrors(bodyFailures),
  },
};
const passkeySignInFailures = ['login.throttled', 'passkey.response_invalid', 'passkey.challenge_invalid', 'passkey.not_accepted'] as const satisfies readonly FailureCode[];
// The answer's fields are checked for shape and size by passkeys/passkey-input.ts (a 400 that changes nothing).
const verifyBody = {
  summary: 'Sign in with a passkey',
  tags: ['App sign-in'],
  body: Type.Object(
    { signInId: Type.String({ pattern: SIGN_IN_ID, maxLength: 43 }), response: Type.Unknown({ description: "The platform's AuthenticationResponseJSON." }) },
    { additionalProperties: false },
  ),
  response: { 201: appSessionAnswer, ...apiErrors([...bodyFailures, ...passkeySignInFailures]) },
};

/** The challenge's binding: never a browser cookie's id, so a browser's challenge cannot serve the app or back. */
const bindingOf = (signInId: string) => `app-sign-in:${signInId}`;

export function registerAppPasskeySignInRoutes(app: FastifyInstance, deps: { login: LoginService }) {
  const { login } = deps;
  const problem = (request: FastifyRequest, reply: FastifyReply, failure: Failure) => {
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return sendProblem(request, reply, failure.code, { catalogs: [loginMessages, passkeyMessages], params: { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) } });
  };

  app.post('/api/v1/app/sessions/passkey/options', { schema: optionsBody }, async () => {
    const signInId = randomToken();
    const { options } = await login.passkeyOptions(bindingOf(signInId));
    return { options, signInId };
  });

  app.post('/api/v1/app/sessions/passkey', { schema: verifyBody }, async (request, reply) => {
    const body = request.body as { signInId: string; response: unknown };
    const result = await login.signInWithPasskey({
      browserId: bindingOf(body.signInId),
      response: body.response,
      clientAddress: request.ctx.clientAddress,
      userAgent: request.ctx.userAgent,
      kind: 'app',
    });
    if (!result.ok) return problem(request, reply, result);
    return reply.status(201).send({ token: result.token, expiresAt: new Date(result.expiresAt).toISOString() });
  });
}
