// Thin HTTP layer of sign-up: /register → /register/code → My account.
import type { SessionService } from '../sessions/session-service.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecurityConfig } from '../config/config.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { handOverBrowserSession, redirect, sendPage, textField, waitText } from '../http/replies.ts';
import { sentNoticeId, sentParam } from '../verification/code-notices.ts';
import { statusFor } from '../http/error-statuses.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { Clock } from '../shared/clock.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { registrationMessages } from './registration-messages.ts';
import { RegistrationCodePage, RegistrationPage, type RegistrationFormModel } from './registration-pages.tsx';
import type { RegistrationService } from './registration-service.ts';

export function registerRegistrationRoutes(
  app: FastifyInstance,
  deps: { registration: RegistrationService; sessions: SessionService; clock: Clock; security: SecurityConfig },
) {
  const { registration, sessions, clock, security } = deps;
  const translate = (request: FastifyRequest) => request.ctx.translator(registrationMessages, codeMessages);

  async function renderCodePage(request: FastifyRequest, reply: FastifyReply, flowId: string, extra: { error?: string; resendError?: string; notice?: string; status?: number } = {}) {
    const described = await registration.describe(flowId, request.ctx.browserId);
    if (!described.ok) return sendProblem(request, reply, described.code);
    const t = translate(request);
    const page = (
      <RegistrationCodePage
        ctx={request.ctx}
        t={t}
       
        flowId={described.flow.id}
        destination={described.flow.typed_identifier}
        confirmAction="/register/code"
        resendAction="/register/resend"
        secondsUntilResend={described.secondsUntilResend}
        cooldownSeconds={security.resendCooldownSeconds}
        lifetimeMinutes={Math.round(security.codeLifetimeSeconds / 60)}
        startOverHref="/register"
        error={extra.error}
        resendError={extra.resendError}
        notice={extra.notice}
      />
    );
    return sendPage(reply, page, extra.status ?? 200);
  }

  app.get('/register', async (request, reply) => {
    if (request.ctx.session) return redirect(reply, '/account');
    return sendPage(reply, <RegistrationPage ctx={request.ctx} t={translate(request)} values={{}} errors={{}} />);
  });

  app.post(
    '/register',
    { schema: { body: formBody({ email: shortText(1024), login_name: shortText(1024), password: shortText(1024), password_confirmation: shortText(1024) }, ['login_name']) } },
    async (request, reply) => {
      const t = translate(request);
      const values = {
        email: textField(request.body, 'email') ?? '',
        login_name: textField(request.body, 'login_name') ?? '',
        password: textField(request.body, 'password') ?? '',
        password_confirmation: textField(request.body, 'password_confirmation') ?? '',
      };
      const result = await registration.start({
        email: values.email,
        loginName: values.login_name,
        password: values.password,
        passwordConfirmation: values.password_confirmation,
        locale: request.ctx.locale,
        browserId: request.ctx.browserId,
        clientAddress: request.ctx.clientAddress,
      });
      if (result.ok) return redirect(reply, `/register/code?flow=${result.flowId}${sentParam(result.earlier)}`);
      const message = t(result.code, { min: security.passwordMinLength, max: security.passwordMaxLength, wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
      const field = (result.field ?? 'form') as keyof RegistrationFormModel['errors'];
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const page = <RegistrationPage ctx={request.ctx} t={t} values={values} errors={{ [field]: message }} />;
      return sendPage(reply, page, statusFor(result.code));
    },
  );

  app.get('/register/code', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const flowId = typeof query.flow === 'string' ? query.flow : '';
    const notice = sentNoticeId(query) ? translate(request)(sentNoticeId(query)!) : undefined;
    return renderCodePage(request, reply, flowId, { notice });
  });

  app.post('/register/code', { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await registration.confirm(flowId, request.ctx.browserId, textField(request.body, 'code') ?? '', request.ctx);
    if (result.ok) {
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return redirect(reply, '/account?welcome=1');
    }
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
    // The chosen login name went to someone else meanwhile: this sign-up cannot finish as asked.
    if (result.code === 'registration.login_name_taken_meanwhile') return sendProblem(request, reply, result.code, { catalogs: [registrationMessages] });
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const error = translate(request)(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return renderCodePage(request, reply, flowId, { error, status: statusFor(result.code) });
  });

  app.post('/register/resend', { schema: { body: formBody({ flow: shortText(64) }) } }, async (request, reply) => {
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await registration.resend(flowId, request.ctx.browserId, request.ctx.clientAddress);
    if (result.ok) return redirect(reply, `/register/code?flow=${flowId}&sent=1`);
    if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const resendError = translate(request)(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
    return renderCodePage(request, reply, flowId, { resendError, status: statusFor(result.code) });
  });
}
