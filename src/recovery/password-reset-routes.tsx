// The steps after the start, for both kinds: code → (other ways) → new password → done.
// Thin: read the form, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, setSessionCookie, textField, waitText } from '../http/replies.ts';
import { statusFor } from '../http/error-statuses.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { requireSession } from '../http/require-session.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { sentNoticeId } from '../verification/code-notices.ts';
import { recoveryMessages } from './recovery-messages.ts';
import { NewPasswordPage, PasswordChangedPage, ResetCodePage, type NewPasswordModel } from './recovery-pages.tsx';
import { factorMessages } from '../factors/factor-messages.ts';
import type { OtherWaysService } from './other-ways-service.ts';
import { registerOtherWays } from './other-ways-routes.tsx';
import { nextStepPath, pathsFor, type PasswordResetKind } from './password-reset-flow.ts';
import type { Caller, PasswordResetService } from './password-reset-service.ts';

export interface StepDeps {
  passwordReset: PasswordResetService;
  otherWays: OtherWaysService;
  security: SecurityConfig;
  clock: Clock;
}

/** The flow id a page's URL names (`?flow=…`); '' when absent, which then reads as an unknown flow. */
const flowParam = (request: FastifyRequest) => textField(request.query, 'flow') ?? '';

export function registerPasswordResetSteps(app: FastifyInstance, kind: PasswordResetKind, deps: StepDeps) {
  const { passwordReset, security } = deps;
  const paths = pathsFor(kind);
  const translate = (request: FastifyRequest) => request.ctx.translator(recoveryMessages, codeMessages, factorMessages);
  const signedInOnly = kind === 'password_change';

  /**
   * The caller, or null when Change password is asked for without a session (sent to sign in) or
   * by a session that has not proved the password lately (sent to "Confirm it's you", then back:
   * the service refuses such a caller too). The done page only says it is done.
   */
  function callerOf(request: FastifyRequest, reply: FastifyReply, needsFreshProof = true): Caller | null {
    const session = signedInOnly ? requireSession(request, reply) : request.ctx.session;
    if (signedInOnly && !session) return null;
    if (signedInOnly && needsFreshProof && !passwordReset.isFreshlyVerified(session!)) {
      void sendProblem(request, reply, 'reverify.required', { returnTo: '/account/settings' });
      return null;
    }
    return {
      browserId: request.ctx.browserId,
      clientAddress: request.ctx.clientAddress,
      session: session ? { accountId: session.account_id, sessionId: session.id, proof: session } : null,
    };
  }

  function retryAfter(reply: FastifyReply, seconds: number | undefined) {
    if (seconds) reply.header('retry-after', String(seconds));
  }

  async function renderCodePage(request: FastifyRequest, reply: FastifyReply, caller: Caller, flowId: string, extra: { error?: string; resendError?: string; notice?: string; status?: number } = {}) {
    const described = await passwordReset.describe(kind, flowId, caller);
    if (!described.ok) return sendProblem(request, reply, described.code);
    if (described.flow.state === 'verified') return redirect(reply, `${paths.password}?flow=${flowId}`);
    // The email (or a text) code is done; what is missing is the authenticator or a backup code.
    if (described.proved.channel) return redirect(reply, `${(await passwordReset.factorWay(described.flow)) === 'totp' ? paths.authenticator : paths.backupCode}?flow=${flowId}`);
    const t = translate(request);
    const page = (
      <ResetCodePage
        ctx={request.ctx}
        t={t}
        kind={kind}
       
        flowId={flowId}
        destination={described.destination}
        sentText={t(kind === 'recovery' ? 'recovery.sent_to' : 'change.sent_to', { destination: described.destination })}
        confirmAction={paths.code}
        resendAction={paths.resend}
        secondsUntilResend={described.secondsUntilResend}
        cooldownSeconds={security.resendCooldownSeconds}
        lifetimeMinutes={Math.round(security.codeLifetimeSeconds / 60)}
        otherWaysHref={`${paths.otherWays}?flow=${flowId}`}
        startOverHref={paths.start}
        startOverLabel={kind === 'recovery' ? undefined : t('done.back_to_account')}
        error={extra.error}
        resendError={extra.resendError}
        notice={extra.notice}
      />
    );
    return sendPage(reply, page, extra.status ?? 200);
  }

  app.get(paths.code, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const query = request.query as Record<string, unknown>;
    const notice = sentNoticeId(query) ? translate(request)(sentNoticeId(query)!) : query.then === '1' ? translate(request)('factor_page.factor_done') : undefined;
    return renderCodePage(request, reply, caller, flowParam(request), { notice });
  });

  app.post(paths.code, { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await passwordReset.confirmCode(kind, flowId, textField(request.body, 'code') ?? '', caller);
    if (result.ok) return redirect(reply, nextStepPath(paths, flowId, result.next));
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
    retryAfter(reply, result.retryAfterSeconds);
    const error = translate(request)(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return renderCodePage(request, reply, caller, flowId, { error, status: statusFor(result.code) });
  });

  app.post(paths.resend, { schema: { body: formBody({ flow: shortText(64) }) } }, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await passwordReset.resend(kind, flowId, caller);
    if (result.ok) return redirect(reply, `${paths.code}?flow=${flowId}&sent=1`);
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
    retryAfter(reply, result.retryAfterSeconds);
    const resendError = translate(request)(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return renderCodePage(request, reply, caller, flowId, { resendError, status: statusFor(result.code) });
  });

  function renderNewPassword(request: FastifyRequest, reply: FastifyReply, model: Omit<NewPasswordModel, 'ctx' | 't' | 'kind'>, status = 200) {
    return sendPage(reply, <NewPasswordPage ctx={request.ctx} t={translate(request)} kind={kind} {...model} />, status);
  }

  app.get(paths.password, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const described = await passwordReset.describe(kind, flowParam(request), caller);
    if (!described.ok) return sendProblem(request, reply, described.code);
    if (described.flow.state !== 'verified') return redirect(reply, `${paths.code}?flow=${described.flow.id}`);
    return renderNewPassword(request, reply, { flowId: described.flow.id, values: {}, signOutOthers: true, errors: {} });
  });

  app.post(
    paths.password,
    { schema: { body: formBody({ flow: shortText(64), password: shortText(1024), password_confirmation: shortText(1024), sign_out_others: shortText(8) }, ['sign_out_others']) } },
    async (request, reply) => {
      const caller = callerOf(request, reply);
      if (!caller) return reply;
      const flowId = textField(request.body, 'flow') ?? '';
      const values = { password: textField(request.body, 'password') ?? '', password_confirmation: textField(request.body, 'password_confirmation') ?? '' };
      // An unticked checkbox is simply absent from the form.
      const signOutOthers = textField(request.body, 'sign_out_others') !== undefined;
      const result = await passwordReset.chooseNewPassword(kind, flowId, { password: values.password, confirmation: values.password_confirmation, signOutOtherDevices: signOutOthers }, caller);
      if (result.ok) {
        if (result.renewed) setSessionCookie(reply, result.renewed.token, result.renewed.expiresAt, deps.clock.now());
        return redirect(reply, `${paths.done}?flow=${flowId}`);
      }
      if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
      const message = translate(request)(result.code, { min: security.passwordMinLength, max: security.passwordMaxLength });
      const field = (result.field ?? 'form') as keyof NewPasswordModel['errors'];
      return renderNewPassword(request, reply, { flowId, values, signOutOthers, errors: { [field]: message } }, statusFor(result.code));
    },
  );

  app.get(paths.done, async (request, reply) => {
    const caller = callerOf(request, reply, false);
    if (!caller) return reply;
    // Shown only to the browser that finished this flow: an open flow is not done, a foreign one unknown.
    const described = await passwordReset.describe(kind, flowParam(request), caller);
    if (described.ok) return redirect(reply, `${paths.code}?flow=${described.flow.id}`);
    if (described.code !== 'flow.finished') return sendProblem(request, reply, described.code);
    return sendPage(reply, <PasswordChangedPage ctx={request.ctx} t={translate(request)} kind={kind} />);
  });

  registerOtherWays(app, kind, { ...deps, callerOf });
}
