// Password recovery and Change password, as one service over the steps in password-reset-flow.ts.
//
// Recovery answers the same, after the same work, whether or not the account exists (DESIGN.md §2
// "enumeration"): a flow and a code are made either way; only a real account's owner is mailed.
// A code typed for an unknown account therefore fails exactly like a wrong one.
import type { TypedCode } from '../verification/typed-code.ts';
import type { Config } from '../config/config.ts';
import { recordDecoyEmail, type enqueueEmail } from '../courier/outbox.ts';
import type { Account, AccountStore } from '../identity/account-store.ts';
import { parseIdentifier } from '../identity/identifiers.ts';
import type { PasswordHasher } from '../identity/password-hasher.ts';
import { checkNewPassword, type PasswordProblem } from '../identity/password-policy.ts';
import type { FlowOf, FlowProblem, FlowRow, FlowStore } from '../flows/flow-store.ts';
import { isFailure } from '../flows/flow-store.ts';
import type { IssuedToken, SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import { describeMoment, type Locale } from '../shared/i18n.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { LoginThrottle } from '../throttling/login-throttle.ts';
import type { CodeService, CodeTarget, EarlierCode, SendProblem, TryProblem } from '../verification/code-service.ts';
import type { FactorStore } from '../factors/factor-store.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import { codeBudgetOf, pageFor, passwordChangeFlow, recoveryFlow, stepAfter, type NextStep, type PasswordResetData, type PasswordResetKind, type Proof } from './password-reset-flow.ts';

/** A recovery or Change password flow, its data read. */
export type PasswordResetFlow = FlowOf<typeof recoveryFlow> | FlowOf<typeof passwordChangeFlow>;

export interface PasswordResetDeps {
  db: Database;
  config: Config;
  accounts: AccountStore;
  factors: FactorStore;
  hasher: PasswordHasher;
  flows: FlowStore;
  codes: CodeService;
  sessions: SessionService;
  throttle: LoginThrottle;
  secrets: Secrets;
  clock: Clock;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
  events: SecurityEvents;
}

export interface Caller {
  browserId: string | undefined;
  clientAddress: string;
  /** As the browser sent it; stored with the security event, shown only through the fixed list. */
  userAgent?: string;
  /** The signed-in session; required for Change password, absent in recovery. `proof` says how
   *  and when it last proved the password (sessions/session-service.ts isFreshlyVerified). */
  session?: { accountId: string; sessionId: string; proof: { created_at: number; reverified_at: number | null; authenticated_via: string } } | null;
}

/** Why a flow's page cannot go on: the flow is gone, or a Change password session must confirm it is you. */
type OpenProblem = FlowProblem | 'reverify.required';

export function createPasswordResetService(deps: PasswordResetDeps) {
  const { db, config, accounts, factors, hasher, codes, sessions, throttle, secrets, clock } = deps;
  const flowsOf = { recovery: deps.flows.of(recoveryFlow), password_change: deps.flows.of(passwordChangeFlow) };
  const minutes = Math.round(config.security.codeLifetimeSeconds / 60);

  const targetFor = (flow: Pick<FlowRow, 'id' | 'kind' | 'subject'>): CodeTarget => ({
    flowId: flow.id,
    purpose: flow.kind,
    subject: flow.subject,
    budget: codeBudgetOf(flow.kind as PasswordResetKind),
  });

  /** Issues a code and, for a real account, mails it: one transaction, so neither happens alone. */
  async function sendCode(flow: Pick<FlowRow, 'id' | 'kind' | 'subject'>, account: Account | undefined) {
    await db.transaction().execute(async (trx) => {
      const { code, expiresAt } = await codes.issueCodeExpiring(trx, targetFor(flow), 'email');
      const message = {
        template: 'recovery_code' as const,
        locale: (account?.locale ?? 'en') as Locale,
        to: account?.email ?? 'nobody@invalid',
        data: { code, storeName: config.storeName, minutes },
        // The mail dies with its code.
        expiresAt,
      };
      // An unknown account gets a decoy row: the same sealing and insert, nothing sent.
      if (account) await deps.enqueueEmail(trx, { secrets, clock }, message);
      else await recordDecoyEmail(trx, { secrets, clock }, message);
    });
    deps.wakeCourier();
  }

  /**
   * The flow's account, if it may still recover: an account locked after the flow began (an
   * administrator's decision) is treated like an unknown one — no code, no password, same answers.
   */
  async function usableAccount(flow: Pick<FlowRow, 'account_id'>): Promise<Account | undefined> {
    const account = flow.account_id ? await accounts.findById(flow.account_id) : undefined;
    return account && account.locked_at === null ? account : undefined;
  }

  /** The open flow of this kind for this browser; Change password flows also for this account only. */
  async function openFlow(kind: PasswordResetKind, flowId: string, caller: Caller): Promise<PasswordResetFlow | Failure<OpenProblem>> {
    const flow = await flowsOf[kind].findOpen(flowId, caller.browserId);
    if (isFailure(flow)) return flow;
    if (kind === 'password_change') {
      if (flow.account_id !== caller.session?.accountId) return fail('flow.not_found');
      // Every step, not only the start: the last one changes the password, and a session a relayed
      // QR created must never reach it without the current password typed in it.
      if (!sessions.isFreshlyVerified(caller.session.proof)) return fail('reverify.required');
    }
    return flow;
  }

  /** Where a flow's email code goes, as the send cooldown compares it (an unknown account's: its subject). */
  const destinationOf = (subject: string, account: Account | undefined) => account?.email ?? subject;

  /**
   * Starts a flow and mails its code. Within the minute after a code went to the same account no
   * new one is sent (DESIGN.md §2 "resend", across flows); the flow starts anyway and its page
   * counts down, and the code already sent moves to it when this browser asked for that one too.
   */
  async function begin(kind: PasswordResetKind, account: Account | undefined, subject: string, destination: string, caller: Caller) {
    const flowId = newId();
    const target = targetFor({ id: flowId, kind, subject });
    const to = { channel: 'email' as const, destination: destinationOf(subject, account), clientAddress: caller.clientAddress };
    const reserved = await codes.reserveSend(target, to);
    if (!reserved.ok && reserved.code !== 'code.resend_too_soon') return reserved;
    const data: PasswordResetData = { destination };
    // The flow and its record together. For no account the same insert is made (with no account),
    // so starting recovery takes the same work whether the account exists (DESIGN.md §2).
    await db.transaction().execute(async (trx) => {
      await flowsOf[kind].create(trx, {
        id: flowId,
        state: 'code_sent',
        browserId: caller.browserId ?? '',
        accountId: account?.id ?? null,
        subject,
        typedIdentifier: destination,
        data,
        lifetimeSeconds: config.security.flowLifetimeSeconds,
      });
      await deps.events.record(trx, { accountId: account?.id ?? null, type: kind === 'recovery' ? 'recovery.started' : 'password.change_started', from: caller });
    });
    if (!reserved.ok) return { ok: true as const, flowId, earlier: await codes.takeOverEarlierCode(target, to) };
    await sendCode({ id: flowId, kind, subject }, account);
    return { ok: true as const, flowId };
  }

  return {
    /** "Forgot password?": one field, email or login name. */
    async startRecovery(identifierText: string, caller: Caller): Promise<{ ok: true; flowId: string; earlier?: EarlierCode } | Failure<SendProblem | 'identity.identifier_missing' | 'identity.identifier_invalid' | 'identity.invisible_character'>> {
      const typed = identifierText.normalize('NFKC').trim();
      if (typed === '') return fail('identity.identifier_missing', { field: 'identifier' });
      const parsed = parseIdentifier(typed);
      if (!parsed.ok) return parsed;
      const account = await accounts.findByIdentifier(parsed.identifier);
      // A throttled or locked-out sign-in does not stop recovery; a locked account (an
      // administrator's decision) gets no code, but the same answer.
      const usable = account && account.locked_at === null ? account : undefined;
      const subject = usable ? `account:${usable.id}` : `unknown:${secrets.keyedHash('recovery-identifier', parsed.identifier.value)}`;
      return begin('recovery', usable, subject, typed, caller);
    },

    /** My account → Settings → Change password: the code goes to the email on file. */
    async startPasswordChange(caller: Caller): Promise<{ ok: true; flowId: string; earlier?: EarlierCode } | Failure<SendProblem | 'request.unauthenticated' | 'reverify.required'>> {
      const accountId = caller.session?.accountId;
      const account = accountId ? await accounts.findById(accountId) : undefined;
      if (!account) return fail('request.unauthenticated');
      if (!sessions.isFreshlyVerified(caller.session!.proof)) return fail('reverify.required');
      return begin('password_change', account, `account:${account.id}`, account.email, caller);
    },

    openFlow,

    /** Change password needs the password proved lately in this session (like every security change). */
    isFreshlyVerified: (proof: { created_at: number; reverified_at: number | null; authenticated_via: string }) => sessions.isFreshlyVerified(proof),

    async describe(kind: PasswordResetKind, flowId: string, caller: Caller) {
      const flow = await openFlow(kind, flowId, caller);
      if (isFailure(flow)) return flow;
      const proved = flow.data.proved ?? {};
      // Which factor page follows depends on the account's own factors (no authenticator page for
      // an account with only backup codes): read only once the email or a text is proved.
      const account = proved.channel && flow.state === 'code_sent' ? await usableAccount(flow) : undefined;
      const page = pageFor({ state: flow.state, proved }, account ? await factors.summary(account.id) : null);
      return { ok: true as const, flow, destination: flow.data.destination, proved, page, secondsUntilResend: await codes.secondsUntilResend(flow, 'email') };
    },

    usableAccount,

    /**
     * Records a proof and moves the flow on once it has all it needs: a code from the email or a
     * text message, plus an authenticator or backup code when the account has one (DESIGN.md §2).
     * Conditional on the flow still waiting, so a replayed request moves nothing.
     */
    async acceptProof(flow: PasswordResetFlow, account: Account, proof: Proof): Promise<{ ok: true; next: NextStep } | Failure<'flow.finished'>> {
      const data = flow.data;
      const proved = { ...data.proved, ...proof };
      const summary = await factors.summary(account.id);
      const next = stepAfter(proved, summary);
      const moved = await flowsOf[flow.kind].transition(db, flow.id, 'code_sent', next === 'password' ? 'verified' : 'code_sent', { ...data, proved });
      return moved ? { ok: true, next } : fail('flow.finished');
    },

    async resend(kind: PasswordResetKind, flowId: string, caller: Caller): Promise<{ ok: true } | Failure<OpenProblem | SendProblem>> {
      const flow = await openFlow(kind, flowId, caller);
      if (isFailure(flow)) return flow;
      if (flow.state !== 'code_sent') return fail('flow.finished');
      const account = await usableAccount(flow);
      const reserved = await codes.reserveSend(targetFor(flow), { channel: 'email', destination: destinationOf(flow.subject, account), clientAddress: caller.clientAddress });
      if (!reserved.ok) return reserved;
      await sendCode(flow, account);
      return { ok: true };
    },

    async confirmCode(kind: PasswordResetKind, flowId: string, typed: TypedCode, caller: Caller): Promise<{ ok: true; next: NextStep } | Failure<OpenProblem | TryProblem>> {
      const flow = await openFlow(kind, flowId, caller);
      if (isFailure(flow)) return flow;
      if (flow.state !== 'code_sent') return fail('flow.finished');
      const consumed = await codes.consumeCode(targetFor(flow), typed);
      if (!consumed.ok) return consumed;
      // A flow for an unknown (or since locked) account has a code nobody received; even a lucky
      // guess goes nowhere.
      const account = await usableAccount(flow);
      if (!account) return fail('code.invalid', { field: 'code' });
      return this.acceptProof(flow, account, { channel: 'email' });
    },

    /** Allowed only once the code was right; ends other sessions unless the shopper unticked it. */
    async chooseNewPassword(
      kind: PasswordResetKind,
      flowId: string,
      input: { password: string; confirmation: string; signOutOtherDevices: boolean },
      caller: Caller,
    ): Promise<{ ok: true; renewed: IssuedToken | null } | Failure<OpenProblem | 'flow.not_verified' | PasswordProblem>> {
      const flow = await openFlow(kind, flowId, caller);
      if (isFailure(flow)) return flow;
      if (flow.state !== 'verified' || !flow.account_id) return fail('flow.not_verified');
      const account = await usableAccount(flow);
      if (!account) return fail('flow.not_found');
      const checked = await checkNewPassword(input.password, input.confirmation, { email: account.email, loginName: account.login_name }, config.security);
      if (!checked.ok) return checked;
      const passwordHash = await hasher.hash(checked.password);
      const now = clock.now();
      const done = await db.transaction().execute(async (trx) => {
        if (!(await flowsOf[kind].transition(trx, flow.id, 'verified', 'completed'))) return null;
        await accounts.setPasswordHash(trx, account.id, passwordHash, now);
        // In recovery nobody is signed in here, so "other devices" are all of them.
        if (input.signOutOtherDevices) await sessions.endOtherSessions(trx, account.id, caller.session?.sessionId ?? null, caller);
        if (kind === 'recovery') await deps.events.record(trx, { accountId: account.id, type: 'recovery.completed', from: caller });
        await deps.events.record(trx, { accountId: account.id, type: 'password.changed', way: kind, detail: { signedOutOthers: input.signOutOtherDevices }, from: caller });
        // Change password keeps this session, under a new token (DESIGN.md §2: new token on privilege change).
        const renewed = caller.session ? await sessions.renewToken(trx, caller.session.sessionId) : null;
        await deps.enqueueEmail(trx, { secrets, clock }, {
          template: 'password_changed',
          locale: account.locale as Locale,
          to: account.email,
          data: {
            storeName: config.storeName,
            time: describeMoment(now, account.locale),
            secureUrl: `${config.publicUrl}/recovery`,
          },
        });
        return { renewed };
      });
      if (!done) return fail('flow.finished');
      // Whoever just proved the mailbox and set a new password may sign in again at once.
      await throttle.clear(`account:${account.id}`);
      deps.wakeCourier();
      return { ok: true, renewed: done.renewed };
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
