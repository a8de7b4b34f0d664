// What a shopper types to name their account: an email address or a login name. A login name
// can never contain "@", so one field ("Email or login name") is unambiguous.
import { domainToASCII, domainToUnicode } from 'node:url';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

export type Identifier = { kind: 'email'; value: string } | { kind: 'login_name'; value: string };

// Format (Cf: soft hyphen, zero-width, bidirectional controls, BOM) and control (Cc) characters
// are invisible or reorder what is shown: "ex\u00ADample.com" looks like "example.com" but was a
// second account, and a right-to-left override makes an address read as another. No real
// mailbox needs them, so they are refused rather than silently dropped.
const FORMAT_CHARACTER = /\p{Cf}/u;
const CONTROL_CHARACTER = /\p{Cc}/u;

export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** Is there a character in this text a person cannot see (or that reorders what they see)? */
export function hasInvisibleCharacter(text: string): boolean {
  // Format characters are looked for before trimming (trim() would quietly drop a leading BOM);
  // control characters after it, so a pasted trailing newline stays harmless.
  return FORMAT_CHARACTER.test(text) || CONTROL_CHARACTER.test(text.trim());
}

// Deliberately permissive (the confirmation code proves the address); it only catches typos
// that can never be a deliverable address. The domain is checked in its ASCII (punycode) form.
const LOCAL_PART_SHAPE = /^[^\s@<>()[\],;:"\\]{1,64}$/u;
const ASCII_DOMAIN_SHAPE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * One mailbox, one spelling: the domain is stored as UTS #46 ASCII (what `domainToASCII` gives,
 * "exämple.test" → "xn--exmple-cua.test"), so the Unicode and the punycode spelling of one domain
 * find the same account. The punycode form is also what is shown: it is what mail is sent to,
 * and it makes a look-alike domain (a Cyrillic "а" in "exаmple.com") visible instead of hiding it.
 */
export function checkEmail(raw: string): { ok: true; email: string } | Failure<'identity.email_invalid' | 'identity.invisible_character'> {
  if (hasInvisibleCharacter(raw)) return fail('identity.invisible_character', { field: 'email' });
  const typed = normalizeEmail(raw);
  const at = typed.lastIndexOf('@');
  const localPart = typed.slice(0, at);
  if (at < 0 || !LOCAL_PART_SHAPE.test(localPart)) return fail('identity.email_invalid', { field: 'email' });
  // An empty answer means the domain is not a valid IDNA name (e.g. broken punycode).
  const domain = domainToASCII(typed.slice(at + 1));
  if (!decodesCleanly(domain)) return fail('identity.email_invalid', { field: 'email' });
  const email = `${localPart}@${domain}`;
  if (domain === '' || email.length > MAX_EMAIL_LENGTH || !ASCII_DOMAIN_SHAPE.test(domain)) return fail('identity.email_invalid', { field: 'email' });
  return { ok: true, email };
}

/**
 * Every "xn--" label is real punycode. Node 20 (ICU) answers "" for a broken one such as
 * "xn--zz"; Node 24 (ada) passes it through unchanged, and leaves it undecoded on the way back.
 */
function decodesCleanly(asciiDomain: string): boolean {
  if (asciiDomain === '') return false;
  return !domainToUnicode(asciiDomain).split('.').some((label) => label.startsWith('xn--'));
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
export function parseIdentifier(raw: string): { ok: true; identifier: Identifier } | Failure<'identity.identifier_invalid' | 'identity.invisible_character'> {
  if (hasInvisibleCharacter(raw)) return fail('identity.invisible_character', { field: 'identifier' });
  const trimmed = raw.normalize('NFKC').trim();
  if (trimmed.includes('@')) {
    const email = checkEmail(trimmed);
    return email.ok ? { ok: true, identifier: { kind: 'email', value: email.email } } : fail('identity.identifier_invalid', { field: 'identifier' });
  }
  const loginName = checkLoginName(trimmed);
  return loginName.ok ? { ok: true, identifier: { kind: 'login_name', value: loginName.loginName } } : fail('identity.identifier_invalid', { field: 'identifier' });
}
