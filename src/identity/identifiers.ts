// What a shopper types to name their account: an email address or a login name. A login name
// can never contain "@", so one field ("Email or login name") is unambiguous.
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

export type Identifier = { kind: 'email'; value: string } | { kind: 'login_name'; value: string };

export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

// Deliberately permissive (the confirmation code proves the address); it only catches typos
// that can never be a deliverable address.
const EMAIL_SHAPE = /^[^\s@<>()[\],;:"\\]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

export function checkEmail(raw: string): { ok: true; email: string } | Failure<'identity.email_invalid'> {
  const email = normalizeEmail(raw);
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) return fail('identity.email_invalid', { field: 'email' });
  return { ok: true, email };
}

export function normalizeLoginName(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

const LOGIN_NAME_SHAPE = /^[a-z0-9](?:[a-z0-9._-]{1,30}[a-z0-9])$/;

export function checkLoginName(raw: string): { ok: true; loginName: string } | Failure<'identity.login_name_invalid'> {
  const loginName = normalizeLoginName(raw);
  if (!LOGIN_NAME_SHAPE.test(loginName)) return fail('identity.login_name_invalid', { field: 'login_name' });
  return { ok: true, loginName };
}

/** Reads the sign-in / recovery field. Anything with "@" is an email, the rest a login name. */
export function parseIdentifier(raw: string): Identifier | Failure<'identity.identifier_invalid'> {
  const trimmed = raw.normalize('NFKC').trim();
  if (trimmed.includes('@')) {
    const email = checkEmail(trimmed);
    return email.ok ? { kind: 'email', value: email.email } : fail('identity.identifier_invalid', { field: 'identifier' });
  }
  const loginName = checkLoginName(trimmed);
  return loginName.ok ? { kind: 'login_name', value: loginName.loginName } : fail('identity.identifier_invalid', { field: 'identifier' });
}
