// The second step of sign-in, for accounts with two-step verification: authenticator code, text
// message or backup code, with "Other ways to verify" between them. Thin, like every route file.
import type { SessionService } from '../sessions/session-service.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Way } from '../factors/factor-checks.ts';
import { factorMessages } from '../factors/factor-messages.ts';
import { FactorCodeCard, TextCodeForm, WaysList } from '../factors/factor-pages.tsx';
import { h } from '../http/jsx.ts';
import { Alert, Page } from '../http/layout.tsx';
import { formBody, shortText } from '../http/form-schema.ts';
import { handOverBrowserSession, redirect, safeReturnPath, sendPage, textField, waitText } from '../http/replies.ts';
import { sentNoticeId, sentParam } from '../verification/code-notices.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { loginMessages } from './login-messages.ts';
import type { TwoStepCaller, TwoStepService } from './two-step-service.ts';

const paths = {
  totp: '/login/verify/authenticator',
  sms: '/login/verify/sms',
  smsSend: '/login/verify/sms/send',
  backup_code: '/login/verify/backup-code',
  otherWays: '/login/verify/other-ways',
} as const;

export function registerTwoStepRoutes(app: FastifyInstance, deps: { twoStep: TwoStepService; sessions: SessionService; clock: Clock; config: Config }) {
  const { twoStep, sessions, clock, config } = deps;
  const storeName = config.storeName;
  const translate = (request: FastifyRequest) => request.ctx.translator(factorMessages, loginMessages, codeMessages, recoveryMessages);
  const callerOf = (request: FastifyRequest): TwoStepCaller => ({ browserId: request.ctx.browserId, clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent });
  const messageOf = (request: FastifyRequest, reply: FastifyReply, failure: Failure) => {
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return translate(request)(failure.code, { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) });
  };
  /** An expired or finished second step starts over at the password, where it began. */
  const flowProblem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode) => sendProblem(request, reply, code, storeName);

  async function confirm(request: FastifyRequest, reply: FastifyReply, way: Way, render: (error: string, status: number) => Promise<unknown>) {
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await twoStep.confirm(way, flowId, textField(request.body, 'code') ?? '', callerOf(request));
    if (result.ok) {
      await handOverBrowserSession(request, reply, sessions, result, clock.now());
      return redirect(reply, safeReturnPath(result.returnTo));
    }
    if (result.code.startsWith('flow.')) return flowProblem(request, reply, result.code);
    // An authenticator or backup code cannot be sent again: the way out is another way.
    const error = result.code === 'code.used_up' && way !== 'sms' ? translate(request)('factor.used_up') : messageOf(request, reply, result);
    return render(error, statusFor(result.code));
  }

  // ---- authenticator app and backup code ----------------------------------------------------------

  for (const way of ['totp', 'backup_code'] as const) {
    const render = async (request: FastifyRequest, reply: FastifyReply, flowId: string, error?: string, status = 200) => {
      const described = await twoStep.describe(flowId, callerOf(request));
      if (!described.ok) return flowProblem(request, reply, described.code);
      const t = translate(request);
      const q = `?flow=${flowId}`;
      const links = [
        way === 'totp' ? { href: `${paths.backup_code}${q}`, label: t('ways.backup_use') } : described.summary.totp ? { href: `${paths.totp}${q}`, label: t('ways.totp_use') } : null,
        { href: `${paths.otherWays}${q}`, label: t('ways.title') },
        { href: '/login', label: t('ways.back') },
      ].filter((link): link is { href: string; label: string } => link !== null);
      const card = <FactorCodeCard ctx={request.ctx} t={t} storeName={storeName} flowId={flowId} way={way} action={paths[way]} error={error} secondStep links={links} />;
      return sendPage(reply, <Page ctx={request.ctx} t={t} title={t(way === 'totp' ? 'totp_page.title' : 'backup_page.title')} storeName={storeName} path={`${paths[way]}?flow=${flowId}`}>{card}</Page>, status);
    };
    app.get(paths[way], async (request, reply) => render(request, reply, textField(request.query, 'flow') ?? ''));
    app.post(paths[way], { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) =>
      confirm(request, reply, way, (error, status) => render(request, reply, textField(request.body, 'flow') ?? '', error, status)),
    );
  }

  // ---- text message ----------------------------------------------------------------------------------

  async function renderText(request: FastifyRequest, reply: FastifyReply, flowId: string, extra: { error?: string; resendError?: string; notice?: string; status?: number } = {}) {
    const described = await twoStep.describe(flowId, callerOf(request));
    if (!described.ok) return flowProblem(request, reply, described.code);
    const t = translate(request);
    const form = (
      <TextCodeForm
        ctx={request.ctx}
        t={t}
        flowId={flowId}
        phone={described.summary.phone}
        security={config.security}
        confirmAction={paths.sms}
        resendAction={paths.smsSend}
        secondsUntilResend={described.secondsUntilText}
        otherWaysHref={`${paths.otherWays}?flow=${flowId}`}
        startOverHref="/login"
        startOverLabel={t('ways.back')}
        {...extra}
      />
    );
    return sendPage(reply, <Page ctx={request.ctx} t={t} title={t('code_page.title')} storeName={storeName} path={`${paths.sms}?flow=${flowId}`}>{form}</Page>, extra.status ?? 200);
  }

  app.get(paths.sms, async (request, reply) => {
    const notice = sentNoticeId(request.query) ? translate(request)(sentNoticeId(request.query)!) : undefined;
    return renderText(request, reply, textField(request.query, 'flow') ?? '', { notice });
  });

  app.post(paths.smsSend, { schema: { body: formBody({ flow: shortText(64), first: shortText(1) }, ['first']) } }, async (request, reply) => {
    const flowId = textField(request.body, 'flow') ?? '';
    const result = await twoStep.sendText(flowId, callerOf(request));
    // "We sent a new code" only when it replaces one; the first text is announced by the page itself.
    if (result.ok) return redirect(reply, `${paths.sms}?flow=${flowId}${result.earlier ? sentParam(result.earlier) : textField(request.body, 'first') ? '' : '&sent=1'}`);
    if (result.code.startsWith('flow.')) return flowProblem(request, reply, result.code);
    return renderText(request, reply, flowId, { resendError: messageOf(request, reply, result), status: statusFor(result.code) });
  });

  app.post(paths.sms, { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) =>
    confirm(request, reply, 'sms', (error, status) => renderText(request, reply, textField(request.body, 'flow') ?? '', { error, status })),
  );

  // ---- other ways ------------------------------------------------------------------------------------

  app.get(paths.otherWays, async (request, reply) => {
    const flowId = textField(request.query, 'flow') ?? '';
    const described = await twoStep.describe(flowId, callerOf(request));
    if (!described.ok) return flowProblem(request, reply, described.code);
    const t = translate(request);
    const { summary } = described;
    const ways = twoStep.waysFor(summary);
    const q = `?flow=${flowId}`;
    // The password was right, so the shopper may see which ways the account has (masked).
    const page = (
      <Page ctx={request.ctx} t={t} title={t('ways.title')} storeName={storeName} path={`${paths.otherWays}?flow=${flowId}`}>
        <section class="card" aria-labelledby="other-ways-title">
          <h1 id="other-ways-title">{t('ways.title')}</h1>
          <p class="lead">{t('ways.intro')}</p>
          {summary.backupCodesLeft === 0 && !summary.phone ? <Alert kind="info">{t('other_ways.support')}</Alert> : null}
          <WaysList
            ctx={request.ctx}
            t={t}
            flowId={flowId}
            smsSendAction={ways.includes('sms') ? paths.smsSend : undefined}
            authenticatorHref={ways.includes('totp') ? `${paths.totp}${q}` : undefined}
            backupCodeHref={ways.includes('backup_code') ? `${paths.backup_code}${q}` : undefined}
            phone={summary.phone}
            backupCodesLeft={summary.backupCodesLeft}
            secondsUntilText={described.secondsUntilText}
            secondsUntilEmail={0}
          />
          <p class="secondary-links"><a href="/login">{t('ways.back')}</a></p>
        </section>
      </Page>
    );
    return sendPage(reply, page);
  });
}
