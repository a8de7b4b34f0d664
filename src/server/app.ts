// Assembles the Fastify app: http/'s plumbing (parsers, cookies, context, CSRF, headers, errors)
// and then each flow's routes. Routes receive only the services they use. It lives here, above
// every flow, so that http/ stays a library no flow's import leads back out of.
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { Config } from '../config/config.ts';
import { registerBodyParsers } from '../http/body-parsing.ts';
import { fastifyTrustProxy } from '../http/client-address.ts';
import { registerRequestContext } from '../http/request-context.ts';
import { registerCsrfGuard } from '../http/csrf-guard.ts';
import { registerPlainTextGuard } from '../http/plain-text-guard.ts';
import { registerSecurityHeaders } from '../http/security-headers.ts';
import { registerHostGuard } from '../http/host-guard.ts';
import { frameworkErrorHandler, registerErrorHandling } from '../http/error-handler.tsx';
import { registerSiteRoutes } from '../http/site-routes.tsx';
import { isProbe } from '../http/probe.ts';
import { registerHealthRoutes } from '../operations/health-routes.ts';
import { createReadinessCheck } from '../operations/readiness.ts';
import { registerLoginRoutes } from '../login/login-routes.tsx';
import { registerRegistrationRoutes } from '../registration/registration-routes.tsx';
import { drawSettingsPage, registerAccountRoutes } from '../account/account-routes.tsx';
import { registerRecoveryRoutes } from '../recovery/recovery-routes.tsx';
import { registerTwoStepRoutes } from '../login/two-step-routes.tsx';
import { registerAppSecondStepRoutes } from '../login/app-second-step-routes.ts';
import { registerPhoneSetupRoutes } from '../settings/phone-setup-routes.tsx';
import { registerReverifyRoutes } from '../settings/reverify-routes.tsx';
import { registerSecuritySettingsRoutes } from '../settings/security-settings-routes.tsx';
import { registerPasswordChangeRoutes } from '../recovery/password-change-routes.tsx';
import { registerSecurityPageRoute } from '../settings/security-page-routes.tsx';
import { registerAppPasskeySignInRoutes } from '../login/app-passkey-sign-in-routes.ts';
import { registerPasskeyRoutes } from '../settings/passkey-routes.tsx';
import { registerPasskeyAppRoutes } from '../settings/passkey-app-routes.ts';
import { registerActivityPage } from '../settings/activity-page.tsx';
import { createQrPanelRenderer, registerQrLoginRoutes } from '../qr-login/qr-login-routes.tsx';
import { registerAppApiRoutes } from '../qr-login/app-api-routes.ts';
import { registerSessionRoutes } from '../sessions/session-routes.ts';
import { registerMailboxRoutes } from '../courier/mailbox-routes.tsx';
import { appNameFinder, registerOidcRoutes } from '../oidc/oidc-routes.tsx';
import { countRequests, registerMetricsRoute } from '../operations/metrics-routes.ts';
import { registerAdminRoutes } from '../admin/admin-routes.ts';
import type { Services } from './services.ts';
import { buildSerializer, buildValidator } from './schema-compilers.ts';
import { registerOpenApi } from '../operations/openapi.ts';
import { registerBrandRoutes } from '../http/brand-routes.ts';

/** Form posts are a few hundred bytes; 64 KiB leaves room and refuses floods early (413). */
const BODY_LIMIT = 64 * 1024;

export async function buildApp(config: Config, services: Services, logger: object | false): Promise<FastifyInstance> {
  // The installation's own facts travel on each request's context (request.ctx.storeName).
  const site = { storeName: config.storeName, brand: config.brand, keepSignedIn: config.security.keepSignedIn };
  const app = Fastify({
    loggerInstance: logger as any,
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    logController: new LogController({ disableRequestLogging: true }),
    // Our own ids in URLs are UUIDs; anything longer is an attack or a mistake.
    routerOptions: { maxParamLength: 100 },
    frameworkErrors: frameworkErrorHandler(site),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
  });
  const publicOrigin = new URL(config.publicUrl).origin;

  // First: a request for another host name (DNS rebinding) is refused before any other work.
  registerHostGuard(app, { publicUrl: config.publicUrl, devMailbox: config.devMailbox });
  await app.register(fastifyCookie);
  registerBodyParsers(app);
  registerRequestContext(app, { secrets: services.secrets, sessions: services.sessions, site });
  registerCsrfGuard(app, { secrets: services.secrets, publicOrigin });
  registerPlainTextGuard(app);
  registerSecurityHeaders(app, { publicUrl: config.publicUrl });
  registerErrorHandling(app, site);
  // One line per request with the route pattern, never the raw URL (flow ids and tokens stay out of logs).
  // A callback hook (no promise per response): as an async hook it cost whoami ~6% of its CPU.
  // Health probes are not logged: every load balancer asks each node every few seconds.
  app.addHook('onResponse', (request, reply, done) => {
    if (isProbe(request)) return done();
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  // Before the routes: the OpenAPI document is made from the routes registered after it.
  await registerOpenApi(app, { publicUrl: config.publicUrl });

  if (services.metrics) {
    countRequests(app, services.metrics);
    if (config.metrics.token) registerMetricsRoute(app, { metrics: services.metrics, token: config.metrics.token });
  }

  // "Use a passkey", for every flow that offers it (passkeys/passkey-way.tsx).
  const passkeyWay = { passkeys: services.passkeys, codes: services.codes };
  registerHealthRoutes(app, { readiness: createReadinessCheck({ database: services.database, logger: services.logger.child({ component: 'readiness' }) }) });
  registerSiteRoutes(app);
  registerBrandRoutes(app, site);
  registerSessionRoutes(app, { sessions: services.sessions });
  registerLoginRoutes(app, { login: services.login, twoStep: services.twoStep, sessions: services.sessions, clock: services.clock, renderQrPanel: createQrPanelRenderer(services.qrLogin), appNameFor: appNameFinder(services.oidc) });
  registerOidcRoutes(app, { oidc: services.oidc, publicUrl: config.publicUrl });
  registerAppSecondStepRoutes(app, { twoStep: services.twoStep });
  registerAppPasskeySignInRoutes(app, { login: services.login });
  registerTwoStepRoutes(app, { twoStep: services.twoStep, sessions: services.sessions, clock: services.clock, config, passkeyWay });
  registerQrLoginRoutes(app, { qrLogin: services.qrLogin, sessions: services.sessions, clock: services.clock, publicUrl: config.publicUrl });
  registerAppApiRoutes(app, { qrLogin: services.qrLogin, login: services.login, twoStep: services.twoStep, sessions: services.sessions });
  registerRegistrationRoutes(app, { registration: services.registration, sessions: services.sessions, clock: services.clock, security: config.security });
  registerAccountRoutes(app, { db: services.db, accounts: services.accounts, sessions: services.sessions, clock: services.clock });
  registerSecurityPageRoute(app, { sessions: services.sessions, sessionIdleSeconds: config.security.sessionIdleSeconds, factors: services.factors, passkeys: services.passkeyStore, textsAvailable: services.smsAvailable, appsWithAccess: services.oidc.consents.appsWithAccess });
  const resetSteps = { passwordReset: services.passwordReset, otherWays: services.otherWays, security: config.security, clock: services.clock, passkeyWay };
  registerRecoveryRoutes(app, resetSteps);
  registerPasswordChangeRoutes(app, { ...resetSteps, drawSettings: drawSettingsPage });
  registerReverifyRoutes(app, { settings: services.securitySettings, passkeyReverify: services.passkeyReverify, clock: services.clock });
  registerPhoneSetupRoutes(app, { settings: services.securitySettings, config });
  registerSecuritySettingsRoutes(app, { settings: services.securitySettings, clock: services.clock });
  registerPasskeyRoutes(app, { settings: services.passkeySettings, factors: services.factors, clock: services.clock });
  registerActivityPage(app, { events: services.events, now: () => services.clock.now() });
  registerPasskeyAppRoutes(app, { passkeys: services.passkeySettings, settings: services.securitySettings, sessions: services.sessions });
  await registerAdminRoutes(app, { db: services.db, clock: services.clock, accounts: services.accounts, factors: services.factors, sessions: services.sessions, events: services.events, secrets: services.secrets, rateEvents: services.rateEvents, wakeCourier: () => services.dispatcher.wake() });
  if (config.devMailbox && (services.mailCatcher || services.smsCatcher)) registerMailboxRoutes(app, { catcher: services.mailCatcher, smsCatcher: services.smsCatcher });
  return app;
}
