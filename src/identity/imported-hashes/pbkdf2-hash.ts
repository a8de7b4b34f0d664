// PBKDF2 with HMAC-SHA256 or HMAC-SHA512 in the three forms maintained software writes, computed
// by node:crypto's pbkdf2:
//   passlib  `$pbkdf2-sha256$29000$<salt>$<key>` (and -sha512): rounds, then salt and key in
//            passlib's adapted base64 ("." for "+"); the key is the digest's length.
//   PHC      `$pbkdf2-sha256$i=600000,l=32$<salt>$<key>` (RustCrypto's pbkdf2 crate): PHC base64.
//   Django   `pbkdf2_sha256$1000000$<salt>$<key>` (PBKDF2PasswordHasher, Django's default): the
//            salt used as its text, a 32-byte key in padded base64.
import { pbkdf2 } from 'node:crypto';
import { decodeAdaptedBase64, decodePaddedBase64, decodePhcBase64, sameBytes } from './hash-encodings.ts';
import { SIGN_IN_BUDGET } from './sign-in-budget.ts';
import { decimal, unusable, type HashReader, type ReadableHash, type UnusableHash } from './readable-hash.ts';

type Digest = 'sha256' | 'sha512';
const DIGEST_BYTES: Record<Digest, number> = { sha256: 32, sha512: 64 };

const PASSLIB_OR_PHC = /^\$pbkdf2-(sha256|sha512)\$([^$]+)\$([^$]*)\$([^$]+)$/;
const PHC_PARAMETERS = /^i=(\d+)(?:,l=(\d+))?$/;
const DJANGO = /^pbkdf2_sha256\$(\d+)\$([^$]+)\$([^$]+)$/;

function checked(digest: Digest, iterations: number | undefined, salt: Buffer | undefined, key: Buffer | undefined): ReadableHash | UnusableHash {
  if (iterations === undefined || iterations < 1 || !salt || !key || key.length < 16 || key.length > 64) return unusable('malformed');
  if (iterations > SIGN_IN_BUDGET.pbkdf2MaxIterations) return unusable('too_costly');
  return {
    ok: true,
    kind: digest === 'sha256' ? 'pbkdf2-sha256' : 'pbkdf2-sha512',
    verify: (password) =>
      new Promise((resolve) => {
        pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, key.length, digest, (error, derived) => resolve(!error && sameBytes(derived, key)));
      }),
  };
}

export const readPbkdf2Hash: HashReader = (text) => {
  if (text.startsWith('$pbkdf2-sha256$') || text.startsWith('$pbkdf2-sha512$')) {
    const shape = PASSLIB_OR_PHC.exec(text);
    if (!shape) return unusable('malformed');
    const digest = shape[1] as Digest;
    const parameters = PHC_PARAMETERS.exec(shape[2]!);
    if (parameters) {
      const key = decodePhcBase64(shape[4]!);
      const length = parameters[2] === undefined ? key?.length : decimal(parameters[2]);
      if (!key || length !== key.length) return unusable('malformed');
      return checked(digest, decimal(parameters[1]), decodePhcBase64(shape[3]!), key);
    }
    const key = decodeAdaptedBase64(shape[4]!);
    if (key && key.length !== DIGEST_BYTES[digest]) return unusable('malformed');
    return checked(digest, decimal(shape[2]), decodeAdaptedBase64(shape[3]!), key);
  }
  if (text.startsWith('pbkdf2_sha256$')) {
    const shape = DJANGO.exec(text);
    if (!shape) return unusable('malformed');
    const key = decodePaddedBase64(shape[3]!);
    if (key && key.length !== DIGEST_BYTES.sha256) return unusable('malformed');
    return checked('sha256', decimal(shape[1]), Buffer.from(shape[2]!, 'utf8'), key);
  }
  return undefined;
};
