// Two-step sign-in: after the right password, an account with two-step verification on gets no
// session yet but a flow, bound to this browser, that waits for a second factor — a code from the
// authenticator app, a text message, a backup code or a passkey. Only then is the session made, and it
// records how it was authenticated ('password+totp', …), which whoami shows.
//
// The second step has the same limits as every code (5 tries per way and flow, 20 wrong per
// account per 24 h), so knowing the password does not buy unlimited guesses at the code — but
// in budgets of its own (code-service.ts 'second_step'): what a stranger spends in recovery,
// knowing only the email, must not keep the owner with the right password and code out.
import type { TypedCode } from '../verification/typed-code.ts';
import type { Config } from '../config/config.ts';
import type { FactorChecks, FlowRef, TextCodeProblem, Way } from '../factors/factor-checks.ts';
import { hasSecondFactor, type FactorStore, type FactorSummary } from '../factors/factor-store.ts';
import type { FlowOf, FlowProblem, FlowStore } from '../flows/flow-store.ts';
import { isFailure } from '../flows/flow-store.ts';
import type { Account } from '../identity/account-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import { newId } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { EarlierCode } from '../verification/code-service.ts';
import type { PasskeyAnswer } from '../passkeys/passkey-way.tsx';
import type { SecurityEvents } from '../activity/security-events.ts';
import { appSignInFlow, signInFlow } from './two-step-flow.ts';

// Browser and app second steps are different kinds of flow: a flow the app started cannot be
// finished in a browser (and hand it a 30-day app session), nor the other way round. The flow's
// kind is also what says which kind of session it ends in: one fact, kept in one place.
type SecondStepFlow = FlowOf<typeof signInFlow> | FlowOf<typeof appSignInFlow>;
const sessionKindOf = (flow: SecondStepFlow) => (flow.kind === 'sign_in_app' ? 'app' : 'browser');

/** The ways of a second step: the factor checks', and a passkey (passkeys/passkey-way.tsx), browser only. */
export type SecondStepWay = Way | 'passkey';

export interface TwoStepCaller {
  browserId: string | undefined;
  clientAddress: string;
  userAgent: string;
  /** The store's app (JSON API, flowToken instead of a browser cookie). */
  app?: boolean;
}

export function createTwoStepService(deps: { db: Database; config: Config; factors: FactorStore; checks: FactorChecks; flows: FlowStore; sessions: SessionService; events: SecurityEvents }) {
  const { db, config, factors, checks, sessions } = deps;
  const browserFlows = deps.flows.of(signInFlow);
  const appFlows = deps.flows.of(appSignInFlow);
  const flowsFor = (caller: TwoStepCaller) => (caller.app ? appFlows : browserFlows);

  const ref = (flow: SecondStepFlow): FlowRef => ({
    id: flow.id,
    kind: flow.kind,
    subject: flow.subject,
    accountId: flow.account_id,
    locale: flow.data.locale as Locale,
    budget: 'second_step',
  });

  async function waitingFlow(flowId: string, caller: TwoStepCaller) {
    const flow = await flowsFor(caller).findOpen(flowId, caller.browserId);
    if (isFailure(flow)) return flow;
    if (flow.state !== 'code_sent' || !flow.account_id) return fail('flow.finished');
    return flow;
  }

  return {
    textsAvailable: checks.textsAvailable,

    /**
     * The ways this account can finish its second step with, in the order they are offered. A
     * passkey comes first where the browser may use one: the proof a phishing page cannot relay.
     */
    waysFor(summary: FactorSummary, options: { passkey?: boolean } = {}): SecondStepWay[] {
      const ways: SecondStepWay[] = [];
      if (options.passkey && summary.passkeys > 0) ways.push('passkey');
      if (summary.totp) ways.push('totp');
      if (summary.phone && checks.textsAvailable) ways.push('sms');
      if (summary.backupCodesLeft > 0) ways.push('backup_code');
      return ways;
    },

    /**
     * The account's factors when it must give one after its password, else null. Handed on to
     * begin(), so a sign-in reads them once.
     */
    async secondFactorsRequired(account: Account): Promise<FactorSummary | null> {
      if (account.two_step_enabled_at === null) return null;
      const summary = await factors.summary(account.id);
      // A passkey counts (factor-store.ts hasSecondFactor): two-step that is on is never skipped
      // because the account's only factor is a passkey; begin() offers the passkey first.
      return hasSecondFactor(summary) ? summary : null;
    },

    /**
     * Starts the second step; the first way offered is a passkey when the account has one (in a
     * browser), then the authenticator app, otherwise a text message, sent now so the shopper
     * lands on a page with a code on its way.
     */
    async begin(
      account: Account,
      summary: FactorSummary,
      caller: TwoStepCaller,
      returnTo: string,
      keepSignedIn = false,
    ): Promise<{ flowId: string; way: SecondStepWay; sent?: { ok: true; earlier?: EarlierCode } | Failure<TextCodeProblem> }> {
      // The choice made beside the password rides in the flow, so the node that takes the second
      // factor starts the session the shopper asked for.
      const data = keepSignedIn ? { returnTo, locale: account.locale, keepSignedIn } : { returnTo, locale: account.locale };
      const flow = await flowsFor(caller).create(db, {
        id: newId(),
        state: 'code_sent',
        browserId: caller.browserId ?? '',
        accountId: account.id,
        subject: `account:${account.id}`,
        typedIdentifier: '',
        data,
        // The flow outlives any one code (as recovery's does): a text sent again lives its own 10 minutes.
        lifetimeSeconds: config.security.flowLifetimeSeconds,
      });
      if (summary.passkeys > 0 && !caller.app) return { flowId: flow.id, way: 'passkey' };
      // The app asks for a text itself (app-second-step-routes.ts): nothing is sent for it here.
      if (summary.totp || caller.app) return { flowId: flow.id, way: 'totp' };
      // A phone but no way to text it (no SMS provider any more): backup codes are what is left.
      if (!checks.textsAvailable || !summary.phone) return { flowId: flow.id, way: 'backup_code' };
      const sent = await checks.sendToAccountPhone(ref(flow), caller.clientAddress, { quietWhenCapped: false });
      return { flowId: flow.id, way: 'sms', sent };
    },

    async describe(flowId: string, caller: TwoStepCaller): Promise<{ ok: true; accountId: string; summary: FactorSummary; secondsUntilText: number } | Failure<FlowProblem>> {
      const flow = await waitingFlow(flowId, caller);
      if (isFailure(flow)) return flow;
      return { ok: true, accountId: flow.account_id!, summary: await factors.summary(flow.account_id!), secondsUntilText: await checks.secondsUntilTextResend(ref(flow)) };
    },

    async sendText(flowId: string, caller: TwoStepCaller): Promise<{ ok: true; earlier?: EarlierCode } | Failure<FlowProblem | TextCodeProblem>> {
      const flow = await waitingFlow(flowId, caller);
      if (isFailure(flow)) return flow;
      return checks.sendToAccountPhone(ref(flow), caller.clientAddress, { quietWhenCapped: false });
    },

    /** The second factor; right → the flow is spent and the session made, in one transaction. */
    async confirm(way: Way, flowId: string, typed: TypedCode, caller: TwoStepCaller) {
      const flow = await waitingFlow(flowId, caller);
      if (isFailure(flow)) return flow;
      const target = ref(flow);
      const checked =
        way === 'totp' ? await checks.confirmAuthenticatorCode(target, typed) : way === 'sms' ? await checks.confirmTextCode(target, typed) : await checks.confirmBackupCode(target, typed);
      if (!checked.ok) return refused(flow, way, checked, caller);
      return finish(flow, way, caller);
    },

    /** A passkey as the second factor: its answer spends the same tries a code does, in this flow's budget. */
    async confirmPasskey(flowId: string, answer: PasskeyAnswer, caller: TwoStepCaller) {
      const flow = await waitingFlow(flowId, caller);
      if (isFailure(flow)) return flow;
      const checked = await answer.check(ref(flow));
      if (!checked.ok) return refused(flow, 'passkey', checked, caller);
      return finish(flow, 'passkey', caller);
    },
  };

  /**
   * A wrong second factor: the owner sees it under Recent security activity (the password was
   * right). The try itself was already counted, in its own transaction (spendTry); a crash between
   * the two loses this record, never the count that limits guessing.
   */
  async function refused<F extends Failure>(flow: SecondStepFlow, way: SecondStepWay, failure: F, caller: TwoStepCaller): Promise<F> {
    await deps.events.record(db, { accountId: flow.account_id!, type: 'two_step.failed', way, result: failure.code, from: caller });
    return failure;
  }

  /** The flow is spent and the session made, in one transaction; a replayed request finds it spent. */
  async function finish(flow: SecondStepFlow, way: SecondStepWay, caller: TwoStepCaller) {
    const data = flow.data;
    const session = await db.transaction().execute(async (trx) => {
      if (!(await flowsFor(caller).transition(trx, flow.id, 'code_sent', 'completed'))) return null;
      return sessions.startSession(trx, {
        accountId: flow.account_id!,
        kind: sessionKindOf(flow),
        authenticatedVia: `password+${way}`,
        userAgent: caller.userAgent,
        clientAddress: caller.clientAddress,
        keepSignedIn: data.keepSignedIn === true,
      });
    });
    if (!session) return fail('flow.finished');
    return { ok: true as const, ...session, returnTo: data.returnTo };
  }
}

export type TwoStepService = ReturnType<typeof createTwoStepService>;
