// Authenticator-app codes: TOTP (RFC 6238) with the parameters every app understands (SHA-1,
// 6 digits, 30 s), computed by the `otpauth` library; we only choose the steps to try and compare.
// The secret is kept and passed around as RFC 4648 base32 without padding, as apps expect it.
import { randomBytes } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { constantTimeEqual } from '../shared/secrets.ts';

export const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, periodSeconds: 30, secretBytes: 20 } as const;

/** 160 bits from the CSPRNG, the key length RFC 4226 §4 (R6) recommends, as base32 (32 characters, no padding). */
export function newTotpSecret(): string {
  // Copied into a fresh Uint8Array so the Secret gets exactly these bytes, not a shared pool slab.
  return new Secret({ buffer: new Uint8Array(randomBytes(TOTP_SETTINGS.secretBytes)).buffer }).base32;
}

/**
 * The Key URI the enrolment QR code carries (Google's "Key Uri Format"): the issuer both as the
 * label prefix and as a parameter, so old and new apps show the store's name. The account name
 * may contain ':' (only the first one separates the prefix); the issuer must not, or apps split
 * the label in the wrong place.
 */
export function otpauthUri(input: { secret: string; issuer: string; accountName: string }): string {
  if (input.issuer.includes(':')) throw new TypeError('A TOTP issuer must not contain ":" (Key Uri Format)');
  return new TOTP({
    issuer: input.issuer,
    label: input.accountName,
    issuerInLabel: true,
    secret: Secret.fromBase32(input.secret),
    algorithm: TOTP_SETTINGS.algorithm,
    digits: TOTP_SETTINGS.digits,
    period: TOTP_SETTINGS.periodSeconds,
  }).toString();
}

/** RFC 6238 §4.2: T = floor((unix time - T0) / X), with T0 = 0 and X = 30 s. */
export function totpStepAt(timeMs: number): number {
  return TOTP.counter({ period: TOTP_SETTINGS.periodSeconds, timestamp: timeMs });
}

/**
 * The code for one step with any number of digits. Internal: exported only so the tests can run
 * the 8-digit RFC 6238 Appendix B vectors through the same path as our 6-digit codes.
 * TOTP is HOTP with the time step as the counter (RFC 6238 §4.2).
 */
export function otpForStep(secret: string, step: number, digits: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: TOTP_SETTINGS.algorithm, digits, counter: step });
}

export function totpCodeForStep(secret: string, step: number): string {
  return otpForStep(secret, step, TOTP_SETTINGS.digits);
}

/** Removes every kind of space (people type "123 456"; pasted codes bring tabs, NBSP, newlines). */
const withoutSpaces = (typed: string) => typed.replace(/\s+/g, '');

/** Exactly 6 ASCII digits once spaces are removed. */
export function isWellFormedTotp(typed: string): boolean {
  return /^[0-9]{6}$/.test(withoutSpaces(typed));
}

/**
 * The step the typed code belongs to, checking the current step and the one before it only
 * (clock drift / slow typing), or null. Accepts digits with spaces; anything else → null.
 *
 * Deliberately narrower than otpauth's own `validate`, whose window is symmetric (window 1 also
 * accepts the *next* step) — RFC 6238 §5.2 recommends at most one step of network delay back.
 * Both candidates are always computed and compared in constant time, so the reply time does not
 * tell which one matched; if both match (a 1-in-a-million collision) the later step wins, which
 * is the safer one to record.
 *
 * Replay (RFC 6238 §5.2, "MUST NOT accept the second attempt of the same OTP") is the caller's
 * job: store the last accepted step per account and refuse any step <= it, atomically with
 * accepting this one.
 */
export function matchTotp(secret: string, typed: string, nowMs: number): number | null {
  const code = withoutSpaces(typed);
  if (!/^[0-9]{6}$/.test(code)) return null;
  const current = totpStepAt(nowMs);
  const matchesCurrent = constantTimeEqual(totpCodeForStep(secret, current), code);
  const matchesPrevious = constantTimeEqual(totpCodeForStep(secret, current - 1), code);
  if (matchesCurrent) return current;
  if (matchesPrevious) return current - 1;
  return null;
}

/** "ABCD EFGH …": the secret in groups of 4 for people who type it in instead of scanning. */
export function groupSecretForTyping(secret: string): string {
  return (withoutSpaces(secret).match(/.{1,4}/g) ?? []).join(' ');
}
