// Sign-in by email or login name and password. Unknown account, wrong password and locked account
// give one answer after the same work (a dummy argon2 verify), so neither the words nor the
// timing tell whether an account exists (DESIGN.md §2 "enumeration").
import type { SecurityConfig } from '../config/config.ts';
import type { Account, AccountStore } from '../identity/account-store.ts';
import type { FactorSummary } from '../factors/factor-store.ts';
import { hasInvisibleCharacter, parseIdentifier } from '../identity/identifiers.ts';
import type { PasswordHasher } from '../identity/password-hasher.ts';
import { normalizePassword } from '../identity/password-policy.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { LoginThrottle } from '../throttling/login-throttle.ts';
import type { AuthenticationProblem, PasskeyService } from '../passkeys/passkey-service.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import type { RateEvents } from '../throttling/rate-events.ts';

/** Why a passkey sign-in is refused: an unknown, removed or locked account's passkey all answer `passkey.not_accepted`. */
export type PasskeySignInProblem = 'login.throttled' | AuthenticationProblem;

export interface PasskeySignInRequest {
  /** What the challenge was bound to: the browser cookie's id, or the app's sign-in id. */
  browserId: string;
  response: unknown;
  clientAddress: string;
  userAgent: string;
  kind?: 'browser' | 'app';
  keepSignedIn?: boolean;
}

export type LoginProblem = 'login.invalid_credentials' | 'login.throttled' | 'login.missing_fields' | 'identity.invisible_character';

export interface SignInRequest {
  identifier: string;
  password: string;
  clientAddress: string;
  userAgent: string;
  /** 'app' for the store's mobile app (30-day bearer session); browsers by default. */
  kind?: 'browser' | 'app';
  /** "Keep me signed in on this device" was ticked (browsers). */
  keepSignedIn?: boolean;
}

export interface SignedInResult {
  ok: true;
  token: string;
  sessionId: string;
  expiresAt: number;
  keptSignedIn: boolean;
  accountId: string;
}

/** The password was right, and the account has two-step verification on: no session yet. */
export interface SecondFactorNeeded {
  ok: true;
  needsSecondFactor: true;
  account: Account;
  /** What the account can verify with; the second step starts from these. */
  factors: FactorSummary;
}

export function createLoginService(deps: {
  db: Database;
  /** Two-step sign-in (login/two-step-service.ts) decides whether the password is enough: null when it is. */
  secondFactorsRequired: (account: Account) => Promise<FactorSummary | null>;
  passkeys: Pick<PasskeyService, 'authenticationOptions' | 'verifyAuthentication'>;
  accounts: AccountStore;
  hasher: PasswordHasher;
  sessions: SessionService;
  throttle: LoginThrottle;
  rateEvents: RateEvents;
  secrets: Secrets;
  clock: Clock;
  security: SecurityConfig;
  events: SecurityEvents;
}) {
  const { db, accounts, hasher, sessions, throttle, rateEvents, secrets, clock, security } = deps;
  const clientRule = {
    bucket: 'login_failure_client',
    limit: security.loginFailuresPerClient,
    windowSeconds: security.loginFailuresClientWindowSeconds,
  };

  /** The session a sign-in earned, recorded with how it was proved. */
  async function signedIn(accountId: string, authenticatedVia: 'password' | 'passkey', request: { kind?: 'browser' | 'app'; userAgent: string; clientAddress: string; keepSignedIn?: boolean }) {
    const { userAgent, clientAddress, keepSignedIn } = request;
    const session = await sessions.startSession(db, { accountId, kind: request.kind ?? 'browser', authenticatedVia, userAgent, clientAddress, keepSignedIn });
    return { ok: true as const, ...session, accountId };
  }

  return {
    async signIn(request: SignInRequest): Promise<SignedInResult | SecondFactorNeeded | Failure<LoginProblem>> {
      if (request.identifier.trim() === '' || request.password === '') return fail('login.missing_fields');
      // Says only what is wrong with what was typed, nothing about any account.
      if (hasInvisibleCharacter(request.identifier)) return fail('identity.invisible_character', { field: 'identifier' });
      // Both limits are claimed before the password is checked (the attempt counts as a failure
      // until it succeeds), so a burst of parallel guesses cannot all slip past them.
      const clientClaim = await rateEvents.claim(clientRule, `client:${request.clientAddress}`);
      if (!clientClaim.ok) return fail('login.throttled', { retryAfterSeconds: clientClaim.retryAfterSeconds });

      const parsed = parseIdentifier(request.identifier);
      const account = parsed.ok ? await accounts.findByIdentifier(parsed.identifier) : undefined;
      // Unknown identifiers are throttled under a keyed hash of what was typed (in its one stored
      // form, so both spellings of a domain share a delay), so the delays look the same as for a
      // real account.
      const typed = parsed.ok ? parsed.identifier.value : request.identifier.normalize('NFKC').trim().toLowerCase();
      const subject = account ? `account:${account.id}` : `unknown:${secrets.keyedHash('login-identifier', typed)}`;
      // A refusal is recorded for the account, and for no account with the same insert, so the
      // time it takes does not tell whether the account exists.
      const refused = (code: 'login.throttled' | 'login.invalid_credentials') =>
        deps.events.record(db, { accountId: account?.id ?? null, type: 'sign_in.failed', way: 'password', result: code, from: request });
      const wait = await throttle.claimAttempt(subject);
      if (wait > 0) {
        await rateEvents.release(clientClaim.id); // a refused attempt is not a failure
        await refused('login.throttled');
        return fail('login.throttled', { retryAfterSeconds: wait });
      }

      const password = normalizePassword(request.password);
      let passwordIsRight = false;
      if (account?.password_hash) passwordIsRight = await hasher.verify(account.password_hash, password);
      else await hasher.verifyAgainstDummy(password);

      if (!account || !passwordIsRight || account.locked_at !== null) {
        await refused('login.invalid_credentials');
        return fail('login.invalid_credentials');
      }

      await throttle.clear(subject);
      await rateEvents.release(clientClaim.id);
      if (hasher.needsRehash(account.password_hash!)) {
        await accounts.setPasswordHash(db, account.id, await hasher.hash(password), clock.now());
      }
      const factors = await deps.secondFactorsRequired(account);
      if (factors) return { ok: true, needsSecondFactor: true, account, factors };
      return signedIn(account.id, 'password', request);
    },

    /**
     * Options for "Sign in with a passkey" and the identifier field's autofill: discoverable
     * credentials (no account is named, so the page is the same for everyone), user verification
     * required — a passkey that checked the shopper's fingerprint or PIN is two factors in one.
     */
    passkeyOptions: (browserId: string) => deps.passkeys.authenticationOptions({ browserId, userVerification: 'required' }),

    /**
     * Sign-in by passkey. Counted against the client address's sign-in failures like a password
     * (claimed first, released on success), so a stream of made-up assertions meets the same limit.
     * No second step even with two-step on: the passkey proved possession and, by its user
     * verification, something the shopper knows or is. An unknown, removed or locked account's
     * credential get one answer after the same work (passkey-service.ts).
     */
    async signInWithPasskey(request: PasskeySignInRequest): Promise<SignedInResult | Failure<PasskeySignInProblem>> {
      const clientClaim = await rateEvents.claim(clientRule, `client:${request.clientAddress}`);
      if (!clientClaim.ok) return fail('login.throttled', { retryAfterSeconds: clientClaim.retryAfterSeconds });
      const proof = await deps.passkeys.verifyAuthentication({ browserId: request.browserId, response: request.response, userVerification: 'required' });
      if (!proof.ok) return proof;
      await rateEvents.release(clientClaim.id);
      return signedIn(proof.accountId, 'passkey', request);
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
