// Authenticator-app codes (RFC 6238 TOTP, SHA-1, 6 digits, 30 s): the published test vectors,
// interoperability with an independent implementation (oath-toolkit's oathtool), which steps are
// accepted, and the enrolment URI.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Secret, TOTP, URI } from 'otpauth';
import {
  TOTP_SETTINGS,
  groupSecretForTyping,
  isWellFormedTotp,
  matchTotp,
  newTotpSecret,
  otpForStep,
  otpauthUri,
  totpCodeForStep,
  totpStepAt,
} from '../../src/factors/totp.ts';

/** The RFC test key: the ASCII bytes "12345678901234567890", as base32. */
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;
const PERIOD_MS = TOTP_SETTINGS.periodSeconds * 1000;

/** "2009-02-13 23:31:30 UTC", the form oathtool's --now takes. */
const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

/** oathtool's code; the key goes in on stdin ("-") so it is not on any command line. */
function oathtool(secret: string, atMs: number): string {
  const run = spawnSync('/usr/bin/oathtool', ['--totp=SHA1', '--base32', '--digits=6', '--time-step-size=30s', `--now=${utc(atMs)}`, '-'], {
    input: `${secret}\n`,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `oathtool failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** A 6-digit code that is not this one. */
const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('TOTP (RFC 6238)', () => {
  test('RFC 6238 Appendix B: SHA-1 test vectors (8 digits), and our 6-digit codes are their last 6 digits', () => {
    // Appendix B publishes 8-digit values only. HOTP truncation (RFC 4226 §5.3) is
    // `Snum mod 10^Digit`, so the 6-digit code is exactly the last 6 digits of the 8-digit one:
    // the vectors check our step arithmetic and HMAC path via otpForStep(…, 8), and the suffix
    // check ties them to the 6-digit totpCodeForStep that production uses.
    const vectors: Array<[seconds: number, code: string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, expected] of vectors) {
      const step = totpStepAt(seconds * 1000);
      assert.equal(step, Math.floor(seconds / 30), `step at ${seconds}`);
      assert.equal(otpForStep(RFC_SECRET, step, 8), expected, `8 digits at ${seconds}`);
      assert.equal(totpCodeForStep(RFC_SECRET, step), expected.slice(-6), `6 digits at ${seconds}`);
      // The library's own TOTP entry point agrees (no drift between our wrapper and otpauth).
      assert.equal(TOTP.generate({ secret: Secret.fromBase32(RFC_SECRET), digits: 8, timestamp: seconds * 1000 }), expected);
    }
  });

  test('RFC 4226 Appendix D: HOTP values for counters 0-9 (TOTP with step = counter is HOTP)', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => assert.equal(totpCodeForStep(RFC_SECRET, counter), code, `counter ${counter}`));
  });

  test('step: floor(unix seconds / 30), changing exactly on the 30 s boundary', () => {
    assert.equal(totpStepAt(0), 0);
    assert.equal(totpStepAt(29_999), 0);
    assert.equal(totpStepAt(30_000), 1);
    assert.equal(totpStepAt(1_111_111_109_000), 37_037_036);
    assert.equal(totpStepAt(1_700_000_010_500), Math.floor(1_700_000_010.5 / 30));
  });

  test('interoperability: oathtool computes the same code for a fresh secret, including on step boundaries', () => {
    const secret = newTotpSecret();
    const boundary = 1_700_000_010_000; // a multiple of 30 s
    assert.equal(boundary % PERIOD_MS, 0);
    const times = [boundary - 1000, boundary, boundary + 1000, boundary + 29_000, boundary + 30_000, Date.UTC(2040, 0, 1), Math.floor(Date.now() / 1000) * 1000];
    for (const at of times) {
      assert.equal(totpCodeForStep(secret, totpStepAt(at)), oathtool(secret, at), `at ${utc(at)}`);
    }
    // Either side of a boundary gives different codes (otherwise the test above would prove little).
    assert.notEqual(oathtool(secret, boundary - 1000), oathtool(secret, boundary));
  });

  test('window: the current step and the one before are accepted, the one before that and the next are not', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_025_000; // 15 s into a step
    const current = totpStepAt(now);
    assert.equal(matchTotp(secret, oathtool(secret, now), now), current, 'current step');
    assert.equal(matchTotp(secret, oathtool(secret, now - PERIOD_MS), now), current - 1, 'previous step (slow typing, clock behind)');
    const twoBack = oathtool(secret, now - 2 * PERIOD_MS);
    const next = oathtool(secret, now + PERIOD_MS);
    // Guard against a chance collision with an accepted code making the refusals vacuous.
    const accepted = [totpCodeForStep(secret, current), totpCodeForStep(secret, current - 1)];
    if (!accepted.includes(twoBack)) assert.equal(matchTotp(secret, twoBack, now), null, 'two steps back');
    if (!accepted.includes(next)) assert.equal(matchTotp(secret, next, now), null, 'next step (otpauth’s own window would accept it)');
    // On the very first millisecond of a step the previous step's code still works.
    const stepStart = current * PERIOD_MS;
    assert.equal(matchTotp(secret, oathtool(secret, stepStart - 1000), stepStart), current - 1);
  });

  test('window: a code for another secret is refused', () => {
    const secret = newTotpSecret();
    const stranger = newTotpSecret();
    const now = Date.now();
    const foreign = oathtool(stranger, now);
    const accepted = [totpCodeForStep(secret, totpStepAt(now)), totpCodeForStep(secret, totpStepAt(now) - 1)];
    if (!accepted.includes(foreign)) assert.equal(matchTotp(secret, foreign, now), null);
    let wrong = other(accepted[0]);
    while (accepted.includes(wrong)) wrong = other(wrong);
    assert.equal(matchTotp(secret, wrong, now), null, 'a wrong code');
  });

  test('typed codes: spaces are ignored, anything but 6 ASCII digits is refused without matching', () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const code = totpCodeForStep(secret, totpStepAt(now));
    const step = totpStepAt(now);
    for (const typed of [code, `${code.slice(0, 3)} ${code.slice(3)}`, ` ${code}\n`, `${code.slice(0, 3)}\u00a0${code.slice(3)}`]) {
      assert.equal(isWellFormedTotp(typed), true, JSON.stringify(typed));
      assert.equal(matchTotp(secret, typed, now), step, JSON.stringify(typed));
    }
    const fullWidth = code.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    for (const typed of ['', '12345', '1234567', `${code}0`, code.slice(1), `${code.slice(0, 3)}-${code.slice(3)}`, 'abcdef', fullWidth, `+${code.slice(1)}`]) {
      assert.equal(isWellFormedTotp(typed), false, JSON.stringify(typed));
      assert.equal(matchTotp(secret, typed, now), null, JSON.stringify(typed));
    }
  });

  test('secret: 160 bits from the CSPRNG as 32 base32 characters without padding, a new one each time', () => {
    const secrets = Array.from({ length: 50 }, () => newTotpSecret());
    for (const secret of secrets) {
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.equal(Secret.fromBase32(secret).bytes.length, TOTP_SETTINGS.secretBytes);
    }
    assert.equal(new Set(secrets).size, secrets.length);
  });

  test('enrolment URI: parses back to the same secret, issuer, account and SHA1/6/30', () => {
    const secret = newTotpSecret();
    const uri = otpauthUri({ secret, issuer: 'Corner Shop', accountName: 'new.shopper@example.com' });
    assert.match(uri, /^otpauth:\/\/totp\/Corner%20Shop:new.shopper%40example.com\?/);
    const params = new URL(uri).searchParams;
    assert.equal(params.get('secret'), secret);
    assert.equal(params.get('issuer'), 'Corner Shop');
    assert.equal(params.get('algorithm'), 'SHA1');
    assert.equal(params.get('digits'), '6');
    assert.equal(params.get('period'), '30');
    const parsed = URI.parse(uri);
    assert.ok(parsed instanceof TOTP);
    assert.equal(parsed.secret.base32, secret);
    assert.equal(parsed.issuer, 'Corner Shop');
    assert.equal(parsed.label, 'new.shopper@example.com');
    assert.equal(parsed.algorithm, 'SHA1');
    assert.equal(parsed.digits, 6);
    assert.equal(parsed.period, 30);
    // The app's code from the parsed URI is ours.
    assert.equal(parsed.generate({ timestamp: 1_700_000_000_000 }), totpCodeForStep(secret, totpStepAt(1_700_000_000_000)));
  });

  test('enrolment URI: non-ASCII names and a colon in the account name survive; a colon in the issuer is refused', () => {
    const secret = newTotpSecret();
    const parsed = URI.parse(otpauthUri({ secret, issuer: 'Лавка & Co', accountName: 'odd:name+tag@example.com' }));
    assert.equal(parsed.issuer, 'Лавка & Co');
    assert.equal(parsed.label, 'odd:name+tag@example.com');
    assert.throws(() => otpauthUri({ secret, issuer: 'Shop: Best', accountName: 'a@example.com' }), TypeError);
  });

  test('typing aid: the secret in groups of 4 that read back to the same secret', () => {
    const secret = newTotpSecret();
    const grouped = groupSecretForTyping(secret);
    assert.match(grouped, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    assert.equal(grouped.replace(/ /g, ''), secret);
    assert.equal(groupSecretForTyping('ABCDEFGHIJ'), 'ABCD EFGH IJ');
  });
});
