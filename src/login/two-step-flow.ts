// The second step of a sign-in: a flow that waits for a second factor after the right password
// (two-step-service.ts). Browser and app sign-ins are two kinds walking the same steps, so a flow
// the app started is never found from a browser, nor the other way round.
//
//   code_sent --right second factor--> completed
import { Type } from '@sinclair/typebox';
import { defineFlow } from '../flows/flow-kind.ts';

const secondStep = {
  moves: { code_sent: ['completed'] },
  data: Type.Object({
    /** Where the browser goes once signed in. */
    returnTo: Type.String(),
    locale: Type.String(),
    /** "Keep me signed in on this device", as ticked at the password step; optional, so a flow
     *  begun by a node from before it still finishes (as a short session). */
    keepSignedIn: Type.Optional(Type.Boolean()),
  }),
} as const;

export const signInFlow = defineFlow('sign_in', secondStep);
export const appSignInFlow = defineFlow('sign_in_app', secondStep);
