// Sign-up: nothing becomes an account until the emailed code proves the address, so nobody can
// squat someone else's email with an unconfirmed account. An address that already has an account
// gets the same screens and the same work, but its owner is mailed a "someone tried to register"
// notice instead of a code (DESIGN.md §2 "enumeration").
import type { TypedCode } from '../verification/typed-code.ts';
import type { Config } from '../config/config.ts';
import type { enqueueEmail } from '../courier/outbox.ts';
import type { AccountStore } from '../identity/account-store.ts';
import { checkEmail, checkLoginName } from '../identity/identifiers.ts';
import type { PasswordHasher } from '../identity/password-hasher.ts';
import { checkNewPassword, type PasswordProblem } from '../identity/password-policy.ts';
import type { FlowOf, FlowProblem, FlowStore } from '../flows/flow-store.ts';
import { isFailure } from '../flows/flow-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import { newId } from '../shared/ids.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import { uniqueViolationColumn } from '../storage/database-errors.ts';
import type { CodeService, CodeTarget, EarlierCode, SendProblem } from '../verification/code-service.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import { registrationFlow } from './registration-flow.ts';

/** What a sign-up form can be refused for (its code step's refusals are the code service's). */
type StartProblem = 'identity.email_invalid' | 'identity.invisible_character' | 'identity.login_name_invalid' | 'registration.login_name_taken' | PasswordProblem | SendProblem;

const PURPOSE = 'registration_email';

type RegistrationData = FlowOf<typeof registrationFlow>['data'];

export interface RegistrationInput {
  email: string;
  loginName: string;
  password: string;
  passwordConfirmation: string;
  locale: Locale;
  browserId: string;
  clientAddress: string;
  /** The sign-up form's "Keep me signed in on this device": the first session's rule. */
  keepSignedIn?: boolean;
}

export function createRegistrationService(deps: {
  db: Database;
  config: Config;
  accounts: AccountStore;
  hasher: PasswordHasher;
  flows: FlowStore;
  codes: CodeService;
  sessions: SessionService;
  secrets: Secrets;
  clock: Clock;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
  events: SecurityEvents;
}) {
  const { db, config, accounts, hasher, codes, sessions, secrets, clock } = deps;
  const flows = deps.flows.of(registrationFlow);
  const subjectFor = (email: string) => `email:${secrets.keyedHash('subject-email', email)}`;
  const targetFor = (flowId: string, email: string): CodeTarget => ({ flowId, purpose: PURPOSE, subject: subjectFor(email) });

  async function mailFor(executor: Database, data: RegistrationData, { code, expiresAt }: { code: string; expiresAt: number }) {
    if (data.existingAccountId) {
      // Through the caller's transaction: on SQLite (one connection) a query on `db` here would
      // wait for this very transaction forever.
      const owner = await executor.selectFrom('accounts').select('locale').where('id', '=', data.existingAccountId).executeTakeFirst();
      await deps.enqueueEmail(executor, { secrets, clock }, {
        template: 'registration_attempt_existing',
        locale: (owner?.locale as Locale) ?? data.locale,
        to: data.email,
        data: { storeName: config.storeName, signInUrl: `${config.publicUrl}/login`, recoveryUrl: `${config.publicUrl}/recovery` },
      });
    } else {
      await deps.enqueueEmail(executor, { secrets, clock }, {
        template: 'registration_code',
        locale: data.locale,
        to: data.email,
        data: { code, storeName: config.storeName, minutes: Math.round(config.security.codeLifetimeSeconds / 60) },
        // The mail dies with its code.
        expiresAt,
      });
    }
  }

  return {
    async start(input: RegistrationInput): Promise<{ ok: true; flowId: string; earlier?: EarlierCode } | Failure<StartProblem>> {
      const email = checkEmail(input.email);
      if (!email.ok) return email;
      let loginName: string | null = null;
      if (input.loginName.trim() !== '') {
        const checked = checkLoginName(input.loginName);
        if (!checked.ok) return checked;
        loginName = checked.loginName;
      }
      const password = await checkNewPassword(input.password, input.passwordConfirmation, { email: email.email, loginName }, config.security);
      if (!password.ok) return password;
      // Login names are chosen to be shown and typed, so saying one is taken reveals no more
      // than trying to sign in with it; email addresses get no such answer.
      if (loginName && (await accounts.findByLoginName(loginName))) return fail('registration.login_name_taken', { field: 'login_name' });

      const passwordHash = await hasher.hash(password.password);
      const existing = await accounts.findByEmail(email.email);
      const flowId = newId();
      const target = targetFor(flowId, email.email);
      // Within the minute after a code went to this address no new one is sent (DESIGN.md §2
      // "resend", across flows): the flow starts anyway, its page counts down, and the code
      // already sent moves to it when this browser asked for that one too.
      const to = { channel: 'email' as const, destination: email.email, clientAddress: input.clientAddress };
      const reserved = await codes.reserveSend(target, to);
      if (!reserved.ok && reserved.code !== 'code.resend_too_soon') return reserved;

      const data: RegistrationData = { email: email.email, loginName, passwordHash, locale: input.locale, existingAccountId: existing?.id ?? null };
      if (input.keepSignedIn) data.keepSignedIn = true;
      await db.transaction().execute(async (trx) => {
        await flows.create(trx, {
          state: 'code_sent',
          browserId: input.browserId,
          accountId: null,
          subject: target.subject,
          typedIdentifier: input.email.trim(),
          data,
          lifetimeSeconds: config.security.flowLifetimeSeconds,
          id: flowId,
        });
        if (!reserved.ok) return;
        // A code is made for existing addresses too, and never sent: the flow then behaves
        // exactly like any other whose shopper types wrong codes.
        await mailFor(trx, data, await codes.issueCodeExpiring(trx, target, 'email'));
      });
      if (!reserved.ok) return { ok: true, flowId, earlier: await codes.takeOverEarlierCode(target, to) };
      deps.wakeCourier();
      return { ok: true, flowId };
    },

    async describe(flowId: string, browserId: string | undefined) {
      const flow = await flows.findOpen(flowId, browserId);
      if (isFailure(flow)) return flow;
      return { ok: true as const, flow, secondsUntilResend: await codes.secondsUntilResend(targetFor(flow.id, flow.data.email), 'email') };
    },

    async resend(flowId: string, browserId: string | undefined, clientAddress: string): Promise<{ ok: true } | Failure<FlowProblem | SendProblem>> {
      const flow = await flows.findOpen(flowId, browserId);
      if (isFailure(flow)) return flow;
      const data = flow.data;
      const target = targetFor(flow.id, data.email);
      const reserved = await codes.reserveSend(target, { channel: 'email', destination: data.email, clientAddress });
      if (!reserved.ok) return reserved;
      await db.transaction().execute(async (trx) => {
        await mailFor(trx, data, await codes.issueCodeExpiring(trx, target, 'email'));
      });
      deps.wakeCourier();
      return { ok: true };
    },

    /** The right code creates the account, confirmed, and signs the new shopper in. */
    async confirm(flowId: string, browserId: string | undefined, typed: TypedCode, client: { clientAddress: string; userAgent: string }) {
      const flow = await flows.findOpen(flowId, browserId);
      if (isFailure(flow)) return flow;
      const data = flow.data;
      const consumed = await codes.consumeCode(targetFor(flow.id, data.email), typed);
      if (!consumed.ok) return consumed;
      if (data.existingAccountId) return fail('code.invalid', { field: 'code' });

      // The unique indexes on email and login name decide who wins when two confirmations for
      // one address or one login name run at the same moment (a check before the INSERT cannot:
      // both would pass it). The loser's transaction rolls back whole — no account, no session,
      // its flow untouched — and it gets the answer a later confirmation would get.
      try {
        return await db.transaction().execute(async (trx) => {
          if (!(await flows.transition(trx, flow.id, 'code_sent', 'completed'))) return fail('flow.finished');
          const now = clock.now();
          const account = await accounts.insert(trx, {
            email: data.email,
            loginName: data.loginName,
            passwordHash: data.passwordHash,
            locale: data.locale,
            emailVerifiedAt: now,
            now,
          });
          await deps.events.record(trx, { accountId: account.id, type: 'email.confirmed', way: 'sign_up', from: client });
          const session = await sessions.startSession(trx, {
            accountId: account.id,
            kind: 'browser',
            authenticatedVia: 'email_code',
            userAgent: client.userAgent,
            clientAddress: client.clientAddress,
            keepSignedIn: data.keepSignedIn === true,
          });
          return { ok: true as const, ...session, accountId: account.id };
        });
      } catch (error) {
        const column = uniqueViolationColumn(error);
        // The address got its account meanwhile (another confirmation, or the CLI): this sign-up is over.
        if (column === 'email') return fail('flow.finished');
        // Someone else took the login name after this sign-up started: never drop it silently.
        if (column === 'login_name') return fail('registration.login_name_taken_meanwhile');
        throw error;
      }
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
