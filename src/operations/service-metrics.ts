// Counts what the services do by watching what their methods return, so no flow carries metrics
// code: every expected failure is already a typed value with a stable code (shared/failure.ts),
// and that code is the label. Each count is taken where its event starts — a throttle where the
// throttle refuses, a code check in the code service — so an event passed up through two
// services is counted once.
//
// The methods are replaced on the service objects themselves, so the services that hold a
// reference to another one (recovery holds the code service) call the counted method too.
import type { Failure } from '../shared/failure.ts';
import type { Metrics } from './metrics.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { LoginService } from '../login/login-service.ts';
import type { TwoStepService } from '../login/two-step-service.ts';
import type { PasswordResetService } from '../recovery/password-reset-service.ts';
import type { OtherWaysService } from '../recovery/other-ways-service.ts';
import type { CodeService } from '../verification/code-service.ts';
import type { SmsCaps } from '../throttling/sms-caps.ts';
import type { QrLoginService } from '../qr-login/qr-login-service.ts';

/** The services whose results are counted (server/services.ts builds them). */
export interface CountedServices {
  sessions: SessionService;
  login: LoginService;
  twoStep: TwoStepService;
  passwordReset: PasswordResetService;
  otherWays: OtherWaysService;
  codes: CodeService;
  smsCaps: SmsCaps;
  qrLogin: QrLoginService;
}

const failed = (result: unknown): result is Failure =>
  typeof result === 'object' && result !== null && (result as { ok?: unknown }).ok === false && typeof (result as { code?: unknown }).code === 'string';

/** Throttles and caps: every code that answers 429. Named here, not derived, so a new one is a conscious choice. */
const LIMIT_RULES: ReadonlySet<string> = new Set([
  'login.throttled',
  'code.resting',
  'code.resend_too_soon',
  'code.send_limit_reached',
  'sms.number_limit',
  'sms.country_limit',
  'sms.new_numbers_limit',
  'qr.too_many_requests',
]);

type AnyAsync = (...args: any[]) => Promise<unknown>;

/** Replaces service[name] by a version that shows each result (and its arguments) to `seen`. */
function watch<S extends object, K extends keyof S & string>(service: S, name: K, seen: (result: unknown, args: any[]) => void) {
  const original = service[name] as unknown as AnyAsync;
  (service as Record<string, unknown>)[name] = async (...args: any[]) => {
    const result = await original.apply(service, args);
    seen(result, args);
    return result;
  };
}

export function countWhatServicesDo(services: CountedServices, metrics: Metrics): void {
  const limit = (result: unknown) => {
    if (failed(result) && LIMIT_RULES.has(result.code)) metrics.limitsHit.inc({ rule: result.code });
  };

  // Sign-ins: a session started is a success, whatever the way; refusals are counted where each way ends.
  watch(services.sessions, 'startSession', (_session, [, input]) => metrics.signIns.inc({ way: input.authenticatedVia, result: 'success' }));
  watch(services.login, 'signIn', (result) => {
    if (failed(result)) metrics.signIns.inc({ way: 'password', result: result.code });
    else if ((result as { needsSecondFactor?: boolean }).needsSecondFactor) metrics.signIns.inc({ way: 'password', result: 'second_step' });
    limit(result);
  });
  watch(services.login, 'signInWithPasskey', (result) => {
    if (failed(result)) metrics.signIns.inc({ way: 'passkey', result: result.code });
    limit(result);
  });
  watch(services.twoStep, 'confirm', (result, [way]) => {
    if (failed(result)) metrics.signIns.inc({ way: `password+${way}`, result: result.code });
  });
  watch(services.twoStep, 'confirmPasskey', (result) => {
    if (failed(result)) metrics.signIns.inc({ way: 'password+passkey', result: result.code });
  });

  // Recovery and Change password: the kind is each method's first argument, except where it starts.
  const flow = (name: string, kindAt: number | 'recovery' | 'password_change', onSuccess?: 'started' | 'completed') =>
    watch(services.passwordReset as any, name, (result, args) => {
      const kind = typeof kindAt === 'number' ? args[kindAt] : kindAt;
      if (failed(result)) metrics.passwordFlows.inc({ flow: kind, event: 'failed', reason: result.code });
      else if (onSuccess) metrics.passwordFlows.inc({ flow: kind, event: onSuccess, reason: '' });
    });
  flow('startRecovery', 'recovery', 'started');
  flow('startPasswordChange', 'password_change', 'started');
  flow('resend', 0);
  flow('confirmCode', 0);
  flow('chooseNewPassword', 0, 'completed');
  for (const name of ['confirmText', 'confirmAuthenticator', 'confirmBackupCode'] as const) {
    watch(services.otherWays, name, (result, [kind]) => {
      if (failed(result)) metrics.passwordFlows.inc({ flow: kind, event: 'failed', reason: result.code });
    });
  }

  // Codes: issued by channel, checked by result, and the send and try limits.
  // issueCode goes through issueCodeExpiring, so this one counts both.
  watch(services.codes, 'issueCodeExpiring', (_code, [, , channel]) => metrics.codesSent.inc({ channel }));
  for (const name of ['consumeCode', 'checkWithoutSending'] as const) {
    watch(services.codes, name, (result) => {
      metrics.codeChecks.inc({ result: failed(result) ? result.code : 'right' });
      limit(result);
    });
  }
  watch(services.codes, 'reserveSend', limit);
  watch(services.smsCaps, 'reserve', limit);
  watch(services.smsCaps, 'reserveForNewNumber', limit);

  // QR sign-in, each step by outcome.
  const qr = (name: 'createRequest' | 'scan' | 'complete', outcome: string) =>
    watch(services.qrLogin, name, (result) => {
      metrics.qrRequests.inc({ outcome: failed(result) ? result.code : outcome });
      if (name === 'complete' && failed(result)) metrics.signIns.inc({ way: 'qr', result: result.code });
      limit(result);
    });
  qr('createRequest', 'created');
  qr('scan', 'scanned');
  qr('complete', 'completed');
  watch(services.qrLogin, 'decide', (result, [, , approve]) => {
    metrics.qrRequests.inc({ outcome: failed(result) ? result.code : approve ? 'approved' : 'denied' });
  });
}
