// The steps shared by password recovery and Change password (the seed: "you will be redirected to
// the same page as password recovery, you need to go through the same steps"):
//
//   code_sent --right code--> verified --new password--> completed
//   (code_sent --a proof, one still missing--> code_sent: the proof is recorded in the data)
//
// Two kinds of flow walk them: 'recovery' (anyone, from "Forgot password?") and
// 'password_change' (a signed-in shopper, bound to their own account). Each kind is its own code
// purpose, so a code from one never works in the other or in sign-up.
import { Type, type Static } from '@sinclair/typebox';
import type { FactorSummary } from '../factors/factor-store.ts';
import { defineFlow, type StateOf } from '../flows/flow-kind.ts';
import type { CodeBudget } from '../verification/code-service.ts';

export type PasswordResetKind = 'recovery' | 'password_change';

/**
 * Whose code budgets a kind spends (verification/code-service.ts): recovery's is the one a
 * stranger who knows the email can spend, so Change password, behind a session that has just
 * proved the password, keeps a budget of its own and cannot be blocked from outside.
 */
export const codeBudgetOf = (kind: PasswordResetKind): CodeBudget => (kind === 'password_change' ? 'signed_in' : 'recovery');

/**
 * Proofs come in two kinds (DESIGN.md §2 "second factor"): a code sent to something the account
 * owns (email or text message), and — for an account with an authenticator app or backup codes —
 * one of those, or a passkey, as well. Either may come first.
 */
const proofsSchema = Type.Object({
  channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
  // A passkey stands for the authenticator app or backup codes (issue 10): the one proof a
  // phishing page cannot relay is at least as good as either.
  factor: Type.Optional(Type.Union([Type.Literal('totp'), Type.Literal('backup_code'), Type.Literal('passkey')])),
});
export type Proofs = Static<typeof proofsSchema>;

const passwordResetSteps = {
  // A proof that leaves one missing stays in code_sent (with the proof recorded); the last one
  // moves to verified. Nothing reaches completed without passing verified.
  moves: { code_sent: ['code_sent', 'verified'], verified: ['completed'] },
  data: Type.Object({
    /** Where the code went, as the page may show it (only what the visitor typed, in recovery). */
    destination: Type.String(),
    /** What the shopper has proved so far in this flow. */
    proved: Type.Optional(proofsSchema),
  }),
} as const;

export const recoveryFlow = defineFlow('recovery', passwordResetSteps);
export const passwordChangeFlow = defineFlow('password_change', passwordResetSteps);

export type PasswordResetState = StateOf<typeof passwordResetSteps.moves>;
export type PasswordResetData = Static<typeof passwordResetSteps.data>;

export type Proof = { channel: 'email' | 'sms' } | { factor: 'totp' | 'backup_code' | 'passkey' };

/** The pages a flow can stand at. The email or text code comes first or second; `totp` and
 *  `backup_code` are the factor pages; `password` is reached only with every proof given. */
export type ResetPage = 'code' | 'totp' | 'backup_code' | 'password' | 'done';

/** Where a flow goes after a proof (never 'done': only the new password finishes it). */
export type NextStep = Exclude<ResetPage, 'done'>;

/** The factor page an account is sent to: its authenticator, or backup codes when it has only those. */
export const factorStepOf = (factors: FactorSummary): 'totp' | 'backup_code' => (factors.totp ? 'totp' : 'backup_code');

/** Where the flow goes after a proof: the new password, or the kind of proof still missing. */
export function stepAfter(proved: Proofs, factors: FactorSummary): NextStep {
  if (!proved.channel) return 'code';
  const needsFactor = factors.totp || factors.backupCodesLeft > 0;
  if (needsFactor && !proved.factor) return factorStepOf(factors);
  return 'password';
}

/**
 * Where a flow stands: every GET of a step and every redirect after one asks this, so no route
 * decides it again. `factors` matter only once the email or a text is proved: the page is then the
 * account's authenticator, or backup codes when it has only those (an unknown account: the
 * authenticator page, like any other).
 */
export function pageFor(flow: { state: PasswordResetState; proved: Proofs }, factors: FactorSummary | null): ResetPage {
  if (flow.state === 'completed') return 'done';
  if (flow.state === 'verified') return 'password';
  if (!flow.proved.channel) return 'code';
  return factors ? factorStepOf(factors) : 'totp';
}
