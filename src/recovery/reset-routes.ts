// Every page of a recovery or Change password flow after its start, in the order a shopper meets
// them: the proofs (reset-steps.tsx), the list of other ways, the new password and done.
import type { FastifyInstance } from 'fastify';
import { registerNewPasswordRoutes } from './new-password-routes.tsx';
import { registerOtherWaysRoutes } from './other-ways-routes.tsx';
import type { ResetDeps } from './reset-caller.ts';
import { registerResetSteps } from './reset-steps.tsx';
import type { ResetVariant } from './reset-variants.ts';

export function registerResetFlow(app: FastifyInstance, variant: ResetVariant, deps: ResetDeps) {
  registerResetSteps(app, variant, deps);
  registerOtherWaysRoutes(app, variant, deps);
  registerNewPasswordRoutes(app, variant, deps);
}
