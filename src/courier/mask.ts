// Log lines must never carry a full email address (DESIGN §2 "logs"), yet an operator chasing a
// delivery problem needs something to correlate with a support request. A masked address keeps
// the first letter of the mailbox and of the domain plus the top-level domain: enough to tell
// two messages apart, too little to harvest or to confirm that a given person has an account.
// Phone numbers are masked the same way for the same reasons.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** `john.doe@example.com` → `j***@e***.com`; anything that is not an address → `***`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const lastDot = domain.lastIndexOf('.');
  // Without a dot (e.g. `root@localhost`) there is no public suffix worth keeping.
  const tld = lastDot > 0 && lastDot < domain.length - 1 ? domain.slice(lastDot) : '';
  return `${firstChar(local)}***@${firstChar(domain)}***${tld}`;
}

// Array.from splits by code point, so a mailbox starting with a non-BMP character is not cut
// in the middle of a surrogate pair.
function firstChar(text: string): string {
  return Array.from(text)[0] ?? '';
}

const emailPattern = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+/g;
// Verification codes are 6 digits; 6–8 covers longer configured codes while leaving ports,
// SMTP status codes and IP octets readable.
const codePattern = /(?<![\d.])\d{6,8}(?![\d.])/g;
// Phone numbers in E.164, the form we hand to SMS providers and the one they echo back.
const phonePattern = /\+\d{7,15}(?!\d)/g;

/**
 * Strips what must not reach logs or the database from free text we do not control, such as an
 * SMTP server's reply (servers like to echo `<john@example.com>: Recipient address rejected`) or
 * an SMS provider's ("The 'To' number +79123456712 is not a valid phone number").
 */
export function scrubSecrets(text: string): string {
  return text.replace(emailPattern, (found) => maskEmail(found)).replace(phonePattern, '[phone]').replace(codePattern, '[digits]');
}

/**
 * `+79123456712` → `+7 *** ***-**-12`: the country code, then the number grouped the way its
 * country writes it (the national format without its trunk prefix or brackets: RU "912 345-67-12",
 * US "202 555-0123"), every digit but the last two replaced by `*`. Enough for the owner to
 * recognise their number and for an operator to tell two apart; too little to dial or to look up.
 * Anything that does not parse as a number masks to `+***`, never to itself.
 */
export function maskPhoneNumber(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164.trim());
  if (!parsed) return '+***';
  const national = parsed.formatNational().replace(/[()]/g, '');
  // Drop the trunk prefix ("8" in Russia, "0" in the UK): the digits before the national number.
  let prefixDigits = national.replace(/\D/g, '').length - parsed.nationalNumber.length;
  let start = 0;
  while (prefixDigits > 0 && start < national.length) if (/\d/.test(national[start++]!)) prefixDigits -= 1;
  const rest = national.slice(start).trim();
  const digits = rest.replace(/\D/g, '').length;
  let seen = 0;
  const masked = rest.replace(/\d/g, (digit) => (++seen > digits - 2 ? digit : '*'));
  return `+${parsed.countryCallingCode} ${masked}`;
}
