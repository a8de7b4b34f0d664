// /api/v1/admin (issue 12 §6): every route behind the admin token check, in a scope of its own
// so the check runs first (onRequest) — before the body is read or validated: without a token a
// caller learns nothing, not even which input would have been refused.
import type { FastifyInstance } from 'fastify';
import type { RateEvents } from '../throttling/rate-events.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { AccountActionDeps } from './account-actions.ts';
import { registerAdminAccountRoutes } from './admin-account-routes.ts';
import { adminAuthentication } from './admin-auth.ts';
import { registerAdminImportRoute } from './admin-import-route.ts';
import { registerAdminOutboxRoutes } from './admin-outbox-routes.ts';
import { createAdminTokens } from './admin-tokens.ts';

export async function registerAdminRoutes(app: FastifyInstance, deps: AccountActionDeps & { secrets: Secrets; rateEvents: RateEvents; wakeCourier: () => void }) {
  const tokens = createAdminTokens(deps.db, deps.clock);
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminAuthentication({ db: deps.db, tokens, rateEvents: deps.rateEvents }));
    registerAdminAccountRoutes(admin, deps);
    registerAdminOutboxRoutes(admin, deps);
    registerAdminImportRoute(admin, deps);
  });
}
