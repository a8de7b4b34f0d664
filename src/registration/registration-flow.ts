// A sign-up flow: one step, the emailed code, and only then an account (registration-service.ts).
//
//   code_sent --right code--> completed
import { Type } from '@sinclair/typebox';
import { defineFlow } from '../flows/flow-kind.ts';
import { locales } from '../shared/i18n.ts';

export const registrationFlow = defineFlow('registration', {
  moves: { code_sent: ['completed'] },
  data: Type.Object({
    email: Type.String(),
    loginName: Type.Union([Type.String(), Type.Null()]),
    passwordHash: Type.String(),
    locale: Type.Union(locales.map((locale) => Type.Literal(locale))),
    /** Set when the address already has an account: no code was mailed, none can succeed. */
    existingAccountId: Type.Union([Type.String(), Type.Null()]),
    /** "Keep me signed in on this device" as ticked on the sign-up form; optional for flows begun before it. */
    keepSignedIn: Type.Optional(Type.Boolean()),
  }),
});
