// The text encodings the imported hash formats use, each decoded strictly: Buffer.from(…,
// 'base64') skips characters it does not know, so "looks like base64" is checked first and a
// hash with a stray character is refused at import instead of verifying against other bytes.
import { timingSafeEqual } from 'node:crypto';

const STANDARD_UNPADDED = /^[A-Za-z0-9+/]*$/;
const ADAPTED = /^[A-Za-z0-9./]*$/;
const STANDARD_PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A length that unpadded base64 can have (4n, 4n+2, 4n+3; never 4n+1). */
const unpaddedLengthIsPossible = (text: string) => text.length % 4 !== 1;

/** PHC "B64": the standard alphabet without padding (argon2, scrypt and pbkdf2 PHC strings). */
export function decodePhcBase64(text: string): Buffer | undefined {
  if (!STANDARD_UNPADDED.test(text) || !unpaddedLengthIsPossible(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** passlib's "adapted base64" ($pbkdf2-sha256$…): "." for "+", no padding. */
export function decodeAdaptedBase64(text: string): Buffer | undefined {
  if (!ADAPTED.test(text) || !unpaddedLengthIsPossible(text)) return undefined;
  return Buffer.from(text.replaceAll('.', '+'), 'base64');
}

/** Standard base64 with its "=" padding (Django's stored hashes). */
export function decodePaddedBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !STANDARD_PADDED.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/**
 * The derived key against the stored one in constant time: how many leading bytes match must not
 * show in the time taken. Lengths are equal by construction (the key is derived at the stored
 * length); a difference is still a plain "no", never a throw.
 */
export function sameBytes(derived: Uint8Array, stored: Uint8Array): boolean {
  return derived.length === stored.length && timingSafeEqual(derived, stored);
}
