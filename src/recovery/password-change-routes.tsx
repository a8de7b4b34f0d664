// My account → Settings → Change password: the same steps as recovery (reset-routes.ts), bound to
// the signed-in shopper's own account (no identifier to type), keeping this session alive.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formBody } from '../http/form-schema.ts';
import { redirect, sendPage, waitText } from '../http/replies.ts';
import { sentParam } from '../verification/code-notices.ts';
import { requireSession } from '../http/require-session.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import type { SafeHtml } from '../http/jsx.ts';
import type { SignedIn } from '../http/request-context.ts';
import { recoveryMessages } from './recovery-messages.ts';
import type { ResetDeps } from './reset-caller.ts';
import { registerResetFlow } from './reset-routes.ts';
import { passwordChange } from './reset-variants.ts';

/** My account's Settings page (account/ draws it; handed in at assembly, as account/ sits above recovery/). */
type DrawSettings = (request: FastifyRequest, session: SignedIn, shown: { passwordError: string }) => SafeHtml;

export function registerPasswordChangeRoutes(app: FastifyInstance, deps: ResetDeps & { drawSettings: DrawSettings }) {
  const { passwordReset } = deps;

  app.post('/account/password', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const result = await passwordReset.startPasswordChange({
      browserId: request.ctx.browserId,
      clientAddress: request.ctx.clientAddress,
      session: { accountId: session.account_id, sessionId: session.id, proof: session },
    });
    if (result.ok) return redirect(reply, `${passwordChange.paths.code}?flow=${result.flowId}${sentParam(result.earlier)}`);
    if (result.code === 'reverify.required') return sendProblem(request, reply, result.code, { returnTo: passwordChange.paths.start });
    if (!result.code.startsWith('code.')) return sendProblem(request, reply, result.code);
    // Send limits: back on Settings with the reason and the wait, nothing else changed.
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const passwordError = request.ctx.translator(recoveryMessages)(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return sendPage(reply, deps.drawSettings(request, session, { passwordError }), statusFor(result.code));
  });

  registerResetFlow(app, passwordChange, deps);
}
