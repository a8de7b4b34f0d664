// "Other ways to verify" in recovery and Change password: the list of ways still open for this
// flow. Each way is a step of its own (reset-steps.tsx); this page only links or posts to them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { factorMessages } from '../factors/factor-messages.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { h } from '../http/jsx.ts';
import { redirect, sendPage } from '../http/replies.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { OtherWaysPage } from './other-ways-pages.tsx';
import { resetCallerOf, type ResetDeps } from './reset-caller.ts';
import { flowParam } from './reset-steps.tsx';
import { recoveryMessages } from './recovery-messages.ts';
import { pathTo, type ResetVariant } from './reset-variants.ts';

export function registerOtherWaysRoutes(app: FastifyInstance, variant: ResetVariant, deps: ResetDeps) {
  const { otherWays, passwordReset } = deps;
  const translate = (request: FastifyRequest) => request.ctx.translator(factorMessages, recoveryMessages, codeMessages);
  const callerOf = resetCallerOf(variant, passwordReset);

  app.get(variant.paths.otherWays, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const flowId = flowParam(request);
    const described = await otherWays.describe(variant.kind, flowId, caller);
    if (!described.ok) return sendProblem(request, reply, described.code);
    if (described.page === 'password') return redirect(reply, pathTo(variant, 'password', flowId));
    const page = (
      <OtherWaysPage
        ctx={request.ctx}
        t={translate(request)}
        variant={variant}
        flowId={flowId}
        proved={described.proved}
        summary={described.summary}
        textsAvailable={described.textsAvailable}
        secondsUntilText={described.secondsUntilText}
        secondsUntilEmail={described.secondsUntilEmail}
      />
    );
    return sendPage(reply, page);
  });
}
