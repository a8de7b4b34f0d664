// The second step of sign-in, for accounts with two-step verification: a passkey (first, when the
// account has one), authenticator code, text message or backup code, with "Other ways to verify"
// between them. Thin, like every route file.
import type { SessionService } from '../sessions/session-service.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Way } from '../factors/factor-checks.ts';
import { factorMessages } from '../factors/factor-messages.ts';
import { FactorCodeCard, TextCodePage, WaysList } from '../factors/factor-pages.tsx';
import { h } from '../http/jsx.ts';
import { Alert, Page } from '../http/layout.tsx';
import { handOverBrowserSession, safeReturnPath, sendPage, textField } from '../http/replies.ts';
import { drawStep, goTo, registerCodeStep } from '../verification/code-step.ts';
import type { TypedCode } from '../verification/typed-code.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { Clock } from '../shared/clock.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { loginMessages } from './login-messages.ts';
import { registerPasskeyStep, type PasskeyWayDeps } from '../passkeys/passkey-way.tsx';
import type { TwoStepCaller, TwoStepService } from './two-step-service.ts';

const paths = {
  passkey: '/login/verify/passkey',
  totp: '/login/verify/authenticator',
  sms: '/login/verify/sms',
  smsSend: '/login/verify/sms/send',
  backup_code: '/login/verify/backup-code',
  otherWays: '/login/verify/other-ways',
} as const;

export function registerTwoStepRoutes(app: FastifyInstance, deps: { twoStep: TwoStepService; sessions: SessionService; clock: Clock; config: Config; passkeyWay: PasskeyWayDeps }) {
  const { twoStep, sessions, clock, config } = deps;
  const translate = (request: FastifyRequest) => request.ctx.translator(factorMessages, loginMessages, codeMessages, recoveryMessages);
  const callerOf = (request: FastifyRequest): TwoStepCaller => ({ browserId: request.ctx.browserId, clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent });
  /** An expired or finished second step starts over at the password, where it began. */
  const flowProblem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode) => sendProblem(request, reply, code);

  /** Signed in: the session cookie, and on to where the sign-in was going. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, result: Parameters<typeof handOverBrowserSession>[3] & { returnTo: string }) {
    await handOverBrowserSession(request, reply, sessions, result, clock.now());
    return goTo(safeReturnPath(result.returnTo));
  }

  // The password was right, so the options may name the account's passkeys; a passkey here is a
  // second factor, so user verification is preferred, not required (issue 10).
  registerPasskeyStep(app, deps.passkeyWay, {
    path: paths.passkey,
    userVerification: 'preferred',
    namesTheAccount: true,
    translate,
    who: callerOf,
    async standing(_request, caller: TwoStepCaller, flowId) {
      const described = await twoStep.describe(flowId, caller);
      if (!described.ok) return described;
      return drawStep({ accountId: described.accountId, otherWaysHref: `${paths.otherWays}?flow=${flowId}`, backHref: '/login', backLabel: translate(_request)('ways.back') });
    },
    async confirm(request, reply, caller, flowId, answer) {
      const result = await twoStep.confirmPasskey(flowId, answer, caller);
      return result.ok ? signedIn(request, reply, result) : result;
    },
  });

  /** What the three ways share: who asks, where the flow stands, and a right code signs in. */
  const secondStep = (way: Way) => ({
    translate,
    who: callerOf,
    async standing(_request: FastifyRequest, caller: TwoStepCaller, flowId: string) {
      const described = await twoStep.describe(flowId, caller);
      return described.ok ? drawStep(described) : described;
    },
    async confirm(request: FastifyRequest, reply: FastifyReply, caller: TwoStepCaller, flowId: string, code: TypedCode) {
      const result = await twoStep.confirm(way, flowId, code, caller);
      return result.ok ? signedIn(request, reply, result) : result;
    },
    // An authenticator or backup code cannot be sent again: the way out is another way.
    wordsFor: (failure: Failure) => (failure.code === 'code.used_up' && way !== 'sms' ? 'factor.used_up' : undefined),
  });

  for (const way of ['totp', 'backup_code'] as const) {
    registerCodeStep(app, {
      ...secondStep(way),
      path: paths[way],
      draw(request, described, { t, flowId, error }) {
        const q = `?flow=${flowId}`;
        const links = [
          way === 'totp' ? { href: `${paths.backup_code}${q}`, label: t('ways.backup_use') } : described.summary.totp ? { href: `${paths.totp}${q}`, label: t('ways.totp_use') } : null,
          { href: `${paths.otherWays}${q}`, label: t('ways.title') },
          { href: '/login', label: t('ways.back') },
        ].filter((link): link is { href: string; label: string } => link !== null);
        const card = <FactorCodeCard ctx={request.ctx} t={t} flowId={flowId} way={way} action={paths[way]} error={error} secondStep links={links} />;
        return <Page ctx={request.ctx} t={t} title={t(way === 'totp' ? 'totp_page.title' : 'backup_page.title')} path={`${paths[way]}${q}`}>{card}</Page>;
      },
    });
  }

  registerCodeStep(app, {
    ...secondStep('sms'),
    path: paths.sms,
    sendPath: paths.smsSend,
    draw: (_request, described, base) => (
      <TextCodePage
        {...base}
        phone={described.summary.phone}
        security={config.security}
        secondsUntilResend={described.secondsUntilText}
        otherWaysHref={`${paths.otherWays}?flow=${base.flowId}`}
        startOverHref="/login"
        startOverLabel={base.t('ways.back')}
      />
    ),
    send: (_request, caller, flowId) => twoStep.sendText(flowId, caller),
  });

  // ---- other ways ------------------------------------------------------------------------------------

  app.get(paths.otherWays, async (request, reply) => {
    const flowId = textField(request.query, 'flow') ?? '';
    const described = await twoStep.describe(flowId, callerOf(request));
    if (!described.ok) return flowProblem(request, reply, described.code);
    const t = translate(request);
    const { summary } = described;
    const ways = twoStep.waysFor(summary, { passkey: true });
    const q = `?flow=${flowId}`;
    // The password was right, so the shopper may see which ways the account has (masked).
    const page = (
      <Page ctx={request.ctx} t={t} title={t('ways.title')} path={`${paths.otherWays}?flow=${flowId}`}>
        <section class="card" aria-labelledby="other-ways-title">
          <h1 id="other-ways-title">{t('ways.title')}</h1>
          <p class="lead">{t('ways.intro')}</p>
          {summary.backupCodesLeft === 0 && !summary.phone ? <Alert kind="info">{t('other_ways.support')}</Alert> : null}
          <WaysList
            ctx={request.ctx}
            t={t}
            flowId={flowId}
            passkeyHref={ways.includes('passkey') ? `${paths.passkey}${q}` : undefined}
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
