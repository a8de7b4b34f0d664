// The steps shared by password recovery and Change password (the seed: "you will be redirected to
// the same page as password recovery, you need to go through the same steps"):
//
//   code_sent --right code--> verified --new password--> completed
//
// Two kinds of flow walk them: 'recovery' (anyone, from "Forgot password?") and
// 'password_change' (a signed-in shopper, bound to their own account). Each kind is its own code
// purpose, so a code from one never works in the other or in sign-up.
export type PasswordResetKind = 'recovery' | 'password_change';

export type PasswordResetState = 'code_sent' | 'verified' | 'completed';

export interface PasswordResetData {
  /** Where the code went, as the page may show it (only what the visitor typed, in recovery). */
  destination: string;
}

/** The step a flow in this state may take next; anything else is a replay or a skipped step. */
export function nextStep(state: string): 'enter_code' | 'choose_password' | 'done' {
  if (state === 'code_sent') return 'enter_code';
  if (state === 'verified') return 'choose_password';
  return 'done';
}

/** URL prefix of each kind's pages. */
export const pathsFor = (kind: PasswordResetKind) =>
  kind === 'recovery'
    ? { code: '/recovery/code', resend: '/recovery/resend', otherWays: '/recovery/other-ways', password: '/recovery/password', done: '/recovery/done', start: '/recovery' }
    : { code: '/account/password/code', resend: '/account/password/resend', otherWays: '/account/password/other-ways', password: '/account/password/new', done: '/account/password/done', start: '/account/settings' };
