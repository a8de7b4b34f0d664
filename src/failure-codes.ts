// The one union of failure codes: each folder's list, joined here and registered with
// shared/failure.ts (FailureCode). Only this file imports every list, and nothing in src/ imports
// it, so no folder depends on another through its codes; `tsc` reads it with the rest of src/.
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
import type { FailureCode } from './shared/failure.ts';
import type { commonMessages } from './http/common-messages.ts';
import type { accountMessages } from './account/account-messages.ts';
import type { registrationMessages } from './registration/registration-messages.ts';
import type { loginMessages } from './login/login-messages.ts';
import type { codeMessages } from './verification/code-messages.ts';
import type { factorMessages } from './factors/factor-messages.ts';
import type { recoveryMessages } from './recovery/recovery-messages.ts';
import type { securitySettingsMessages } from './settings/security-settings-messages.ts';
import type { qrLoginMessages } from './qr-login/qr-login-messages.ts';

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
} as const;

type CodesOf<Folders> = { [Folder in keyof Folders]: Folders[Folder] extends readonly (infer Code)[] ? Code : never };

declare module './shared/failure.ts' {
  interface FailureCodeLists extends CodesOf<typeof lists> {}
}

/** The catalogs a page or API answer can show a failure from. */
type ShopperMessageId = keyof (typeof commonMessages & typeof accountMessages & typeof registrationMessages & typeof loginMessages & typeof codeMessages & typeof factorMessages & typeof recoveryMessages & typeof securitySettingsMessages & typeof qrLoginMessages);

type FailureCodesWithoutWords = Exclude<FailureCode, ShopperMessageId>;
/** Fails `npm run typecheck`, naming the codes, when a failure has no text in some catalog (each catalog has both languages). */
export const everyFailureCodeHasWords: [FailureCodesWithoutWords] extends [never] ? true : FailureCodesWithoutWords = true;

/** Every code, for the run-time backstop test (test/shared/failure-codes.test.ts). */
export const failureCodes: readonly FailureCode[] = Object.values(lists).flat();
