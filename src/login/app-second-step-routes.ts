// Two-step sign-in for the store's app (JSON, no cookies). After the right password the app gets
// a second-step flow and a 256-bit flowToken that stands in for a browser's binding cookie; with
// them it may ask for a text message and then send the code. This is what lets an account whose
// only second factor is a phone sign in to the app (an authenticator or backup code can also be
// sent along with the password in one request, see qr-login/app-api-routes.ts).
import { readTypedCode } from '../verification/typed-code.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { waitText } from '../http/replies.ts';
import type { SecondFactorNeeded } from './login-service.ts';
import { translatorFor } from '../shared/i18n.ts';
import { randomToken } from '../shared/secrets.ts';
import { factorMessages } from '../factors/factor-messages.ts';
import { loginMessages } from './login-messages.ts';
import type { TwoStepService } from './two-step-service.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { apiErrors, bodyFailures, isoTime, oneWordOf, textOrNull } from '../http/api-schemas.ts';

const flowFields = { flow: Type.String({ maxLength: 64 }), flowToken: Type.String({ maxLength: 64 }) };

/** 201 of every app sign-in: the 30-day bearer session. */
export const appSessionAnswer = Type.Object(
  { token: Type.String({ description: 'Send as `Authorization: Bearer <token>`.' }), expiresAt: isoTime },
  { description: 'Signed in: a bearer session for the app.' },
);

/** What a 401 `login.second_factor_required` carries besides the error: how to finish. */
export const secondStepField = {
  secondStep: Type.Object(
    {
      flow: Type.String(),
      flowToken: Type.String({ description: 'Stands in for a browser cookie: send it with each second-step call.' }),
      ways: Type.Array(oneWordOf(['passkey', 'totp', 'sms', 'backup_code']), {
        description: '`passkey`: sign in with POST /api/v1/app/sessions/passkey instead (a passkey is both factors).',
      }),
      phone: textOrNull({ description: 'Masked, e.g. `+7 *** ***-**-12`; null without a phone.' }),
    },
    { description: 'Only with `login.second_factor_required`.' },
  ),
};

/** A second step confirmed with a code: TwoStepService.confirm's refusals, a wrong code named for sign-in. */
export const secondStepCodeFailures = ['code.missing', 'flow.not_found', 'flow.expired', 'flow.finished', 'login.second_factor_invalid', 'code.expired', 'code.used_up', 'code.resting'] as const satisfies readonly FailureCode[];
const textFailures = ['flow.not_found', 'flow.expired', 'flow.finished', 'phone.invalid', 'sms.unavailable', 'sms.number_limit', 'sms.country_limit', 'sms.new_numbers_limit', 'code.resend_too_soon', 'code.send_limit_reached'] as const satisfies readonly FailureCode[];

/** 401 `login.second_factor_required`, with what the app needs to finish: the flow and its ways. */
export async function askForSecondStep(request: FastifyRequest, reply: FastifyReply, twoStep: TwoStepService, needed: SecondFactorNeeded, caller: { clientAddress: string; userAgent: string }) {
  const flowToken = randomToken();
  const appCaller = { ...caller, browserId: flowToken, app: true };
  const started = await twoStep.begin(needed.account, needed.factors, appCaller, '/');
  const summary = needed.factors;
  // 'passkey' tells the app the account holds one: a passkey with user verification is both
  // factors at once, so the app signs in with it (POST /api/v1/app/sessions/passkey) rather than as
  // a second step. Without it a two-step account whose only factor is a passkey would be told of
  // no way at all.
  const ways = twoStep.waysFor(summary, { passkey: true });
  const t = translatorFor(request.ctx.locale, loginMessages);
  return reply.status(401).send({
    error: { code: 'login.second_factor_required', message: t('login.second_factor_required') },
    secondStep: { flow: started.flowId, flowToken, ways, phone: summary.phone },
  });
}

/** An authenticator or backup code sent along with the password: a flow for this one request. */
export async function confirmAlongWithPassword(twoStep: TwoStepService, needed: SecondFactorNeeded, caller: { clientAddress: string; userAgent: string }, way: 'totp' | 'backup_code', code: string) {
  const typed = readTypedCode(code);
  if (!typed.ok) return typed;
  const appCaller = { ...caller, browserId: randomToken(), app: true };
  const started = await twoStep.begin(needed.account, needed.factors, appCaller, '/');
  return twoStep.confirm(way, started.flowId, typed.code, appCaller);
}

type Problem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode, retryAfterSeconds?: number) => unknown;

/** 201 with the app's token, or the refusal (a wrong code is "the second-step code is not right"). */
export function answerSecondStep(request: FastifyRequest, reply: FastifyReply, confirmed: Awaited<ReturnType<TwoStepService['confirm']>> | Failure<'code.missing'>, problem: Problem) {
  if (!confirmed.ok) return problem(request, reply, confirmed.code === 'code.invalid' ? 'login.second_factor_invalid' : confirmed.code, confirmed.retryAfterSeconds);
  return reply.status(201).send({ token: confirmed.token, expiresAt: new Date(confirmed.expiresAt).toISOString() });
}

export function registerAppSecondStepRoutes(app: FastifyInstance, deps: { twoStep: TwoStepService }) {
  const { twoStep } = deps;
  const callerOf = (request: FastifyRequest, flowToken: string) => ({ browserId: flowToken, clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent, app: true });
  const problem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode, retryAfterSeconds?: number) => {
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    return sendProblem(request, reply, code, { catalogs: [loginMessages, factorMessages], params: { wait: waitText(retryAfterSeconds, request.ctx.locale) } });
  };

  const textSchema = {
    summary: 'Text the second-step code',
    tags: ['App sign-in'],
    body: Type.Object(flowFields, { additionalProperties: false }),
    response: { 202: Type.Object({ status: Type.Literal('sent') }, { description: 'The code is on its way to the account phone.' }), ...apiErrors([...bodyFailures, ...textFailures]) },
  };
  app.post('/api/v1/app/sessions/second-step/sms', { schema: textSchema }, async (request, reply) => {
    const body = request.body as { flow: string; flowToken: string };
    const sent = await twoStep.sendText(body.flow, callerOf(request, body.flowToken));
    if (!sent.ok) return problem(request, reply, sent.code, sent.retryAfterSeconds);
    return reply.status(202).send({ status: 'sent' });
  });

  const confirmBody = Type.Object(
    { ...flowFields, way: Type.Union([Type.Literal('totp'), Type.Literal('sms'), Type.Literal('backup_code')]), code: Type.String({ maxLength: 64 }) },
    { additionalProperties: false },
  );
  const confirmSchema = {
    summary: 'Finish signing in with the second-step code',
    tags: ['App sign-in'],
    body: confirmBody,
    response: { 201: appSessionAnswer, ...apiErrors([...bodyFailures, ...secondStepCodeFailures]) },
  };
  app.post('/api/v1/app/sessions/second-step', { schema: confirmSchema }, async (request, reply) => {
    const body = request.body as { flow: string; flowToken: string; way: 'totp' | 'sms' | 'backup_code'; code: string };
    const typed = readTypedCode(body.code);
    return answerSecondStep(request, reply, typed.ok ? await twoStep.confirm(body.way, body.flow, typed.code, callerOf(request, body.flowToken)) : typed, problem);
  });
}
