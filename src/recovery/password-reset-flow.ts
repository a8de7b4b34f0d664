// The steps shared by password recovery and Change password (the seed: "you will be redirected to
// the same page as password recovery, you need to go through the same steps"):
//
//   code_sent --right code--> verified --new password--> completed
//
// Two kinds of flow walk them: 'recovery' (anyone, from "Forgot password?") and
// 'password_change' (a signed-in shopper, bound to their own account). Each kind is its own code
// purpose, so a code from one never works in the other or in sign-up.
import type { FactorSummary } from '../factors/factor-store.ts';

export type PasswordResetKind = 'recovery' | 'password_change';

export interface PasswordResetData {
  /** Where the code went, as the page may show it (only what the visitor typed, in recovery). */
  destination: string;
  /** What the shopper has proved so far in this flow. */
  proved?: Proofs;
}

/**
 * Proofs come in two kinds (DESIGN.md §2 "second factor"): a code sent to something the account
 * owns (email or text message), and — for an account with an authenticator app or backup codes —
 * one of those as well. Either may come first.
 */
export interface Proofs {
  channel?: 'email' | 'sms';
  factor?: 'totp' | 'backup_code';
}

export type Proof = { channel: 'email' | 'sms' } | { factor: 'totp' | 'backup_code' };

export type NextStep = 'choose_password' | 'channel' | 'totp' | 'backup_code';

/** The factor page an account is sent to: its authenticator, or backup codes when it has only those. */
export const factorStepOf = (factors: FactorSummary): 'totp' | 'backup_code' => (factors.totp ? 'totp' : 'backup_code');

/** Where the flow goes after a proof: the new password, or the kind of proof still missing. */
export function stepAfter(proved: Proofs, factors: FactorSummary): NextStep {
  if (!proved.channel) return 'channel';
  const needsFactor = factors.totp || factors.backupCodesLeft > 0;
  if (needsFactor && !proved.factor) return factorStepOf(factors);
  return 'choose_password';
}

/** URL prefix of each kind's pages. */
export const pathsFor = (kind: PasswordResetKind) =>
  kind === 'recovery'
    ? { ...stepPaths('/recovery'), password: '/recovery/password', start: '/recovery' }
    : { ...stepPaths('/account/password'), password: '/account/password/new', start: '/account/settings' };

const stepPaths = (base: string) => ({
  code: `${base}/code`,
  resend: `${base}/resend`,
  otherWays: `${base}/other-ways`,
  sms: `${base}/sms`,
  smsSend: `${base}/sms/send`,
  authenticator: `${base}/authenticator`,
  backupCode: `${base}/backup-code`,
  done: `${base}/done`,
});

/** The page for the step after a proof; `then=1` tells it to say the previous proof was accepted. */
export function nextStepPath(paths: ReturnType<typeof pathsFor>, flowId: string, next: NextStep): string {
  if (next === 'choose_password') return `${paths.password}?flow=${flowId}`;
  if (next === 'totp') return `${paths.authenticator}?flow=${flowId}&then=1`;
  if (next === 'backup_code') return `${paths.backupCode}?flow=${flowId}&then=1`;
  return `${paths.code}?flow=${flowId}&then=1`;
}
