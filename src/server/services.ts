// Wires the services together: configuration → database → stores → services. The HTTP app is
// built on top of them in app.ts, and compose.ts puts the two together; the CLI uses the
// services alone.
import { createMetrics } from '../operations/metrics.ts';
import { deliveryObserver, instrumentGatehouse } from '../operations/instrument.ts';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { openDatabase, type Database, type OpenDatabase } from '../storage/database.ts';
import { migrateToLatest } from '../storage/migrations.ts';
import { createAccountStore } from '../identity/account-store.ts';
import { createPasswordHasher } from '../identity/password-hasher.ts';
import { createSessionStore } from '../sessions/session-store.ts';
import { createSessionService } from '../sessions/session-service.ts';
import { createFlowStore } from '../flows/flow-store.ts';
import { createCodeService } from '../verification/code-service.ts';
import { createRateEvents } from '../throttling/rate-events.ts';
import { createLoginThrottle } from '../throttling/login-throttle.ts';
import { createLoginService } from '../login/login-service.ts';
import { createTwoStepService } from '../login/two-step-service.ts';
import { createRegistrationService } from '../registration/registration-service.ts';
import { createPasswordResetService } from '../recovery/password-reset-service.ts';
import { createFactorStore } from '../factors/factor-store.ts';
import { createFactorChecks } from '../factors/factor-checks.ts';
import { createOtherWaysService } from '../recovery/other-ways-service.ts';
import { createSecuritySettingsService } from '../settings/security-settings-service.ts';
import { createPasskeyStore } from '../passkeys/passkey-store.ts';
import { createPasskeyService } from '../passkeys/passkey-service.ts';
import { createPasskeySettingsService } from '../settings/passkey-settings-service.ts';
import { createPasskeyReverify } from '../settings/reverify-by-passkey.ts';
import { createSecurityNotices } from '../settings/security-notices.ts';
import { createQrLoginService } from '../qr-login/qr-login-service.ts';
import { createQrLoginStore } from '../qr-login/qr-login-store.ts';
import { createQrNotifier } from '../qr-login/qr-notifier.ts';
import { enqueueEmail, enqueueSms, recordDecoySms } from '../courier/outbox.ts';
import { createDispatcher, type Dispatcher } from '../courier/dispatcher.ts';
import { createSmtpSender } from '../courier/smtp-transport.ts';
import type { MailCatcher } from '../courier/mail-catcher.ts';
import { createTwilioSmsSender, type TwilioSmsSenderOptions } from '../courier/sms-transport.ts';
import type { SmsCatcher } from '../courier/sms-catcher.ts';
import { createSmsCaps } from '../throttling/sms-caps.ts';
import { startHousekeeping } from '../housekeeping/delete-old-rows.ts';
import { startOidc } from '../oidc/oidc-service.ts';
import { createSecrets } from '../shared/secrets.ts';
import { resolveSecret } from './secret-key.ts';
import { createSecurityEvents } from '../activity/security-events.ts';
import { createWebhookEndpoints } from '../webhooks/webhook-endpoints.ts';
import { createWebhookSender } from '../webhooks/webhook-sender.ts';
import { webhookQueue } from '../webhooks/webhook-queue.ts';
import { systemClock, type Clock } from '../shared/clock.ts';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    // Belt and braces: the code never logs these, and pino drops them if a future line tries.
    redact: { paths: ['password', 'code', 'token', 'email', '*.password', '*.code', '*.token', '*.email', 'req.headers.cookie', 'req.headers.authorization'], censor: '[hidden]' },
  });
}

export async function createServices(config: Config, options: { clock?: Clock; logger: Logger; database?: OpenDatabase; runDispatcher?: boolean }) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  // Metrics only when something may read them (operations/metrics-routes.ts).
  const metrics = config.metrics.token || config.metrics.port ? createMetrics({ defaultMetrics: true }) : undefined;
  // A connection the database ends is logged, never fatal: the pool opens a new one.
  const database = options.database ?? openDatabase(config.database, {
    onConnectionError: (error) => logger.warn({ err: { code: (error as { code?: string })?.code, message: (error as Error)?.message } }, 'database connection lost; the pool will reconnect'),
  });
  const db: Database = database.db;
  await migrateToLatest(db);
  const secrets = createSecrets(resolveSecret(config, logger));

  let mailCatcher: MailCatcher | undefined;
  let smtpUrl = config.smtpUrl;
  if (!smtpUrl) {
    // Loaded only here: with a real SMTP server the catcher (smtp-server, mailparser) stays out of memory.
    const { startMailCatcher } = await import('../courier/mail-catcher.ts');
    mailCatcher = await startMailCatcher({ host: '127.0.0.1', port: 0 });
    smtpUrl = `smtp://127.0.0.1:${mailCatcher.port}`;
  }
  const sender = createSmtpSender({ url: smtpUrl, from: config.mailFrom });

  // Text messages go to the configured provider, or — in development (DEV_MAILBOX, on by default
  // only without SMTP_URL) — to a local stand-in for Twilio shown at /dev/mailbox. Otherwise there
  // is no way to send a text: phone numbers cannot be added and no flow offers a text message,
  // rather than a production page showing codes to anyone.
  let smsCatcher: SmsCatcher | undefined;
  let smsProvider: TwilioSmsSenderOptions | undefined;
  if (config.sms.accountSid) {
    // loadConfig refuses a SID without its token and sender.
    smsProvider = { baseUrl: config.sms.providerUrl, accountSid: config.sms.accountSid, authToken: config.sms.authToken!, from: config.sms.from! };
  } else if (config.devMailbox) {
    // Loaded only here, like the mail catcher, with throw-away credentials.
    const { startSmsCatcher } = await import('../courier/sms-catcher.ts');
    smsCatcher = await startSmsCatcher({ host: '127.0.0.1', port: 0 });
    smsProvider = { baseUrl: smsCatcher.url, accountSid: smsCatcher.accountSid, authToken: smsCatcher.authToken, from: config.sms.from ?? 'Gatehouse' };
  } else {
    logger.warn('SMS_ACCOUNT_SID is not set: text messages are off (no phone numbers, no codes by SMS) until an SMS provider is configured');
  }
  const smsSender = smsProvider ? createTwilioSmsSender(smsProvider) : undefined;
  const smsAvailable = smsSender !== undefined;
  // The store's webhook endpoints: deliveries go through the outbox like mail (webhooks/).
  const webhookEndpoints = createWebhookEndpoints(db, secrets, clock);
  const webhookSender = createWebhookSender({ endpoints: webhookEndpoints, clock });
  const dispatcher: Dispatcher = createDispatcher({ db, secrets, clock, sender, smsSender, logger: logger.child({ component: 'courier' }), storeName: config.storeName, brand: config.brand, messageIdDomain: new URL(config.publicUrl).hostname, observe: metrics && deliveryObserver(metrics), webhookSender });
  const runDispatcher = options.runDispatcher ?? config.runDispatcher;
  if (runDispatcher) dispatcher.start();
  // With RUN_DISPATCHER=false another process delivers: requests here only write the outbox, and
  // wake() on the dispatcher that was never started does nothing.
  const wakeCourier = () => dispatcher.wake();

  const accounts = createAccountStore(db);
  const hasher = createPasswordHasher(config.security);
  // What happened to each account, written in the transaction of what it records (activity/).
  const events = createSecurityEvents(db, clock);
  events.onEvent(webhookQueue({ endpoints: webhookEndpoints, secrets, clock, wakeCourier }));
  const sessions = createSessionService({ db, store: createSessionStore(db), clock, security: config.security, events });
  const flows = createFlowStore(db, clock);
  const rateEvents = createRateEvents(db, clock);
  // The nodes that deliver also tidy up; a node with RUN_DISPATCHER=false only serves requests.
  const housekeeping = runDispatcher ? startHousekeeping({ db, clock, rateEvents, logger: logger.child({ component: 'housekeeping' }) }) : undefined;
  const smsCaps = createSmsCaps(rateEvents, {
    perNumberPerHour: config.sms.perNumberPerHour,
    perCountryPerHour: config.sms.perCountryPerHour,
    newNumbers: config.sms.newNumbers,
    keyedHash: secrets.keyedHash,
  });
  const codes = createCodeService({ db, clock, secrets, rateEvents, security: config.security });
  const throttle = createLoginThrottle(db, clock, config.security);
  const registration = createRegistrationService({
    db, config, accounts, hasher, flows, codes, sessions, secrets, clock, enqueueEmail, wakeCourier, events,
  });

  const factors = createFactorStore(db, secrets, clock);
  const factorChecks = createFactorChecks({ db, config, factors, codes, smsCaps, secrets, clock, textsAvailable: smsAvailable, enqueueSms, recordDecoySms, wakeCourier });
  const passwordReset = createPasswordResetService({
    db, config, accounts, factors, hasher, flows, codes, sessions, throttle, secrets, clock, enqueueEmail, wakeCourier, events,
  });
  const otherWays = createOtherWaysService({ passwordReset, checks: factorChecks, factors });
  const twoStep = createTwoStepService({ db, config, factors, checks: factorChecks, flows, sessions, events });
  const passkeyStore = createPasskeyStore(db, clock);
  const passkeys = createPasskeyService({ db, config, store: passkeyStore, accounts, secrets, clock, enqueueEmail, wakeCourier });
  const login = createLoginService({ db, passkeys, secondFactorsRequired: twoStep.secondFactorsRequired, accounts, hasher, sessions, throttle, rateEvents, secrets, clock, security: config.security, events });
  const securitySettings = createSecuritySettingsService({ db, config, accounts, factors, checks: factorChecks, flows, sessions, hasher, throttle, secrets, clock, enqueueEmail, wakeCourier, events });

  const securityNotices = createSecurityNotices({ db, config, accounts, factors, secrets, clock, enqueueEmail, wakeCourier, events });
  const passkeySettings = createPasskeySettingsService({ passkeys, store: passkeyStore, sessions, notices: securityNotices, factors, events });
  const passkeyReverify = createPasskeyReverify({ passkeys, store: passkeyStore, sessions });

  const qrNotifier = createQrNotifier(config.database, (error) =>
    logger.warn({ err: { message: (error as Error)?.message } }, 'QR sign-in notifications interrupted; browsers fall back to re-reading'),
  );
  const qrLogin = createQrLoginService({
    db, store: createQrLoginStore(db), notifier: qrNotifier, sessions, accounts, rateEvents, secrets, clock, config, enqueueEmail, wakeCourier, events,
  });

  if (metrics) instrumentGatehouse(metrics, { services: { sessions, login, twoStep, passwordReset, otherWays, codes, smsCaps, qrLogin }, database });

  const oidc = await startOidc({ issuer: config.publicUrl, db, accounts, secrets, clock, logger: logger.child({ component: 'oidc' }), endSession: sessions.endSession, rateEvents, limits: config.oidc, events });

  return {
    oidc,
    config, clock, logger, db, database, secrets, events, webhookEndpoints, webhookSender, accounts, hasher, sessions, flows, rateEvents, codes, throttle, login, registration, passwordReset, otherWays, factors, factorChecks, securitySettings, twoStep, qrLogin, passkeyStore, passkeys, passkeySettings, passkeyReverify,
    dispatcher, mailCatcher, smsCatcher, smsAvailable, metrics,
    async close() {
      oidc.close();
      await qrNotifier.close();
      await housekeeping?.stop();
      await dispatcher.stop();
      sender.close();
      smsSender?.close();
      await mailCatcher?.close();
      await smsCatcher?.close();
      await database.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
