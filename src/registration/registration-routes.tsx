// Thin HTTP layer of sign-up: /register → /register/code → My account.
import type { SessionService } from '../sessions/session-service.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SecurityConfig } from '../config/config.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { keepSignedInChosen, keepSignedInSchema } from '../http/keep-signed-in.tsx';
import { handOverBrowserSession, redirect, sendPage, textField, waitText } from '../http/replies.ts';
import { sentParam } from '../verification/code-notices.ts';
import { drawStep, goTo, registerCodeStep } from '../verification/code-step.ts';
import { statusFor } from '../http/error-statuses.ts';
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

  app.get('/register', async (request, reply) => {
    if (request.ctx.session) return redirect(reply, '/account');
    return sendPage(reply, <RegistrationPage ctx={request.ctx} t={translate(request)} values={{}} errors={{}} />);
  });

  app.post(
    '/register',
    { schema: { body: formBody({ email: shortText(1024), login_name: shortText(1024), password: shortText(1024), password_confirmation: shortText(1024), ...keepSignedInSchema }, ['login_name', 'keep_signed_in']) } },
    async (request, reply) => {
      const t = translate(request);
      const values = {
        email: textField(request.body, 'email') ?? '',
        login_name: textField(request.body, 'login_name') ?? '',
        password: textField(request.body, 'password') ?? '',
        password_confirmation: textField(request.body, 'password_confirmation') ?? '',
        keep_signed_in: keepSignedInChosen(request.body),
      };
      const result = await registration.start({
        email: values.email,
        loginName: values.login_name,
        password: values.password,
        passwordConfirmation: values.password_confirmation,
        locale: request.ctx.locale,
        browserId: request.ctx.browserId,
        clientAddress: request.ctx.clientAddress,
        keepSignedIn: values.keep_signed_in,
      });
      if (result.ok) return redirect(reply, `/register/code?flow=${result.flowId}${sentParam(result.earlier)}`);
      const message = t(result.code, { min: security.passwordMinLength, max: security.passwordMaxLength, wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
      const field = (result.field ?? 'form') as keyof RegistrationFormModel['errors'];
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const page = <RegistrationPage ctx={request.ctx} t={t} values={values} errors={{ [field]: message }} />;
      return sendPage(reply, page, statusFor(result.code));
    },
  );

  // The code step: /register/code (GET shows, POST confirms) and /register/resend.
  registerCodeStep(app, {
    path: '/register/code',
    sendPath: '/register/resend',
    translate,
    // The chosen login name went to someone else meanwhile: this sign-up cannot finish as asked.
    pageProblems: ['registration.login_name_taken_meanwhile'],
    problemCatalogs: [registrationMessages],
    who: (request) => request.ctx.browserId,
    async standing(request, browserId, flowId) {
      const described = await registration.describe(flowId, browserId);
      return described.ok ? drawStep(described) : described;
    },
    draw: (_request, described, base) => (
      <RegistrationCodePage
        {...base}
        destination={described.flow.typed_identifier}
        secondsUntilResend={described.secondsUntilResend}
        cooldownSeconds={security.resendCooldownSeconds}
        lifetimeMinutes={Math.round(security.codeLifetimeSeconds / 60)}
        startOverHref="/register"
      />
    ),
    async confirm(request, reply, browserId, flowId, code) {
      const result = await registration.confirm(flowId, browserId, code, request.ctx);
      if (!result.ok) return result;
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return goTo('/account?welcome=1');
    },
    send: (request, browserId, flowId) => registration.resend(flowId, browserId, request.ctx.clientAddress),
  });
}
