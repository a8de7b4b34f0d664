// "Other ways to verify" for both kinds (recovery, Change password). Thin: read the form, call
// other-ways-service, render or redirect to wherever the flow goes next.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { factorMessages } from '../factors/factor-messages.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField, waitText } from '../http/replies.ts';
import { sentNoticeId, sentParam } from '../verification/code-notices.ts';
import { statusFor } from '../http/error-statuses.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { Failure } from '../shared/failure.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { FactorPage, OtherWaysPage, TextCodePage } from './other-ways-pages.tsx';
import type { OtherWaysService } from './other-ways-service.ts';
import { nextStepPath, pathsFor, type NextStep, type PasswordResetKind } from './password-reset-flow.ts';
import type { Caller } from './password-reset-service.ts';
import { recoveryMessages } from './recovery-messages.ts';
import type { StepDeps } from './password-reset-routes.tsx';

export function registerOtherWays(
  app: FastifyInstance,
  kind: PasswordResetKind,
  deps: StepDeps & { otherWays: OtherWaysService; callerOf: (request: FastifyRequest, reply: FastifyReply) => Caller | null },
) {
  const { otherWays, storeName, security, callerOf } = deps;
  const paths = pathsFor(kind);
  const translate = (request: FastifyRequest) => request.ctx.translator(factorMessages, recoveryMessages, codeMessages);
  const describeFailure = (request: FastifyRequest, reply: FastifyReply, failure: Failure) => {
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return translate(request)(failure.code, { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) });
  };

  /** After a proof: the new password, or the page for the kind of proof still missing. */
  const goOn = (reply: FastifyReply, flowId: string, next: NextStep) => redirect(reply, nextStepPath(paths, flowId, next));

  async function renderWays(request: FastifyRequest, reply: FastifyReply, caller: Caller, flowId: string, error?: string, status = 200) {
    const described = await otherWays.describe(kind, flowId, caller);
    if (!described.ok) return sendProblem(request, reply, described.code, storeName);
    if (described.flow.state === 'verified') return redirect(reply, `${paths.password}?flow=${flowId}`);
    const page = (
      <OtherWaysPage
        ctx={request.ctx}
        t={translate(request)}
        storeName={storeName}
        kind={kind}
        flowId={flowId}
        proved={described.proved}
        summary={described.summary}
        textsAvailable={described.textsAvailable}
        secondsUntilText={described.secondsUntilText}
        secondsUntilEmail={described.secondsUntilEmail}
        error={error}
      />
    );
    return sendPage(reply, page, status);
  }

  app.get(paths.otherWays, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    return renderWays(request, reply, caller, textField(request.query, 'flow') ?? '');
  });

  // ---- text message ----------------------------------------------------------------------------

  async function renderTextPage(request: FastifyRequest, reply: FastifyReply, caller: Caller, flowId: string, extra: { error?: string; resendError?: string; notice?: string; status?: number } = {}) {
    const described = await otherWays.describe(kind, flowId, caller);
    if (!described.ok) return sendProblem(request, reply, described.code, storeName);
    if (described.flow.state === 'verified') return redirect(reply, `${paths.password}?flow=${flowId}`);
    const t = translate(request);
    const page = (
      <TextCodePage
        ctx={request.ctx}
        t={t}
        kind={kind}
        storeName={storeName}
        flowId={flowId}
        phone={described.summary?.phone ?? null}
        security={security}
        confirmAction={paths.sms}
        resendAction={paths.smsSend}
        secondsUntilResend={described.secondsUntilText}
        otherWaysHref={`${paths.otherWays}?flow=${flowId}`}
        startOverHref={paths.start}
        startOverLabel={kind === 'recovery' ? undefined : t('done.back_to_account')}
        {...extra}
      />
    );
    return sendPage(reply, page, extra.status ?? 200);
  }

  app.post(paths.smsSend, { schema: { body: formBody({ flow: shortText(64), first: shortText(1) }, ['first']) } }, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await otherWays.sendText(kind, flowId, caller);
    // "We sent a new code" only when it replaces one; the first text is announced by the page itself.
    if (result.ok) return redirect(reply, `${paths.sms}?flow=${flowId}${result.earlier ? sentParam(result.earlier) : textField(request.body, 'first') ? '' : '&sent=1'}`);
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code, storeName);
    return renderTextPage(request, reply, caller, flowId, { resendError: describeFailure(request, reply, result), status: statusFor(result.code) });
  });

  app.get(paths.sms, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const notice = sentNoticeId(request.query) ? translate(request)(sentNoticeId(request.query)!) : undefined;
    return renderTextPage(request, reply, caller, textField(request.query, 'flow') ?? '', { notice });
  });

  app.post(paths.sms, { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await otherWays.confirmText(kind, flowId, textField(request.body, 'code') ?? '', caller);
    if (result.ok) return goOn(reply, flowId, result.next);
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code, storeName);
    return renderTextPage(request, reply, caller, flowId, { error: describeFailure(request, reply, result), status: statusFor(result.code) });
  });

  // ---- authenticator app and backup code ---------------------------------------------------------

  for (const way of ['totp', 'backup_code'] as const) {
    const path = way === 'totp' ? paths.authenticator : paths.backupCode;
    const confirm = way === 'totp' ? otherWays.confirmAuthenticator : otherWays.confirmBackupCode;

    const render = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, flowId: string, error?: string, status = 200) => {
      const described = await otherWays.describe(kind, flowId, caller);
      if (!described.ok) return sendProblem(request, reply, described.code, storeName);
      if (described.flow.state === 'verified') return redirect(reply, `${paths.password}?flow=${flowId}`);
      // Already proved with one of these: what is missing is an email or text code.
      if (described.proved.factor) return redirect(reply, `${paths.code}?flow=${flowId}`);
      const t = translate(request);
      const then = (request.query as Record<string, unknown>).then === '1';
      const page = (
        <FactorPage
          ctx={request.ctx}
          t={t}
          storeName={storeName}
          kind={kind}
          flowId={flowId}
          way={way}
          error={error}
          secondStep={!!described.proved.channel}
          notice={then && !error ? t('factor_page.channel_done') : undefined}
        />
      );
      return sendPage(reply, page, status);
    };

    app.get(path, async (request, reply) => {
      const caller = callerOf(request, reply);
      if (!caller) return reply;
      return render(request, reply, caller, textField(request.query, 'flow') ?? '');
    });

    app.post(path, { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
      const caller = callerOf(request, reply);
      if (!caller) return reply;
      const flowId = textField(request.body, 'flow') ?? '';
      const result = await confirm(kind, flowId, textField(request.body, 'code') ?? '', caller);
      if (result.ok) return goOn(reply, flowId, result.next);
      if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code, storeName);
      // Nothing new can be sent for these ways: the way out is another way, not "get a new code".
      const error = result.code === 'code.used_up' ? translate(request)('factor.used_up') : describeFailure(request, reply, result);
      return render(request, reply, caller, flowId, error, statusFor(result.code));
    });
  }
}
