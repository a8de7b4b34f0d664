// Who may take a step of recovery or Change password, and what the steps are given.
//
// Recovery: anyone, in the browser that started the flow (the flow store checks the binding).
// Change password: only a signed-in session, and only one that proved the password lately — a
// session a relayed QR created must never reach a step that ends with a new password without the
// current one typed in it. Without a session the browser is sent to sign in; without the proof, to
// "Confirm it's you" and back (the service refuses such a caller too, in case a route forgets).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SecurityConfig } from '../config/config.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { requireSession } from '../http/require-session.ts';
import type { Clock } from '../shared/clock.ts';
import type { PasskeyWayDeps } from '../passkeys/passkey-way.tsx';
import type { OtherWaysService } from './other-ways-service.ts';
import type { Caller, PasswordResetService } from './password-reset-service.ts';
import type { ResetVariant } from './reset-variants.ts';

export interface ResetDeps {
  passwordReset: PasswordResetService;
  otherWays: OtherWaysService;
  security: SecurityConfig;
  clock: Clock;
  passkeyWay: PasskeyWayDeps;
}

/** The caller, or null when the answer (sign in first, confirm it's you) was already sent. */
export function resetCallerOf(variant: ResetVariant, passwordReset: PasswordResetService, options: { needsFreshProof?: boolean } = {}) {
  const needsFreshProof = options.needsFreshProof ?? true;
  return (request: FastifyRequest, reply: FastifyReply): Caller | null => {
    const session = variant.needsSession ? requireSession(request, reply) : request.ctx.session;
    if (variant.needsSession && !session) return null;
    if (variant.needsSession && needsFreshProof && !passwordReset.isFreshlyVerified(session!)) {
      void sendProblem(request, reply, 'reverify.required', { returnTo: variant.paths.start });
      return null;
    }
    return {
      browserId: request.ctx.browserId,
      clientAddress: request.ctx.clientAddress,
      userAgent: request.ctx.userAgent,
      session: session ? { accountId: session.account_id, sessionId: session.id, proof: session } : null,
    };
  };
}
