// The "other ways to verify", as one set of checks used by recovery, Change password and two-step
// sign-in: a code by text message, a code from the authenticator app, a backup code.
//
// Every way follows the email code's rules (DESIGN.md §2): the attempt belongs to one flow and
// one purpose (`<flow kind>:sms`, `…:totp`, `…:backup_code`), 5 tries each, single use, and every
// wrong try spends the account's shared 24 h budget. A way the account does not have is checked
// like one it has, and fails like a wrong code: a visitor learns nothing from choosing it.
import type { TypedCode } from '../verification/typed-code.ts';
import type { Config } from '../config/config.ts';
import type { enqueueSms, recordDecoySms } from '../courier/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { SmsCapFailure, SmsCaps } from '../throttling/sms-caps.ts';
import type { CodeBudget, CodeService, CodeTarget, EarlierCode, SendProblem } from '../verification/code-service.ts';
import { normalizeBackupCode } from './backup-codes.ts';
import type { FactorStore } from './factor-store.ts';
import { parsePhoneNumber } from './phone-number.ts';
import { matchTotp } from './totp.ts';

export type Way = 'sms' | 'totp' | 'backup_code';

/** Why a text with a code is not sent: texts off, a number we cannot text, a wait, or a cap. */
export type TextCodeProblem = 'sms.unavailable' | 'phone.invalid' | SendProblem | SmsCapFailure['code'];

/** An account id no row has: a check for nobody runs the same queries as for someone. */
const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000';

/** A valid mobile number that is never texted: parsed for a decoy so it costs what a real one does. */
const DECOY_NUMBER = '+447911000000';

/** What a check needs to know of its flow; `accountId` is null when nobody may succeed. */
export interface FlowRef {
  id: string;
  kind: string;
  subject: string;
  accountId: string | null;
  locale: Locale;
  /** Whose budgets its tries and sends spend; recovery's when absent (code-service.ts). */
  budget?: CodeBudget;
}

export interface FactorCheckDeps {
  db: Database;
  config: Config;
  factors: FactorStore;
  codes: CodeService;
  smsCaps: SmsCaps;
  secrets: Secrets;
  clock: Clock;
  /** False when no SMS provider (nor the dev catcher) is configured: no way to send a text. */
  textsAvailable: boolean;
  enqueueSms: typeof enqueueSms;
  recordDecoySms: typeof recordDecoySms;
  wakeCourier: () => void;
}

export function createFactorChecks(deps: FactorCheckDeps) {
  const { db, config, factors, codes, smsCaps, secrets, clock } = deps;
  const target = (flow: FlowRef, way: Way): CodeTarget => ({ flowId: flow.id, purpose: `${flow.kind}:${way}`, subject: flow.subject, budget: flow.budget });
  const minutes = Math.round(config.security.codeLifetimeSeconds / 60);
  const host = new URL(config.publicUrl).host;

  /**
   * Issues a code and queues the text message in one transaction. `to` is null when the account
   * has no phone (or there is no account): the same code row and a decoy outbox row are written,
   * so the answer and its cost are the same. `verified` says which SMS caps the text spends: a
   * number being added has caps of its own (sms-caps.ts).
   */
  async function sendTextCode(
    flow: FlowRef,
    number: string | null,
    clientAddress: string,
    options: { quietWhenCapped: boolean; verified: boolean },
  ): Promise<{ ok: true; earlier?: EarlierCode } | Failure<TextCodeProblem>> {
    if (!deps.textsAvailable) return fail('sms.unavailable');
    const codeTarget = target(flow, 'sms');
    let to = number;
    let parsed: ReturnType<typeof parsePhoneNumber> | undefined;
    if (to) {
      parsed = parsePhoneNumber(to);
      if (!parsed.ok) return fail('phone.invalid', { field: 'phone' });
    }
    const send = { channel: 'sms' as const, destination: number ?? `nowhere:${flow.subject}`, clientAddress, toNewNumber: !options.verified };
    const reserved = await codes.reserveSend(codeTarget, send, async (): Promise<{ ok: true } | SmsCapFailure> => {
      // Recovery: a text that goes nowhere does the work of one that goes somewhere.
      if (!parsed && options.quietWhenCapped) {
        parsePhoneNumber(DECOY_NUMBER);
        await smsCaps.rehearse();
        return { ok: true };
      }
      if (!parsed?.ok) return { ok: true };
      // SMS pumping: a script must not run up a bill through one number or one country prefix.
      const capped = options.verified
        ? await smsCaps.reserve(parsed.e164, parsed.countryCallingCode)
        : await smsCaps.reserveForNewNumber(parsed.e164, parsed.countryCallingCode, { accountId: flow.accountId ?? NO_ACCOUNT, clientAddress });
      if (capped.ok) return capped;
      // In recovery a refusal would tell a visitor that this account has a phone: the number's
      // cap is met silently instead (a decoy, like an account without a phone).
      if (!options.quietWhenCapped) return capped;
      to = null;
      return { ok: true };
    });
    if (!reserved.ok) {
      // Asked again within the minute: the code texted a moment ago may move here (same browser).
      if (reserved.code === 'code.resend_too_soon' && (await codes.takeOverEarlierCode(codeTarget, send)) === 'moved') return { ok: true, earlier: 'moved' };
      return reserved;
    }
    await db.transaction().execute(async (trx) => {
      const { code, expiresAt } = await codes.issueCodeExpiring(trx, codeTarget, 'sms');
      const message = { template: 'verification_code' as const, locale: flow.locale, to: to ?? '+0', data: { code, storeName: config.storeName, minutes, host }, expiresAt };
      if (to) await deps.enqueueSms(trx, { secrets, clock }, message);
      else await deps.recordDecoySms(trx, { secrets, clock }, message);
    });
    deps.wakeCourier();
    return { ok: true };
  }

  return {
    textsAvailable: deps.textsAvailable,

    secondsUntilTextResend: (flow: FlowRef) => codes.secondsUntilResend(flow, 'sms'),

    /** The same for texts to a number being added (a wait of their own, see code-service.ts SendTo). */
    secondsUntilNewNumberResend: (flow: FlowRef) => codes.secondsUntilResend(flow, 'sms', { toNewNumber: true }),

    /** A code by text message to the account's confirmed phone (or, silently, to nobody). */
    async sendToAccountPhone(flow: FlowRef, clientAddress: string, options: { quietWhenCapped: boolean }) {
      // The same lookup for an unknown account (an id no account has) as for a real one.
      const phone = await factors.findPhone(flow.accountId ?? NO_ACCOUNT);
      return sendTextCode(flow, phone?.e164 ?? null, clientAddress, { quietWhenCapped: options.quietWhenCapped, verified: true });
    },

    /** A code to a number being added: proves the shopper holds it before it is saved. */
    sendToNewNumber: (flow: FlowRef, e164: string, clientAddress: string) => sendTextCode(flow, e164, clientAddress, { quietWhenCapped: false, verified: false }),

    confirmTextCode: (flow: FlowRef, typed: TypedCode) => codes.consumeCode(target(flow, 'sms'), typed),

    /** RFC 6238 code: current or previous step, and never a step already used (claimed atomically). */
    confirmAuthenticatorCode(flow: FlowRef, typed: string) {
      return codes.checkWithoutSending(target(flow, 'totp'), async () => {
        // Recovery offers this way for any account: one without an authenticator, or none at all,
        // reads and decrypts a decoy secret and runs the same comparison, so the reply time does
        // not tell which (issue 9: an unknown account used to answer ~0.5 ms sooner).
        const { secret, real } = await factors.totpSecretOrDecoy(flow.accountId ?? NO_ACCOUNT);
        const step = matchTotp(secret, typed, clock.now());
        if (!real || !flow.accountId || step === null) return false;
        return factors.claimTotpStep(flow.accountId, step);
      });
    },

    confirmBackupCode(flow: FlowRef, typed: string) {
      return codes.checkWithoutSending(target(flow, 'backup_code'), async () => {
        const normalized = normalizeBackupCode(typed);
        if (!normalized) return false;
        // An unknown account (or one that may not recover) gets the same keyed hash and the same
        // UPDATE, against an account id no row has: answering sooner would tell it apart.
        return factors.useBackupCode(flow.accountId ?? NO_ACCOUNT, normalized);
      });
    },
  };
}

export type FactorChecks = ReturnType<typeof createFactorChecks>;
