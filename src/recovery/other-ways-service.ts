// "Other ways to verify" in recovery and Change password: a text message, the authenticator app,
// a backup code, a passkey (passkeys/passkey-way.tsx checks its answer). Each is a proof for password-reset-service's acceptProof; the checks themselves
// (budgets, single use) live in factors/factor-checks.ts.
//
// Recovery offers every way to everyone (DESIGN.md §2 "enumeration"): for an unknown account, or
// one without a phone or authenticator, the same work is done and the code is simply never right.
import type { TypedCode } from '../verification/typed-code.ts';
import type { PasskeyAnswer } from '../passkeys/passkey-way.tsx';
import type { FactorChecks, FlowRef, TextCodeProblem } from '../factors/factor-checks.ts';
import type { FactorStore, FactorSummary } from '../factors/factor-store.ts';
import type { FlowProblem, FlowRow } from '../flows/flow-store.ts';
import { isFailure } from '../flows/flow-store.ts';
import type { Account } from '../identity/account-store.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import type { EarlierCode, TryProblem } from '../verification/code-service.ts';
import { codeBudgetOf, type NextStep, type PasswordResetKind, type Proof, type Proofs, type ResetPage } from './password-reset-flow.ts';
import type { Caller, PasswordResetService } from './password-reset-service.ts';

type Next = { ok: true; next: NextStep };
/** Why a flow's page cannot go on: the flow is gone, or a Change password session must confirm it is you. */
type OpenProblem = FlowProblem | 'reverify.required';

export function createOtherWaysService(deps: { passwordReset: PasswordResetService; checks: FactorChecks; factors: FactorStore }) {
  const { passwordReset, checks, factors } = deps;

  const refFor = (flow: FlowRow, account: Account | undefined): FlowRef => ({
    id: flow.id,
    kind: flow.kind,
    subject: flow.subject,
    budget: codeBudgetOf(flow.kind as PasswordResetKind),
    accountId: account?.id ?? null,
    locale: (account?.locale ?? 'en') as Locale,
  });

  /** The flow, still waiting for proofs, and its account if that may still recover. */
  async function waitingFlow(kind: PasswordResetKind, flowId: string, caller: Caller) {
    const flow = await passwordReset.openFlow(kind, flowId, caller);
    if (isFailure(flow)) return flow;
    if (flow.state !== 'code_sent') return fail('flow.finished');
    return { ok: true as const, flow, account: await passwordReset.usableAccount(flow) };
  }

  /** Runs one check and, when it passes for a real account, records the proof. */
  async function prove(
    kind: PasswordResetKind,
    flowId: string,
    caller: Caller,
    proof: Proof,
    check: (ref: FlowRef) => Promise<{ ok: true } | Failure<TryProblem>>,
  ): Promise<Next | Failure<OpenProblem | TryProblem>> {
    const waiting = await waitingFlow(kind, flowId, caller);
    if (!waiting.ok) return waiting;
    const checked = await check(refFor(waiting.flow, waiting.account));
    if (!checked.ok) return checked;
    // A text code for an account without a phone went nowhere; even a lucky guess goes nowhere.
    if (!waiting.account) return fail('code.invalid', { field: 'code' });
    if ('channel' in proof && proof.channel === 'sms' && !(await factors.findPhone(waiting.account.id))) return fail('code.invalid', { field: 'code' });
    return passwordReset.acceptProof(waiting.flow, waiting.account, proof);
  }

  return {
    /**
     * What the Other ways page shows. `summary` (masked phone, which ways exist) only for the
     * signed-in shopper's own Change password flow; recovery shows every way, masked nothing.
     */
    async describe(kind: PasswordResetKind, flowId: string, caller: Caller): Promise<
      | { ok: true; flow: FlowRow; proved: Proofs; page: ResetPage; secondsUntilEmail: number; secondsUntilText: number; summary: FactorSummary | null; textsAvailable: boolean }
      | Failure<OpenProblem>
    > {
      const described = await passwordReset.describe(kind, flowId, caller);
      if (!described.ok) return described;
      const account = kind === 'password_change' ? await passwordReset.usableAccount(described.flow) : undefined;
      return {
        ok: true,
        flow: described.flow,
        proved: described.proved,
        page: described.page,
        secondsUntilEmail: described.secondsUntilResend,
        secondsUntilText: await checks.secondsUntilTextResend(refFor(described.flow, account)),
        summary: account ? await factors.summary(account.id) : null,
        textsAvailable: checks.textsAvailable,
      };
    },

    async sendText(kind: PasswordResetKind, flowId: string, caller: Caller): Promise<{ ok: true; earlier?: EarlierCode } | Failure<OpenProblem | TextCodeProblem>> {
      const waiting = await waitingFlow(kind, flowId, caller);
      if (!waiting.ok) return waiting;
      return checks.sendToAccountPhone(refFor(waiting.flow, waiting.account), caller.clientAddress, { quietWhenCapped: kind === 'recovery' });
    },

    confirmText: (kind: PasswordResetKind, flowId: string, typed: TypedCode, caller: Caller) =>
      prove(kind, flowId, caller, { channel: 'sms' }, (ref) => checks.confirmTextCode(ref, typed)),

    confirmAuthenticator: (kind: PasswordResetKind, flowId: string, typed: TypedCode, caller: Caller) =>
      prove(kind, flowId, caller, { factor: 'totp' }, (ref) => checks.confirmAuthenticatorCode(ref, typed)),

    confirmBackupCode: (kind: PasswordResetKind, flowId: string, typed: TypedCode, caller: Caller) =>
      prove(kind, flowId, caller, { factor: 'backup_code' }, (ref) => checks.confirmBackupCode(ref, typed)),

    /** Offered to every account in recovery: one without passkeys (or none) spends a try and fails like a wrong code. */
    confirmPasskey: (kind: PasswordResetKind, flowId: string, answer: PasskeyAnswer, caller: Caller) =>
      prove(kind, flowId, caller, { factor: 'passkey' }, (ref) => answer.check(ref)),
  };
}

export type OtherWaysService = ReturnType<typeof createOtherWaysService>;
