// "Confirm it's you" with a passkey instead of the password: only this account's passkeys are
// offered and accepted (the challenge names the account), with user verification required, as at
// a password-less sign-in. Success does exactly what the password does: the session is marked
// re-verified and gets a new token (DESIGN.md §2, a new token on every gain of privilege).
import { parseResponseText } from '../passkeys/passkey-input.ts';
import type { AuthenticationProblem, PasskeyService } from '../passkeys/passkey-service.ts';
import type { PasskeyStore } from '../passkeys/passkey-store.ts';
import type { IssuedToken, SessionService } from '../sessions/session-service.ts';
import type { Failure } from '../shared/failure.ts';
import type { Shopper } from './security-settings-service.ts';

export function createPasskeyReverify(deps: { passkeys: Pick<PasskeyService, 'authenticationOptions' | 'verifyAuthentication'>; store: Pick<PasskeyStore, 'countForAccount'>; sessions: Pick<SessionService, 'markReverified'> }) {
  const { passkeys, store, sessions } = deps;
  const binding = (shopper: Shopper) => ({ browserId: shopper.browserId ?? '', accountId: shopper.accountId, userVerification: 'required' as const });

  return {
    /** Request options for the shopper's own passkeys; null when the account has none (the page offers only the password). */
    async options(shopper: Shopper) {
      if ((await store.countForAccount(shopper.accountId)) === 0) return null;
      return (await passkeys.authenticationOptions(binding(shopper))).options;
    },

    async confirm(shopper: Shopper, response: unknown): Promise<({ ok: true } & IssuedToken) | Failure<AuthenticationProblem>> {
      const proof = await passkeys.verifyAuthentication({ ...binding(shopper), response: parseResponseText(response) });
      if (!proof.ok) return proof;
      return { ok: true, ...(await sessions.markReverified(shopper.sessionId)) };
    },
  };
}

export type PasskeyReverify = ReturnType<typeof createPasskeyReverify>;
