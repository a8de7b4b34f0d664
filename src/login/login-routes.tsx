// Thin HTTP layer of sign-in and sign-out: read the form, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h, type SafeHtml } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { clearSessionCookie, handOverBrowserSession, redirect, safeReturnPath, sendPage, textField, waitText } from '../http/replies.ts';
import { sentParam } from '../verification/code-notices.ts';
import { statusFor } from '../http/error-statuses.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import { loginMessages } from './login-messages.ts';
import { LoginPage } from './login-pages.tsx';
import type { LoginService } from './login-service.ts';
import type { TwoStepService } from './two-step-service.ts';

export function registerLoginRoutes(
  app: FastifyInstance,
  deps: {
    login: LoginService;
    twoStep: TwoStepService;
    sessions: SessionService;
    clock: Clock;
    /** Draws the "Sign in with the app" panel with a new QR for this browser (qr-login/ gives it). */
    renderQrPanel: (request: FastifyRequest, reply: FastifyReply) => Promise<SafeHtml>;
  },
) {
  const { login, twoStep, sessions, clock, renderQrPanel } = deps;

  app.get('/login', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const t = request.ctx.translator(loginMessages);
    if (request.ctx.session) return redirect(reply, safeReturnPath(query.return_to));
    const notice = query.signed_out === '1' ? t('login.signed_out') : query.expired === '1' ? t('login.session_ended') : undefined;
    const returnTo = typeof query.return_to === 'string' ? safeReturnPath(query.return_to) : undefined;
    const qrPanel = await renderQrPanel(request, reply);
    return sendPage(reply, <LoginPage ctx={request.ctx} t={t} notice={notice} returnTo={returnTo} qrPanel={qrPanel} />);
  });

  app.post(
    '/login',
    { schema: { body: formBody({ identifier: shortText(1024), password: shortText(1024), return_to: shortText(512) }, ['return_to']) } },
    async (request, reply) => {
      const t = request.ctx.translator(loginMessages);
      const identifier = textField(request.body, 'identifier') ?? '';
      const result = await login.signIn({
        identifier,
        password: textField(request.body, 'password') ?? '',
        clientAddress: request.ctx.clientAddress,
        userAgent: request.ctx.userAgent,
      });
      if (!result.ok) {
        const error = t(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
        if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
        const qrPanel = await renderQrPanel(request, reply);
        const page = <LoginPage ctx={request.ctx} t={t} identifier={identifier.slice(0, 254)} error={error} returnTo={textField(request.body, 'return_to')} qrPanel={qrPanel} />;
        return sendPage(reply, page, statusFor(result.code));
      }
      if ('needsSecondFactor' in result) {
        const caller = { browserId: request.ctx.browserId, clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent };
        const started = await twoStep.begin(result.account, result.factors, caller, safeReturnPath(textField(request.body, 'return_to')));
        const path = { passkey: '/login/verify/passkey', totp: '/login/verify/authenticator', sms: '/login/verify/sms', backup_code: '/login/verify/backup-code' }[started.way];
        return redirect(reply, `${path}?flow=${started.flowId}${started.sent?.ok ? sentParam(started.sent.earlier) : ''}`);
      }
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return redirect(reply, safeReturnPath(textField(request.body, 'return_to')));
    },
  );

  app.post('/logout', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = request.ctx.session;
    if (session) await sessions.endSession(session.account_id, session.id);
    clearSessionCookie(reply);
    return redirect(reply, '/login?signed_out=1');
  });
}
