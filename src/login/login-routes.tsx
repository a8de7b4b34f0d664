// Thin HTTP layer of sign-in and sign-out: read the form, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h, type SafeHtml } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { keepSignedInChosen, keepSignedInSchema } from '../http/keep-signed-in.tsx';
import { clearSessionCookie, handOverBrowserSession, redirect, safeReturnPath, sendPage, textField, waitText } from '../http/replies.ts';
import { sentParam } from '../verification/code-notices.ts';
import { statusFor } from '../http/error-statuses.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import { loginMessages } from './login-messages.ts';
import { LoginPage, type LoginPageModel } from './login-pages.tsx';
import { MAX_RESPONSE_CHARS, parseResponseText } from '../passkeys/passkey-input.ts';
import { passkeyMessages } from '../passkeys/passkey-messages.ts';
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
    /** The registered name of the app a return_to comes back to, when it is an app's sign-in (oidc/ gives it). */
    appNameFor?: (returnTo: string | undefined) => Promise<string | undefined>;
  },
) {
  const { login, twoStep, sessions, clock, renderQrPanel } = deps;

  /** The sign-in page with a fresh passkey challenge for this browser and a new QR. */
  async function loginPage(request: FastifyRequest, reply: FastifyReply, model: Omit<LoginPageModel, 'ctx' | 't' | 'qrPanel' | 'passkeyOptionsJson'>, status?: number) {
    const t = request.ctx.translator(loginMessages, passkeyMessages);
    const [passkey, qrPanel, appName] = await Promise.all([login.passkeyOptions(request.ctx.browserId), renderQrPanel(request, reply), deps.appNameFor?.(model.returnTo)]);
    return sendPage(reply, <LoginPage ctx={request.ctx} t={t} qrPanel={qrPanel} passkeyOptionsJson={JSON.stringify(passkey.options)} appName={appName} {...model} />, status);
  }

  app.get('/login', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const t = request.ctx.translator(loginMessages);
    if (request.ctx.session) return redirect(reply, safeReturnPath(query.return_to));
    const notice = query.signed_out === '1' ? t('login.signed_out') : query.expired === '1' ? t('login.session_ended') : undefined;
    const returnTo = typeof query.return_to === 'string' ? safeReturnPath(query.return_to) : undefined;
    return loginPage(request, reply, { notice, returnTo });
  });

  app.post(
    '/login',
    { schema: { body: formBody({ identifier: shortText(1024), password: shortText(1024), return_to: shortText(512), ...keepSignedInSchema }, ['return_to', 'keep_signed_in']) } },
    async (request, reply) => {
      const t = request.ctx.translator(loginMessages);
      const identifier = textField(request.body, 'identifier') ?? '';
      const keepSignedIn = keepSignedInChosen(request.body);
      const result = await login.signIn({
        identifier,
        password: textField(request.body, 'password') ?? '',
        clientAddress: request.ctx.clientAddress,
        userAgent: request.ctx.userAgent,
        keepSignedIn,
      });
      if (!result.ok) {
        const error = t(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
        if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
        return loginPage(request, reply, { identifier: identifier.slice(0, 254), error, returnTo: textField(request.body, 'return_to'), keepSignedIn }, statusFor(result.code));
      }
      if ('needsSecondFactor' in result) {
        const caller = { browserId: request.ctx.browserId, clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent };
        const started = await twoStep.begin(result.account, result.factors, caller, safeReturnPath(textField(request.body, 'return_to')), keepSignedIn);
        const path = { passkey: '/login/verify/passkey', totp: '/login/verify/authenticator', sms: '/login/verify/sms', backup_code: '/login/verify/backup-code' }[started.way];
        return redirect(reply, `${path}?flow=${started.flowId}${started.sent?.ok ? sentParam(started.sent.earlier) : ''}`);
      }
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return redirect(reply, safeReturnPath(textField(request.body, 'return_to')));
    },
  );

  // Sign-in by passkey (the button's prompt or the identifier's autofill): no password and no
  // second step — a passkey with user verification is two factors in one. The same session, cookie
  // and rotation as a password sign-in; only authenticated_via says 'passkey'.
  app.post(
    '/login/passkey',
    { schema: { body: formBody({ response: shortText(MAX_RESPONSE_CHARS), return_to: shortText(512), ...keepSignedInSchema }, ['return_to', 'keep_signed_in']) } },
    async (request, reply) => {
      const returnTo = textField(request.body, 'return_to');
      const keepSignedIn = keepSignedInChosen(request.body);
      const result = await login.signInWithPasskey({
        browserId: request.ctx.browserId,
        response: parseResponseText(textField(request.body, 'response')),
        clientAddress: request.ctx.clientAddress,
        userAgent: request.ctx.userAgent,
        keepSignedIn,
      });
      if (!result.ok) {
        const t = request.ctx.translator(loginMessages, passkeyMessages);
        if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
        const error = t(result.code, { wait: waitText(result.retryAfterSeconds, request.ctx.locale) });
        return loginPage(request, reply, { error, returnTo, passkeyAutofill: false, keepSignedIn }, statusFor(result.code));
      }
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return redirect(reply, safeReturnPath(returnTo));
    },
  );

  app.post('/logout', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = request.ctx.session;
    if (session) await sessions.endSession(session.account_id, session.id, request.ctx);
    clearSessionCookie(reply);
    return redirect(reply, '/login?signed_out=1');
  });
}
