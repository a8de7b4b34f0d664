// The proofs of recovery and Change password, as verification steps (verification/code-step.ts):
//
//   <code>           the email code (sent at the start; *Get code* sends again)
//   <sms>            a text message to the account's phone, one of the Other ways
//   <authenticator>  the authenticator app's code        } asked for as well when the account has
//   <backup-code>    one of the account's backup codes   } one of them (DESIGN.md §2), before or after
//   <passkey>        a passkey (passkeys/passkey-way.tsx)  } — any one of the three will do
//
// Each step only says where its proof goes (password-reset-service, other-ways-service) and which
// page is next; the paths are the variant's (reset-variants.ts), where they are written out.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { factorMessages } from '../factors/factor-messages.ts';
import { h } from '../http/jsx.ts';
import { textField } from '../http/replies.ts';
import type { Failure } from '../shared/failure.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { drawStep, goTo, registerCodeStep, type Standing, type StepPageBase } from '../verification/code-step.ts';
import { TextCodePage } from '../factors/factor-pages.tsx';
import { FactorPage } from './other-ways-pages.tsx';
import type { NextStep, ResetPage } from './password-reset-flow.ts';
import type { Caller } from './password-reset-service.ts';
import { resetCallerOf, type ResetDeps } from './reset-caller.ts';
import { recoveryMessages } from './recovery-messages.ts';
import { ResetCodePage } from './recovery-pages.tsx';
import { pathTo, type ResetVariant } from './reset-variants.ts';
import { registerPasskeyStep } from '../passkeys/passkey-way.tsx';

export function registerResetSteps(app: FastifyInstance, variant: ResetVariant, deps: ResetDeps) {
  const { passwordReset, otherWays, security, passkeyWay } = deps;
  const { kind, paths } = variant;
  const translate = (request: FastifyRequest) => request.ctx.translator(recoveryMessages, codeMessages, factorMessages);
  const then = (request: FastifyRequest) => (request.query as Record<string, unknown>).then === '1';
  const shared = { translate, who: resetCallerOf(variant, passwordReset) };
  /** The links out of a code page: the other ways, and back to where the flow started. */
  const waysOut = ({ t, flowId }: StepPageBase) => ({ otherWaysHref: `${paths.otherWays}?flow=${flowId}`, startOverHref: paths.start, startOverLabel: t(variant.words.startOver) });
  /** After a proof: the new password, or the page of the proof still missing, saying this one was accepted. */
  const onTo = (flowId: string) => (moved: { ok: true; next: NextStep } | Failure) => (moved.ok ? goTo(pathTo(variant, moved.next, flowId, { then: true })) : moved);
  /** Where a flow stands for a step: its failure, the step drawn while `here` holds, else the page it stands on. */
  function standAt<T extends { ok: true; page: ResetPage } | Failure>(flowId: string, described: T, here: (page: ResetPage) => boolean): Standing<Extract<T, { ok: true }>> {
    if (!described.ok) return described as Failure;
    const view = described as Extract<T, { ok: true }>;
    return here(view.page) ? drawStep(view) : goTo(pathTo(variant, view.page, flowId));
  }

  registerCodeStep(app, {
    ...shared,
    path: paths.code,
    sendPath: paths.resend,
    standing: async (_request, caller: Caller, flowId) => standAt(flowId, await passwordReset.describe(kind, flowId, caller), (page) => page === 'code'),
    draw: (_request, described, base) => (
      <ResetCodePage
        {...base}
        {...waysOut(base)}
        variant={variant}
        destination={described.destination}
        sentText={base.t(variant.words.sentTo, { destination: described.destination })}
        secondsUntilResend={described.secondsUntilResend}
        cooldownSeconds={security.resendCooldownSeconds}
        lifetimeMinutes={Math.round(security.codeLifetimeSeconds / 60)}
      />
    ),
    noticeFor: (request) => (then(request) ? translate(request)('factor_page.factor_done') : undefined),
    confirm: async (_request, _reply, caller, flowId, code) => onTo(flowId)(await passwordReset.confirmCode(kind, flowId, code, caller)),
    send: (_request, caller, flowId) => passwordReset.resend(kind, flowId, caller),
  });

  registerCodeStep(app, {
    ...shared,
    path: paths.sms,
    sendPath: paths.smsSend,
    standing: async (_request, caller: Caller, flowId) => standAt(flowId, await otherWays.describe(kind, flowId, caller), (page) => page !== 'password'),
    draw: (_request, described, base) => (
      <TextCodePage {...base} {...waysOut(base)} phone={described.summary?.phone ?? null} security={security} secondsUntilResend={described.secondsUntilText} />
    ),
    confirm: async (_request, _reply, caller, flowId, code) => onTo(flowId)(await otherWays.confirmText(kind, flowId, code, caller)),
    send: (_request, caller, flowId) => otherWays.sendText(kind, flowId, caller),
  });

  for (const way of ['totp', 'backup_code'] as const) {
    const confirmWay = way === 'totp' ? otherWays.confirmAuthenticator : otherWays.confirmBackupCode;
    registerCodeStep(app, {
      ...shared,
      path: way === 'totp' ? paths.authenticator : paths.backupCode,
      async standing(_request, caller: Caller, flowId) {
        const described = await otherWays.describe(kind, flowId, caller);
        if (!described.ok) return described;
        if (described.page === 'password') return goTo(pathTo(variant, 'password', flowId));
        // Already proved with one of these: what is missing is an email or text code.
        if (described.proved.factor) return goTo(pathTo(variant, 'code', flowId));
        return drawStep(described);
      },
      draw(request, described, { ctx, t, flowId, error }) {
        const notice = then(request) && !error ? t('factor_page.channel_done') : undefined;
        return <FactorPage ctx={ctx} t={t} variant={variant} flowId={flowId} way={way} error={error} secondStep={!!described.proved.channel} notice={notice} />;
      },
      // Nothing new can be sent for these ways: the way out is another way, not "get a new code".
      wordsFor: (failure) => (failure.code === 'code.used_up' ? 'factor.used_up' : undefined),
      confirm: async (_request, _reply, caller, flowId, code) => onTo(flowId)(await confirmWay(kind, flowId, code, caller)),
    });
  }

  // Recovery asks for the passkey after the identifier like every other way: discoverable-credential
  // options naming no account, so the page and the work are the same whether or not it has one.
  // Change password is the shopper's own account: its options may name its passkeys.
  registerPasskeyStep(app, passkeyWay, {
    ...shared,
    path: paths.passkey,
    userVerification: 'preferred',
    namesTheAccount: variant.needsSession,
    async standing(request, caller: Caller, flowId) {
      const described = await otherWays.describe(kind, flowId, caller);
      if (!described.ok) return described;
      if (described.page === 'password') return goTo(pathTo(variant, 'password', flowId));
      // Already proved with a factor: what is missing is an email or text code.
      if (described.proved.factor) return goTo(pathTo(variant, 'code', flowId));
      const t = translate(request);
      return drawStep({
        accountId: variant.needsSession ? (described.flow.account_id ?? undefined) : undefined,
        otherWaysHref: `${paths.otherWays}?flow=${flowId}`,
        backHref: paths.start,
        backLabel: t(variant.words.startOver),
        lead: described.proved.channel ? 'passkey_step.lead_second' : undefined,
      });
    },
    confirm: async (_request, _reply, caller, flowId, answer) => onTo(flowId)(await otherWays.confirmPasskey(kind, flowId, answer, caller)),
  });
}

/** The flow a page's address names (`?flow=…`); '' when absent, which then reads as an unknown flow. */
export const flowParam = (request: FastifyRequest) => textField(request.query, 'flow') ?? '';
