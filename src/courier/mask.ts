// Log lines must never carry a full email address (DESIGN §2 "logs"), yet an operator chasing a
// delivery problem needs something to correlate with a support request. A masked address keeps
// the first letter of the mailbox and of the domain plus the top-level domain: enough to tell
// two messages apart, too little to harvest or to confirm that a given person has an account.

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
