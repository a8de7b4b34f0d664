// Who is asking under My account → Security: the signed-in shopper, with what each change needs
// (which session, from where). Every change first needs a fresh verification ("Confirm it's you");
// a refused change sends there and back, or shows the problem's own page, never a half-done change.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountMessages } from '../account/account-messages.ts';
import { factorMessages } from '../factors/factor-messages.ts';
import { requireSession } from '../http/require-session.ts';
import { loginMessages } from '../login/login-messages.ts';
import { passkeyMessages } from '../passkeys/passkey-messages.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import type { Failure } from '../shared/failure.ts';
import { endStep, type FailureAnswers } from '../verification/answer-failure.ts';
import { codeMessages } from '../verification/code-messages.ts';
import type { Shopper } from './security-settings-service.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';

export const translate = (request: FastifyRequest) => request.ctx.translator(securitySettingsMessages, passkeyMessages, factorMessages, accountMessages, codeMessages, recoveryMessages, loginMessages);

/** The shopper, or null when the browser was sent to sign in (and come back here). */
export function shopperOf(request: FastifyRequest, reply: FastifyReply): Shopper | null {
  const session = requireSession(request, reply);
  if (!session) return null;
  return {
    accountId: session.account_id,
    sessionId: session.id,
    locale: session.locale,
    browserId: request.ctx.browserId,
    clientAddress: request.ctx.clientAddress,
    userAgent: request.ctx.userAgent,
    session,
  };
}

/** A handler that runs only for a signed-in shopper. */
export const forShopper =
  (handler: (request: FastifyRequest, reply: FastifyReply, shopper: Shopper) => unknown) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const shopper = shopperOf(request, reply);
    return shopper ? handler(request, reply, shopper) : reply;
  };

/** How a Security page answers failures; "Confirm it's you" brings the shopper back to `back`. */
export const answersBackTo = (back: string): FailureAnswers => ({ translate, problemCatalogs: [securitySettingsMessages, passkeyMessages], reverifyReturnTo: back });

/** A refused change: "Confirm it's you" and back to `back`, or the problem's own page. */
export const refused = (request: FastifyRequest, reply: FastifyReply, failure: Failure, back: string) => endStep(request, reply, failure, answersBackTo(back));
