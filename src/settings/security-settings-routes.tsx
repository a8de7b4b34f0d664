// Thin HTTP layer of My account → Security's second factors. Every change first needs a fresh
// verification; without one the shopper is sent to "Confirm it's you" and brought back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { accountMessages } from '../account/account-messages.ts';
import { factorMessages } from '../factors/factor-messages.ts';
import { otpauthUri } from '../factors/totp.ts';
import { keepTogether, TextCodePage } from '../factors/factor-pages.tsx';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, safeReturnPath, sendPage, setSessionCookie, textField, waitText } from '../http/replies.ts';
import { sentParam } from '../verification/code-notices.ts';
import { drawStep, goTo, registerCodeStep } from '../verification/code-step.ts';
import { requireSession } from '../http/require-session.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import type { Config } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import { loginMessages } from '../login/login-messages.ts';
import type { SecuritySettingsService, Shopper } from './security-settings-service.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';
import { AuthenticatorSetupPage, BackupCodesPage, PhoneSetupPage, ReverifyPage } from './security-settings-pages.tsx';

export function registerSecuritySettingsRoutes(app: FastifyInstance, deps: { settings: SecuritySettingsService; config: Config; clock: Clock }) {
  const { settings, config } = deps;
  const translate = (request: FastifyRequest) => request.ctx.translator(securitySettingsMessages, factorMessages, accountMessages, codeMessages, recoveryMessages, loginMessages);

  function shopperOf(request: FastifyRequest, reply: FastifyReply): Shopper | null {
    const session = requireSession(request, reply);
    if (!session) return null;
    return {
      accountId: session.account_id,
      sessionId: session.id,
      locale: session.locale,
      browserId: request.ctx.browserId,
      clientAddress: request.ctx.clientAddress,
      session,
    };
  }

  const toReverify = (reply: FastifyReply, back: string) => redirect(reply, `/account/confirm?return_to=${encodeURIComponent(back)}`);
  const message = (request: FastifyRequest, reply: FastifyReply, failure: Failure) => {
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return translate(request)(failure.code, { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) });
  };
  /** A refused change: re-verify, a page-level problem, or back to Security with nothing changed. */
  function refused(request: FastifyRequest, reply: FastifyReply, failure: Failure, back: string) {
    if (failure.code === 'reverify.required') return toReverify(reply, back);
    return sendProblem(request, reply, failure.code, { catalogs: [securitySettingsMessages] });
  }

  // ---- Confirm it's you ------------------------------------------------------------------------

  app.get('/account/confirm', async (request, reply) => {
    if (!shopperOf(request, reply)) return reply;
    const returnTo = safeReturnPath((request.query as Record<string, unknown>).return_to);
    return sendPage(reply, <ReverifyPage ctx={request.ctx} t={translate(request)} returnTo={returnTo} />);
  });

  app.post('/account/confirm', { schema: { body: formBody({ password: shortText(1024), return_to: shortText(512) }, ['return_to']) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const returnTo = safeReturnPath(textField(request.body, 'return_to'));
    const result = await settings.reverify(shopper, textField(request.body, 'password') ?? '');
    if (result.ok) {
      // A new token with the new privilege (DESIGN.md §2): a copy of the old cookie is now worthless.
      setSessionCookie(reply, result.token, result.expiresAt, deps.clock.now());
      return redirect(reply, returnTo);
    }
    const page = <ReverifyPage ctx={request.ctx} t={translate(request)} returnTo={returnTo} error={message(request, reply, result)} />;
    return sendPage(reply, page, statusFor(result.code));
  });

  // ---- phone number -----------------------------------------------------------------------------

  app.get('/account/security/phone', async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    if (!settings.isFresh(shopper)) return toReverify(reply, '/account/security/phone');
    return sendPage(reply, <PhoneSetupPage ctx={request.ctx} t={translate(request)} />);
  });

  app.post('/account/security/phone', { schema: { body: formBody({ phone: shortText(64) }) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const typed = textField(request.body, 'phone') ?? '';
    const result = await settings.startPhoneSetup(shopper, typed);
    if (result.ok) return redirect(reply, `/account/security/phone/code?flow=${result.flowId}${sentParam(result.earlier)}`);
    if (result.code === 'reverify.required' || result.code.startsWith('flow.')) return refused(request, reply, result, '/account/security/phone');
    const page = <PhoneSetupPage ctx={request.ctx} t={translate(request)} phone={typed.slice(0, 32)} error={message(request, reply, result)} />;
    return sendPage(reply, page, statusFor(result.code));
  });

  // The number's code: /account/security/phone/code (GET shows, POST confirms) and …/resend.
  registerCodeStep(app, {
    path: '/account/security/phone/code',
    sendPath: '/account/security/phone/resend',
    translate,
    problemCatalogs: [securitySettingsMessages],
    reverifyReturnTo: '/account/security',
    who: shopperOf,
    async standing(_request, shopper, flowId) {
      const described = await settings.describePhoneSetup(flowId, shopper);
      return described.ok ? drawStep(described) : described;
    },
    draw(request, described, flowId, shown) {
      const t = translate(request);
      return (
        <TextCodePage
          ctx={request.ctx}
          t={t}
          flowId={flowId}
          phone={described.masked}
          security={config.security}
          sentText={t('phone_setup.sent_to', { phone: keepTogether(described.masked) })}
          numberHelp={t('phone_setup.help_typed', { phone: described.masked })}
          confirmAction="/account/security/phone/code"
          resendAction="/account/security/phone/resend"
          secondsUntilResend={described.secondsUntilResend}
          startOverHref="/account/security/phone"
          startOverLabel={t('two_step.phone_change')}
          {...shown}
        />
      );
    },
    async confirm(_request, _reply, shopper, flowId, code) {
      const result = await settings.confirmPhone(flowId, code, shopper);
      return result.ok ? goTo('/account/security?saved=phone') : result;
    },
    send: (_request, shopper, flowId) => settings.resendPhoneCode(flowId, shopper),
  });

  app.post('/account/security/phone/remove', { schema: { body: formBody({}) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const result = await settings.removePhone(shopper);
    return result.ok ? redirect(reply, '/account/security?saved=removed') : refused(request, reply, result, '/account/security');
  });

  // ---- authenticator app ------------------------------------------------------------------------

  app.post('/account/security/authenticator/start', { schema: { body: formBody({}) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const result = await settings.startAuthenticatorSetup(shopper);
    return result.ok ? redirect(reply, `/account/security/authenticator?flow=${result.flowId}`) : refused(request, reply, result, '/account/security');
  });

  async function renderAuthenticatorSetup(request: FastifyRequest, reply: FastifyReply, shopper: Shopper, flowId: string, error?: string, status = 200) {
    const described = await settings.describeAuthenticatorSetup(flowId, shopper);
    if (!described.ok) return refused(request, reply, described, '/account/security');
    const session = request.ctx.session!;
    const uri = otpauthUri({ secret: described.secret, issuer: request.ctx.storeName.replace(/:/g, ' '), accountName: session.email });
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    // The page carries the secret: no cache may keep it.
    reply.header('cache-control', 'no-store');
    const page = <AuthenticatorSetupPage ctx={request.ctx} t={translate(request)} flowId={flowId} secret={described.secret} qrSvg={qrSvg} error={error} />;
    return sendPage(reply, page, status);
  }

  app.get('/account/security/authenticator', async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    return renderAuthenticatorSetup(request, reply, shopper, textField(request.query, 'flow') ?? '');
  });

  app.post('/account/security/authenticator', { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await settings.confirmAuthenticator(flowId, textField(request.body, 'code') ?? '', shopper);
    if (!result.ok) {
      if (result.code.startsWith('flow.') || result.code === 'reverify.required') return refused(request, reply, result, '/account/security');
      const error = translate(request)(result.code === 'code.invalid' ? 'totp_setup.invalid' : result.code);
      return renderAuthenticatorSetup(request, reply, shopper, flowId, error, statusFor(result.code));
    }
    if (!result.backupCodes) return redirect(reply, '/account/security?saved=totp');
    return showBackupCodes(request, reply, result.backupCodes, false, translate(request)('two_step.saved_totp'));
  });

  app.post('/account/security/authenticator/remove', { schema: { body: formBody({}) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const result = await settings.removeAuthenticator(shopper);
    return result.ok ? redirect(reply, '/account/security?saved=removed') : refused(request, reply, result, '/account/security');
  });

  // ---- backup codes and the switch ----------------------------------------------------------------

  function showBackupCodes(request: FastifyRequest, reply: FastifyReply, codes: string[], replaced: boolean, notice?: string) {
    reply.header('cache-control', 'no-store');
    const session = request.ctx.session!;
    const page = <BackupCodesPage ctx={request.ctx} t={translate(request)} codes={codes} account={session.email} createdAt={deps.clock.now()} replaced={replaced} notice={notice} />;
    return sendPage(reply, page);
  }

  app.post('/account/security/backup-codes', { schema: { body: formBody({}) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const result = await settings.regenerateBackupCodes(shopper);
    return result.ok ? showBackupCodes(request, reply, result.codes, result.replaced) : refused(request, reply, result, '/account/security');
  });

  app.post('/account/security/two-step', { schema: { body: formBody({ on: shortText(2) }) } }, async (request, reply) => {
    const shopper = shopperOf(request, reply);
    if (!shopper) return reply;
    const on = textField(request.body, 'on') === '1';
    const result = await settings.setTwoStep(shopper, on);
    return result.ok ? redirect(reply, `/account/security?saved=${on ? 'on' : 'off'}`) : refused(request, reply, result, '/account/security');
  });
}
