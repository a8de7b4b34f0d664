// The one union of failure codes and the one list of message ids, registered with
// shared/failure.ts (FailureCode) and shared/i18n.ts (MessageId) by declaration merging: shared/
// sits below every folder and may not import them, and each folder keeps its own codes and texts.
// Only this file imports every list, and nothing in src/ imports it, so no folder depends on
// another through them; `tsc` reads it with the rest of src/, so the checks below always run.
import type { FailureCode } from './shared/failure.ts';
import { requestFailureCodes } from './http/request-failures.ts';
import { flowFailureCodes } from './flows/flow-failures.ts';
import { identityFailureCodes } from './identity/identity-failures.ts';
import { registrationFailureCodes } from './registration/registration-failures.ts';
import { loginFailureCodes } from './login/login-failures.ts';
import { codeFailureCodes } from './verification/code-failures.ts';
import { sessionFailureCodes } from './sessions/session-failures.ts';
import { factorFailureCodes } from './factors/factor-failures.ts';
import { smsCapFailureCodes } from './throttling/sms-cap-failures.ts';
import { securitySettingsFailureCodes } from './settings/security-settings-failures.ts';
import { qrLoginFailureCodes } from './qr-login/qr-login-failures.ts';
import { passkeyFailureCodes } from './passkeys/passkey-failures.ts';
import { adminFailureCodes } from './admin/admin-failures.ts';
import type { commonMessages } from './http/common-messages.ts';
import type { accountMessages } from './account/account-messages.ts';
import type { registrationMessages } from './registration/registration-messages.ts';
import type { loginMessages } from './login/login-messages.ts';
import type { codeMessages } from './verification/code-messages.ts';
import type { factorMessages } from './factors/factor-messages.ts';
import type { recoveryMessages } from './recovery/recovery-messages.ts';
import type { securitySettingsMessages } from './settings/security-settings-messages.ts';
import type { qrLoginMessages } from './qr-login/qr-login-messages.ts';
import type { passkeyMessages } from './passkeys/passkey-messages.ts';
import type { adminMessages } from './admin/admin-messages.ts';
import type { oidcMessages } from './oidc/oidc-messages.ts';
import type { mailboxMessages } from './courier/mailbox-messages.ts';
import type { emailMessages } from './courier/templates/email-messages.ts';
import type { smsMessages } from './courier/templates/sms-messages.ts';

const lists = {
  request: requestFailureCodes,
  flows: flowFailureCodes,
  identity: identityFailureCodes,
  registration: registrationFailureCodes,
  login: loginFailureCodes,
  verification: codeFailureCodes,
  sessions: sessionFailureCodes,
  factors: factorFailureCodes,
  smsCaps: smsCapFailureCodes,
  securitySettings: securitySettingsFailureCodes,
  qrLogin: qrLoginFailureCodes,
  passkeys: passkeyFailureCodes,
  admin: adminFailureCodes,
} as const;

type CodesOf<Folders> = { [Folder in keyof Folders]: Folders[Folder] extends readonly (infer Code)[] ? Code : never };

/** The ids of the catalogs pages and API answers read (failures are shown from these). */
type PageMessageId = keyof (typeof commonMessages &
  typeof accountMessages &
  typeof registrationMessages &
  typeof loginMessages &
  typeof codeMessages &
  typeof factorMessages &
  typeof recoveryMessages &
  typeof securitySettingsMessages &
  typeof qrLoginMessages &
  typeof passkeyMessages &
  typeof adminMessages &
  typeof oidcMessages);
type MailMessageId = keyof (typeof mailboxMessages & typeof emailMessages & typeof smsMessages);

declare module './shared/failure.ts' {
  interface FailureCodeLists extends CodesOf<typeof lists> {}
}

declare module './shared/i18n.ts' {
  interface MessageIdLists {
    pages: PageMessageId;
    mail: MailMessageId;
  }
}

type FailureCodesWithoutWords = Exclude<FailureCode, PageMessageId>;
/**
 * Fails `npm run typecheck`, naming the codes, when a failure has no text in a page catalog
 * (shared/i18n.ts `catalog` already holds each catalog to both languages).
 */
export const everyFailureCodeHasWords: [FailureCodesWithoutWords] extends [never] ? true : FailureCodesWithoutWords = true;

/** Every code, for the run-time backstop (test/http/failure-codes.test.ts). */
export const failureCodes: readonly FailureCode[] = Object.values(lists).flat();
