// The pure rules that decide where a flow stands: recovery's pageFor and stepAfter, QR's statusAt.
// Every GET and every redirect of these flows asks them, so they are tested here once, directly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FactorSummary } from '../../src/factors/factor-store.ts';
import { statusAt, COMPLETE_SECONDS, DECIDE_SECONDS, SCAN_SECONDS } from '../../src/qr-login/qr-login-flow.ts';
import { pageFor, stepAfter } from '../../src/recovery/password-reset-flow.ts';
import { passwordChange, pathTo, recovery } from '../../src/recovery/reset-variants.ts';

const none: FactorSummary = { phone: null, totp: false, backupCodesLeft: 0, passkeys: 0, twoStep: false };
const withTotp: FactorSummary = { ...none, totp: true, backupCodesLeft: 10 };
const onlyBackupCodes: FactorSummary = { ...none, backupCodesLeft: 3 };

describe('password reset: where a flow stands (pageFor)', () => {
  it('a new flow stands at the code page, whatever the account has', () => {
    for (const factors of [none, withTotp, onlyBackupCodes, null]) assert.equal(pageFor({ state: 'code_sent', proved: {} }, factors), 'code');
  });
  it('an authenticator or backup code first still leaves the email or text code to give', () => {
    assert.equal(pageFor({ state: 'code_sent', proved: { factor: 'totp' } }, withTotp), 'code');
    assert.equal(pageFor({ state: 'code_sent', proved: { factor: 'backup_code' } }, onlyBackupCodes), 'code');
  });
  it('after the email or a text, the factor page is the account’s own: its authenticator, or backup codes when it has only those', () => {
    assert.equal(pageFor({ state: 'code_sent', proved: { channel: 'email' } }, withTotp), 'totp');
    assert.equal(pageFor({ state: 'code_sent', proved: { channel: 'sms' } }, onlyBackupCodes), 'backup_code');
    assert.equal(pageFor({ state: 'code_sent', proved: { channel: 'email' } }, null), 'totp', 'an account that cannot recover looks like any other');
  });
  it('a verified flow stands at the new password, a completed one is done', () => {
    assert.equal(pageFor({ state: 'verified', proved: { channel: 'email' } }, none), 'password');
    assert.equal(pageFor({ state: 'completed', proved: { channel: 'email' } }, none), 'done');
  });
});

describe('password reset: the step after a proof (stepAfter)', () => {
  it('an account without an authenticator or backup codes needs only the email or text code', () => {
    assert.equal(stepAfter({ channel: 'email' }, none), 'password');
    assert.equal(stepAfter({ channel: 'sms' }, { ...none, phone: '+7 *** ***-**-12' }), 'password');
  });
  it('an account with an authenticator or backup codes needs one of them too, in either order (DESIGN.md §2)', () => {
    assert.equal(stepAfter({ channel: 'email' }, withTotp), 'totp');
    assert.equal(stepAfter({ channel: 'email' }, onlyBackupCodes), 'backup_code');
    assert.equal(stepAfter({ factor: 'backup_code' }, withTotp), 'code');
    assert.equal(stepAfter({ factor: 'totp', channel: 'email' }, withTotp), 'password');
  });
  it('backup codes all used up no longer count as a factor to ask for', () => {
    assert.equal(stepAfter({ channel: 'email' }, { ...none, backupCodesLeft: 0 }), 'password');
  });
  it('a passkey is the factor an account with an authenticator or backup codes needs: email code + passkey, or passkey + email code, opens the new password', () => {
    const withPasskeyToo = { ...withTotp, passkeys: 1 };
    assert.equal(stepAfter({ channel: 'email', factor: 'passkey' }, withPasskeyToo), 'password');
    assert.equal(stepAfter({ channel: 'sms', factor: 'passkey' }, { ...onlyBackupCodes, passkeys: 2 }), 'password');
    assert.equal(stepAfter({ factor: 'passkey' }, withPasskeyToo), 'code', 'a passkey alone never recovers: the email or a text is still asked for');
    assert.equal(stepAfter({ factor: 'passkey' }, none), 'code');
  });
  it('an account whose only factor is a passkey needs only the email or text code (DESIGN.md §2 asks for the app or backup codes)', () => {
    assert.equal(stepAfter({ channel: 'email' }, { ...none, passkeys: 1 }), 'password');
  });
});

describe('password reset: a passkey proof and where the flow stands', () => {
  it('a passkey first leaves the email or text code to give', () => {
    assert.equal(pageFor({ state: 'code_sent', proved: { factor: 'passkey' } }, { ...withTotp, passkeys: 1 }), 'code');
    assert.equal(pageFor({ state: 'code_sent', proved: { factor: 'passkey' } }, null), 'code');
  });
  it('the variants name the passkey step literally', () => {
    assert.equal(recovery.paths.passkey, '/recovery/passkey');
    assert.equal(passwordChange.paths.passkey, '/account/password/passkey');
  });
});

describe('password reset: the variants name their pages', () => {
  it('recovery and Change password lead to their own paths; "then" only where a proof is still missing', () => {
    assert.equal(pathTo(recovery, 'totp', 'F', { then: true }), '/recovery/authenticator?flow=F&then=1');
    assert.equal(pathTo(recovery, 'password', 'F', { then: true }), '/recovery/password?flow=F');
    assert.equal(pathTo(passwordChange, 'code', 'F', { then: true }), '/account/password/code?flow=F&then=1');
    assert.equal(pathTo(passwordChange, 'done', 'F'), '/account/password/done?flow=F');
  });
});

describe('QR sign-in: what a stored request means now (statusAt)', () => {
  const at = 1_000_000;
  const pending = { state: 'pending', scan_by: at + SCAN_SECONDS * 1000, decide_by: null, complete_by: null } as const;
  it(`a QR waits ${SCAN_SECONDS} s to be scanned — pending at 59.999 s, expired at ${SCAN_SECONDS} s`, () => {
    assert.equal(statusAt(pending, at + SCAN_SECONDS * 1000 - 1), 'pending');
    assert.equal(statusAt(pending, at + SCAN_SECONDS * 1000), 'expired');
  });
  it(`a scanned QR waits ${DECIDE_SECONDS} s for Confirm or Cancel, an approved one ${COMPLETE_SECONDS} s for the browser`, () => {
    const scanned = { ...pending, state: 'scanned', decide_by: at + DECIDE_SECONDS * 1000 } as const;
    assert.equal(statusAt(scanned, at + DECIDE_SECONDS * 1000 - 1), 'scanned');
    assert.equal(statusAt(scanned, at + DECIDE_SECONDS * 1000), 'expired');
    const approved = { ...scanned, state: 'approved', complete_by: at + COMPLETE_SECONDS * 1000 } as const;
    assert.equal(statusAt(approved, at + COMPLETE_SECONDS * 1000 - 1), 'approved');
    assert.equal(statusAt(approved, at + COMPLETE_SECONDS * 1000), 'expired');
  });
  it('a scanned request without a decision deadline is expired (never trusted to wait for ever)', () => {
    assert.equal(statusAt({ ...pending, state: 'scanned', decide_by: null }, at), 'expired');
  });
  it('consumed and denied stay what they are, whatever the time', () => {
    assert.equal(statusAt({ ...pending, state: 'consumed' }, at + 10 ** 9), 'consumed');
    assert.equal(statusAt({ ...pending, state: 'denied' }, at + 10 ** 9), 'denied');
  });
});
