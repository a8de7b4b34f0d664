// The security numbers of DESIGN.md §2 that a store may tune, each with its default and its bounds.
import { ConfigError } from './config-error.ts';
import { integer, type Env } from './env-readers.ts';

/**
 * "Keep me signed in on this device" on the sign-in page: offered ticked (as large marketplaces
 * do), offered unticked, or not offered at all (every browser session then ends after the idle
 * and absolute limits, and when the browser closes).
 */
export type KeepSignedInOffer = 'ticked' | 'unticked' | 'off';

export interface SecurityConfig {
  codeLength: number;
  codeLifetimeSeconds: number;
  wrongCodesPerCode: number;
  wrongCodesPerAccountPerDay: number;
  wrongCodesRestSeconds: number;
  resendCooldownSeconds: number;
  sendsPerAccountPerHour: number;
  sendsPerAccountPerDay: number;
  sendsPerClientPerHour: number;
  loginFailuresBeforeDelay: number;
  loginDelayFirstSeconds: number;
  loginDelayMaxSeconds: number;
  loginFailuresPerClient: number;
  loginFailuresClientWindowSeconds: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  keepSignedIn: KeepSignedInOffer;
  /** A kept browser session's whole life, with no idle limit: fresh proof is still asked for every security change. */
  keptSessionSeconds: number;
  appSessionSeconds: number;
  flowLifetimeSeconds: number;
  reverifyWindowSeconds: number;
  passwordMinLength: number;
  passwordMaxLength: number;
  argon2MemoryKib: number;
  argon2Iterations: number;
  argon2Parallelism: number;
}

export function securityFrom(env: Env): SecurityConfig {
  return {
    codeLength: 6,
    codeLifetimeSeconds: integer(env, 'CODE_LIFETIME_SECONDS', 600, 60, 3600),
    wrongCodesPerCode: integer(env, 'CODE_ATTEMPTS_PER_CODE', 5, 1, 20),
    wrongCodesPerAccountPerDay: integer(env, 'CODE_ATTEMPTS_PER_DAY', 20, 1, 200),
    wrongCodesRestSeconds: integer(env, 'CODE_REST_SECONDS', 3600, 60, 86400),
    resendCooldownSeconds: integer(env, 'CODE_RESEND_SECONDS', 60, 10, 3600),
    sendsPerAccountPerHour: integer(env, 'CODE_SENDS_PER_HOUR', 5, 1, 100),
    sendsPerAccountPerDay: integer(env, 'CODE_SENDS_PER_DAY', 10, 1, 1000),
    sendsPerClientPerHour: integer(env, 'CODE_SENDS_PER_CLIENT_PER_HOUR', 20, 1, 10000),
    loginFailuresBeforeDelay: integer(env, 'LOGIN_FAILURES_BEFORE_DELAY', 5, 1, 100),
    loginDelayFirstSeconds: 1,
    loginDelayMaxSeconds: integer(env, 'LOGIN_DELAY_MAX_SECONDS', 900, 1, 86400),
    loginFailuresPerClient: integer(env, 'LOGIN_FAILURES_PER_CLIENT', 20, 1, 100000),
    loginFailuresClientWindowSeconds: 600,
    sessionIdleSeconds: integer(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60) * 60,
    sessionAbsoluteSeconds: integer(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 90) * 3600,
    keepSignedIn: keepSignedInFrom(env),
    // Chromium caps a cookie's life at 400 days, so a longer setting would be a promise the browser breaks.
    keptSessionSeconds: integer(env, 'KEEP_SIGNED_IN_DAYS', 30, 1, 400) * 24 * 3600,
    appSessionSeconds: 30 * 24 * 3600,
    flowLifetimeSeconds: 3600,
    reverifyWindowSeconds: 600,
    passwordMinLength: 12,
    passwordMaxLength: 128,
    argon2MemoryKib: integer(env, 'ARGON2_MEMORY_KIB', 19456, 8192, 1048576),
    argon2Iterations: integer(env, 'ARGON2_ITERATIONS', 2, 1, 20),
    argon2Parallelism: 1,
  };
}

function keepSignedInFrom(env: Env): KeepSignedInOffer {
  const raw = (env.KEEP_SIGNED_IN ?? '').trim().toLowerCase();
  if (raw === '') return 'ticked';
  if (raw === 'ticked' || raw === 'unticked' || raw === 'off') return raw;
  throw new ConfigError(`KEEP_SIGNED_IN must be ticked, unticked or off; got "${env.KEEP_SIGNED_IN}"`);
}
