// "Forgot password?" → /recovery: one field (email or login name), then the steps every reset
// shares (reset-routes.ts): code → other ways → new password → done.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField, waitText } from '../http/replies.ts';
import { statusFor } from '../http/error-statuses.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { sentParam } from '../verification/code-notices.ts';
import { recoveryMessages } from './recovery-messages.ts';
import { RecoveryStartPage } from './recovery-pages.tsx';
import type { ResetDeps } from './reset-caller.ts';
import { registerResetFlow } from './reset-routes.ts';
import { recovery } from './reset-variants.ts';

export function registerRecoveryRoutes(app: FastifyInstance, deps: ResetDeps) {
  const { passwordReset } = deps;

  app.get('/recovery', async (request, reply) => {
    const t = request.ctx.translator(recoveryMessages, codeMessages);
    return sendPage(reply, <RecoveryStartPage ctx={request.ctx} t={t} />);
  });

  app.post('/recovery', { schema: { body: formBody({ identifier: shortText(1024) }) } }, async (request, reply) => {
    const identifier = textField(request.body, 'identifier') ?? '';
    const result = await passwordReset.startRecovery(identifier, {
      browserId: request.ctx.browserId,
      clientAddress: request.ctx.clientAddress,
    });
    if (result.ok) return redirect(reply, `/recovery/code?flow=${result.flowId}${sentParam(result.earlier)}`);
    const t = request.ctx.translator(recoveryMessages, codeMessages);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const error = t(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return sendPage(reply, <RecoveryStartPage ctx={request.ctx} t={t} identifier={identifier.slice(0, 254)} error={error} />, statusFor(result.code));
  });

  registerResetFlow(app, recovery, deps);
}
