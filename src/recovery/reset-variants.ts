// Recovery and Change password walk the same steps (the seed: "you will be redirected to the same
// page as password recovery, you need to go through the same steps"). What differs between them is
// named here, once — every page and route takes a variant instead of asking which kind it is:
//
//   recovery         anyone, from "Forgot password?" on the sign-in page; starts at /recovery
//   password change  the signed-in shopper, for their own account, from My account → Settings, and
//                    only while the session has proved the password lately ("Confirm it's you")
import type { MessageId } from '../shared/i18n.ts';
import type { PasswordResetKind, ResetPage } from './password-reset-flow.ts';

export interface ResetVariant {
  kind: PasswordResetKind;
  /** Only a signed-in session, for its own account, that proved the password lately. */
  needsSession: boolean;
  paths: {
    /** Where the flow starts, and where "start over" leads. */
    start: string;
    code: string;
    resend: string;
    otherWays: string;
    sms: string;
    smsSend: string;
    authenticator: string;
    backupCode: string;
    passkey: string;
    password: string;
    done: string;
  };
  words: {
    /** "We sent a code to …" on the email code page. */
    sentTo: MessageId;
    /** The link back out of the steps. */
    startOver: MessageId;
    doneText: MessageId;
    /** The done page's button: sign in with the new password, or back to My account. */
    doneNext: { href: string; label: MessageId };
  };
}

export const recovery: ResetVariant = {
  kind: 'recovery',
  needsSession: false,
  paths: {
    start: '/recovery',
    code: '/recovery/code',
    resend: '/recovery/resend',
    otherWays: '/recovery/other-ways',
    sms: '/recovery/sms',
    smsSend: '/recovery/sms/send',
    authenticator: '/recovery/authenticator',
    backupCode: '/recovery/backup-code',
    passkey: '/recovery/passkey',
    password: '/recovery/password',
    done: '/recovery/done',
  },
  words: { sentTo: 'recovery.sent_to', startOver: 'code_page.start_over', doneText: 'done.recovery_text', doneNext: { href: '/login', label: 'done.sign_in' } },
};

export const passwordChange: ResetVariant = {
  kind: 'password_change',
  needsSession: true,
  paths: {
    start: '/account/settings',
    code: '/account/password/code',
    resend: '/account/password/resend',
    otherWays: '/account/password/other-ways',
    sms: '/account/password/sms',
    smsSend: '/account/password/sms/send',
    authenticator: '/account/password/authenticator',
    backupCode: '/account/password/backup-code',
    passkey: '/account/password/passkey',
    password: '/account/password/new',
    done: '/account/password/done',
  },
  words: { sentTo: 'change.sent_to', startOver: 'done.back_to_account', doneText: 'done.change_text', doneNext: { href: '/account', label: 'done.back_to_account' } },
};

/** The address of one of the variant's pages for a flow; `then` says the proof before was accepted. */
export function pathTo(variant: ResetVariant, page: ResetPage, flowId: string, options: { then?: boolean } = {}): string {
  const { paths } = variant;
  const path = { code: paths.code, totp: paths.authenticator, backup_code: paths.backupCode, password: paths.password, done: paths.done }[page];
  const then = options.then && page !== 'password' && page !== 'done' ? '&then=1' : '';
  return `${path}?flow=${flowId}${then}`;
}
