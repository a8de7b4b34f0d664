// My account → Security: the phone number, the authenticator app, backup codes and the two-step
// sign-in switch. Every change here needs a fresh verification of the shopper (the password
// typed again within the last 10 minutes, or a password sign-in that recent; a QR sign-in never
// counts, sessions/session-service.ts isFreshlyVerified): a session cookie alone must not be
// enough to swap the factors that guard the account. Every change that weakens or re-routes that
// guard mails the owner a notice in the same transaction (NIST SP 800-63B-4 §4.6): whoever made
// it may hold the session, but not the mailbox.
//
// Set-ups are flows bound to this browser and this account: a number waits for its SMS code, an
// authenticator for its first code, and only then is anything saved.
import type { TypedCode } from '../verification/typed-code.ts';
import type { Config } from '../config/config.ts';
import { BACKUP_CODE_COUNT, newBackupCodes, normalizeBackupCode } from '../factors/backup-codes.ts';
import type { FactorChecks, FlowRef, TextCodeProblem } from '../factors/factor-checks.ts';
import { hasSecondFactor, type FactorStore } from '../factors/factor-store.ts';
import { createSecurityNotices } from './security-notices.ts';
import { parsePhoneNumber } from '../factors/phone-number.ts';
import { maskPhoneNumber } from '../courier/mask.ts';
import { matchTotp, newTotpSecret } from '../factors/totp.ts';
import type { FlowProblem, FlowRow, FlowStore } from '../flows/flow-store.ts';
import { isFailure } from '../flows/flow-store.ts';
import type { PasswordHasher } from '../identity/password-hasher.ts';
import { normalizePassword } from '../identity/password-policy.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { IssuedToken, SessionService } from '../sessions/session-service.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { enqueueEmail } from '../courier/outbox.ts';
import type { LoginThrottle } from '../throttling/login-throttle.ts';
import type { EarlierCode, TryProblem } from '../verification/code-service.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import { phoneSetupFlow, totpSetupFlow } from './security-setup-flows.ts';

/** Who is asking: a signed-in browser session. */
export interface Shopper {
  accountId: string;
  sessionId: string;
  locale: string;
  browserId: string | undefined;
  clientAddress: string;
  /** As the browser sent it: stored with security events, shown only through the fixed list. */
  userAgent?: string;
  session: { created_at: number; reverified_at: number | null; authenticated_via: string };
}

/** Why a set-up step cannot go on: its flow is gone, or the session must confirm it is you again. */
type SetupProblem = FlowProblem | 'reverify.required';

export function createSecuritySettingsService(deps: {
  db: Database;
  config: Config;
  accounts: AccountStore;
  factors: FactorStore;
  checks: FactorChecks;
  flows: FlowStore;
  sessions: SessionService;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  secrets: Secrets;
  clock: Clock;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
  events: SecurityEvents;
}) {
  const { db, config, accounts, factors, checks, sessions, hasher, throttle, secrets, clock } = deps;
  const phoneFlows = deps.flows.of(phoneSetupFlow);
  const totpFlows = deps.flows.of(totpSetupFlow);

  const { noticeOf, changeWithNotice, keepTwoStepHonest } = createSecurityNotices(deps);

  // A set-up's codes spend the signed-in budget: a stranger's wrong recovery codes cannot block it.
  const ref = (flow: FlowRow, shopper: Shopper): FlowRef => ({
    id: flow.id,
    kind: flow.kind,
    subject: flow.subject,
    budget: 'signed_in',
    accountId: shopper.accountId,
    locale: shopper.locale as Locale,
  });

  const fresh = (shopper: Shopper) => sessions.isFreshlyVerified(shopper.session);

  /** This shopper's open set-up flow of this kind, from this browser. */
  async function setupFlow<F extends FlowRow>(
    flowsOfKind: { findOpen(flowId: string, browserId: string | undefined): Promise<F | Failure<FlowProblem>> },
    flowId: string,
    shopper: Shopper,
  ): Promise<F | Failure<SetupProblem>> {
    // Every step of a set-up, not only its start: the flow outlives the 10-minute window, and the
    // last step is the one that changes the account.
    if (!fresh(shopper)) return fail('reverify.required');
    const flow = await flowsOfKind.findOpen(flowId, shopper.browserId);
    if (isFailure(flow)) return flow;
    if (flow.account_id !== shopper.accountId) return fail('flow.not_found');
    return flow;
  }

  /** What every set-up flow starts with, its data aside. */
  function setupFields(shopper: Shopper) {
    return {
      id: newId(),
      state: 'code_sent' as const,
      browserId: shopper.browserId ?? '',
      accountId: shopper.accountId,
      subject: `account:${shopper.accountId}`,
      typedIdentifier: '',
      // The flow outlives any one code (as recovery's does): a code sent again lives its own 10 minutes.
      lifetimeSeconds: config.security.flowLifetimeSeconds,
    };
  }

  return {
    isFresh: fresh,

    /** "Confirm it's you": the password again. Wrong guesses count against sign-in throttling. */
    async reverify(shopper: Shopper, password: string): Promise<({ ok: true } & IssuedToken) | Failure<'login.throttled' | 'reverify.password_missing' | 'reverify.password_wrong'>> {
      if (password === '') return fail('reverify.password_missing', { field: 'password' });
      const subject = `account:${shopper.accountId}`;
      const wait = await throttle.claimAttempt(subject);
      if (wait > 0) return fail('login.throttled', { retryAfterSeconds: wait, field: 'password' });
      const account = await accounts.findById(shopper.accountId);
      const right = account?.password_hash ? await hasher.verify(account.password_hash, normalizePassword(password)) : false;
      if (!right) return fail('reverify.password_wrong', { field: 'password' });
      await throttle.clear(subject);
      return { ok: true, ...(await sessions.markReverified(shopper.sessionId)) };
    },

    // ---- phone --------------------------------------------------------------------------------

    async startPhoneSetup(shopper: Shopper, typed: string): Promise<{ ok: true; flowId: string; earlier?: EarlierCode } | Failure<'reverify.required' | 'phone.missing' | TextCodeProblem>> {
      if (!fresh(shopper)) return fail('reverify.required');
      if (!checks.textsAvailable) return fail('sms.unavailable');
      if (typed.trim() === '') return fail('phone.missing', { field: 'phone' });
      const parsed = parsePhoneNumber(typed);
      if (!parsed.ok) return parsed;
      const data = { numberSealed: secrets.sealBound(shopper.accountId, parsed.e164), masked: maskPhoneNumber(parsed.e164) };
      const flow = await phoneFlows.create(db, { ...setupFields(shopper), data });
      const sent = await checks.sendToNewNumber(ref(flow, shopper), parsed.e164, shopper.clientAddress);
      if (!sent.ok) return sent;
      return { ok: true, flowId: flow.id, earlier: sent.earlier };
    },

    async describePhoneSetup(flowId: string, shopper: Shopper) {
      const flow = await setupFlow(phoneFlows, flowId, shopper);
      if (isFailure(flow)) return flow;
      return { ok: true as const, masked: flow.data.masked, secondsUntilResend: await checks.secondsUntilNewNumberResend(ref(flow, shopper)) };
    },

    async resendPhoneCode(flowId: string, shopper: Shopper): Promise<{ ok: true; earlier?: EarlierCode } | Failure<SetupProblem | TextCodeProblem>> {
      const flow = await setupFlow(phoneFlows, flowId, shopper);
      if (isFailure(flow)) return flow;
      return checks.sendToNewNumber(ref(flow, shopper), secrets.unsealBound(shopper.accountId, flow.data.numberSealed), shopper.clientAddress);
    },

    async confirmPhone(flowId: string, typed: TypedCode, shopper: Shopper): Promise<{ ok: true } | Failure<SetupProblem | TryProblem>> {
      const flow = await setupFlow(phoneFlows, flowId, shopper);
      if (isFailure(flow)) return flow;
      const confirmed = await checks.confirmTextCode(ref(flow, shopper), typed);
      if (!confirmed.ok) return confirmed;
      const data = flow.data;
      const saved = await changeWithNotice(async (trx) => {
        if (!(await phoneFlows.transition(trx, flow.id, 'code_sent', 'completed'))) return false;
        const hadPhone = (await factors.summary(shopper.accountId, trx)).phone;
        await factors.savePhone(trx, shopper.accountId, secrets.unsealBound(shopper.accountId, data.numberSealed), data.masked);
        await noticeOf(trx, shopper.accountId, hadPhone ? 'phone_changed' : 'phone_added', data.masked, shopper);
        return true;
      });
      return saved ? { ok: true } : fail('flow.finished');
    },

    async removePhone(shopper: Shopper): Promise<{ ok: true } | Failure<'reverify.required'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      await changeWithNotice(async (trx) => {
        if (!(await factors.summary(shopper.accountId, trx)).phone) return;
        await factors.removePhone(trx, shopper.accountId);
        await keepTwoStepHonest(trx, shopper.accountId);
        await noticeOf(trx, shopper.accountId, 'phone_removed', undefined, shopper);
      });
      return { ok: true };
    },

    // ---- authenticator app --------------------------------------------------------------------

    async startAuthenticatorSetup(shopper: Shopper): Promise<{ ok: true; flowId: string } | Failure<'reverify.required'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const data = { secretSealed: secrets.sealBound(shopper.accountId, newTotpSecret()) };
      const flow = await totpFlows.create(db, { ...setupFields(shopper), data });
      return { ok: true, flowId: flow.id };
    },

    /** The secret being enrolled, for the QR code and for typing; only to its own browser. */
    async describeAuthenticatorSetup(flowId: string, shopper: Shopper) {
      const flow = await setupFlow(totpFlows, flowId, shopper);
      if (isFailure(flow)) return flow;
      const { twoStep } = await factors.summary(shopper.accountId);
      return { ok: true as const, secret: secrets.unsealBound(shopper.accountId, flow.data.secretSealed), twoStepOn: twoStep };
    },

    /**
     * Active only after a right code from the app: proves the shopper's app and our clock agree.
     * The first set of backup codes comes with it (returned once, to be shown once).
     */
    async confirmAuthenticator(
      flowId: string,
      typed: TypedCode,
      shopper: Shopper,
      /** The set-up page's "Turn on two-step verification" (ticked by default): on in the same transaction. */
      options: { turnOnTwoStep?: boolean } = {},
    ): Promise<{ ok: true; backupCodes: string[] | null; twoStepTurnedOn: boolean } | Failure<SetupProblem | 'code.invalid'>> {
      const flow = await setupFlow(totpFlows, flowId, shopper);
      if (isFailure(flow)) return flow;
      const secret = secrets.unsealBound(shopper.accountId, flow.data.secretSealed);
      const step = matchTotp(secret, typed, deps.clock.now());
      if (step === null) return fail('code.invalid', { field: 'code' });
      let codes: string[] | null = null;
      let twoStepTurnedOn = false;
      const saved = await changeWithNotice(async (trx) => {
        if (!(await totpFlows.transition(trx, flow.id, 'code_sent', 'completed'))) return false;
        // Counted under the account's lock, as a passkey being added does: two set-ups at once must
        // not both make and show a set, the second voiding the codes the shopper just wrote down.
        await accounts.holdAccount(trx, shopper.accountId);
        await factors.saveTotp(trx, shopper.accountId, secret, step);
        if ((await factors.backupCodesLeft(shopper.accountId, trx)) === 0) {
          codes = newBackupCodes(BACKUP_CODE_COUNT);
          await factors.replaceBackupCodes(trx, shopper.accountId, codes.map((c) => normalizeBackupCode(c)!));
        }
        await noticeOf(trx, shopper.accountId, 'authenticator_added', undefined, shopper);
        // The app was just proven to work, so two-step can ask for it from the next sign-in on.
        if (options.turnOnTwoStep && !(await factors.summary(shopper.accountId, trx)).twoStep) {
          await factors.setTwoStep(trx, shopper.accountId, true);
          await deps.events.record(trx, { accountId: shopper.accountId, type: 'two_step.turned_on', from: shopper });
          twoStepTurnedOn = true;
        }
        return true;
      });
      return saved ? { ok: true, backupCodes: codes, twoStepTurnedOn } : fail('flow.finished');
    },

    async removeAuthenticator(shopper: Shopper): Promise<{ ok: true } | Failure<'reverify.required'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      await changeWithNotice(async (trx) => {
        if (!(await factors.summary(shopper.accountId, trx)).totp) return;
        await factors.removeTotp(trx, shopper.accountId);
        await keepTwoStepHonest(trx, shopper.accountId);
        await noticeOf(trx, shopper.accountId, 'authenticator_removed', undefined, shopper);
      });
      return { ok: true };
    },

    // ---- backup codes and the two-step switch -------------------------------------------------

    /** A new set of 10; the old set stops working in the same transaction. `replaced`: unused codes were voided. */
    async regenerateBackupCodes(shopper: Shopper): Promise<{ ok: true; codes: string[]; replaced: boolean } | Failure<'reverify.required'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const replaced = (await factors.backupCodesLeft(shopper.accountId)) > 0;
      const codes = newBackupCodes(BACKUP_CODE_COUNT);
      await changeWithNotice(async (trx) => {
        await factors.replaceBackupCodes(trx, shopper.accountId, codes.map((c) => normalizeBackupCode(c)!));
        await noticeOf(trx, shopper.accountId, 'backup_codes_regenerated', undefined, shopper);
      });
      return { ok: true, codes, replaced };
    },

    async setTwoStep(shopper: Shopper, on: boolean): Promise<{ ok: true } | Failure<'reverify.required' | 'two_step.needs_factor'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      if (on) {
        const summary = await factors.summary(shopper.accountId);
        if (!hasSecondFactor(summary)) return fail('two_step.needs_factor');
      }
      await changeWithNotice(async (trx) => {
        const wasOn = (await factors.summary(shopper.accountId, trx)).twoStep;
        await factors.setTwoStep(trx, shopper.accountId, on);
        if (wasOn && !on) await noticeOf(trx, shopper.accountId, 'two_step_off', undefined, shopper);
        if (!wasOn && on) await deps.events.record(trx, { accountId: shopper.accountId, type: 'two_step.turned_on', from: shopper });
      });
      return { ok: true };
    },
  };
}

export type SecuritySettingsService = ReturnType<typeof createSecuritySettingsService>;
