// Set-ups in My account → Security are flows bound to this browser and this account: nothing is
// saved until the new phone's code or the authenticator's first code comes back
// (security-settings-service.ts).
//
//   code_sent --right code--> completed
import { Type } from '@sinclair/typebox';
import { defineFlow } from '../flows/flow-kind.ts';

export const phoneSetupFlow = defineFlow('phone_setup', {
  moves: { code_sent: ['completed'] },
  data: Type.Object({
    /** Sealed to the account (secrets.sealBound): the row never holds a readable number. */
    numberSealed: Type.String(),
    /** As pages may show it: "+7 *** ***-**-12". */
    masked: Type.String(),
  }),
});

export const totpSetupFlow = defineFlow('totp_setup', {
  moves: { code_sent: ['completed'] },
  data: Type.Object({
    /** The secret being enrolled, sealed to the account. */
    secretSealed: Type.String(),
  }),
});
