// scrypt in the two forms maintained software writes, computed by node:crypto's scrypt:
//   PHC   `$scrypt$ln=16,r=8,p=1$<salt>$<key>`: passlib, @phc/scrypt and RustCrypto's scrypt
//         crate; ln is log2(N); salt and key in PHC base64 (no padding); the key's length is read
//         from the hash (passlib writes 32 bytes).
//   Django `scrypt$16384$<salt>$8$5$<key>` (ScryptPasswordHasher, Django 4.0+): N itself, then the
//         salt used as its text, r, p, and a 64-byte key in padded base64.
import { scrypt } from 'node:crypto';
import { decodePaddedBase64, decodePhcBase64, sameBytes } from './hash-encodings.ts';
import { SIGN_IN_BUDGET } from './sign-in-budget.ts';
import { decimal, unusable, type HashReader, type ReadableHash, type UnusableHash } from './readable-hash.ts';

const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]*)\$([^$]+)$/;
const DJANGO = /^scrypt\$(\d+)\$([^$]+)\$(\d+)\$(\d+)\$([^$]+)$/;

function derive(password: string, salt: Buffer, key: Buffer, N: number, r: number, p: number): Promise<boolean> {
  // OpenSSL refuses work over maxmem (default 32 MiB): its table plus p blocks, and some slack.
  const maxmem = 128 * r * (N + p + 2) + 1024 * 1024;
  return new Promise((resolve) => {
    scrypt(Buffer.from(password, 'utf8'), salt, key.length, { N, r, p, maxmem }, (error, derived) => resolve(!error && sameBytes(derived, key)));
  });
}

function checked(N: number | undefined, r: number | undefined, p: number | undefined, salt: Buffer | undefined, key: Buffer | undefined): ReadableHash | UnusableHash {
  if (N === undefined || r === undefined || p === undefined || !salt || !key) return unusable('malformed');
  // N a power of two above 1; r·p < 2^30 (RFC 7914); keys of 16 to 128 bytes.
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || key.length < 16 || key.length > 128) return unusable('malformed');
  if (128 * N * r > SIGN_IN_BUDGET.scryptMaxMemoryBytes || N * r * p > SIGN_IN_BUDGET.scryptMaxWork) return unusable('too_costly');
  return { ok: true, kind: 'scrypt', verify: (password) => derive(password, salt, key, N, r, p) };
}

export const readScryptHash: HashReader = (text) => {
  if (text.startsWith('$scrypt$')) {
    const shape = PHC.exec(text);
    if (!shape) return unusable('malformed');
    const ln = decimal(shape[1]);
    // ln above 40 is no scrypt anyone ran; checked before 2 ** ln so the number stays exact.
    if (ln === undefined || ln > 40) return unusable(ln === undefined ? 'malformed' : 'too_costly');
    return checked(2 ** ln, decimal(shape[2]), decimal(shape[3]), decodePhcBase64(shape[4]!), decodePhcBase64(shape[5]!));
  }
  if (text.startsWith('scrypt$')) {
    const shape = DJANGO.exec(text);
    if (!shape) return unusable('malformed');
    const key = decodePaddedBase64(shape[5]!);
    return checked(decimal(shape[1]), decimal(shape[3]), decimal(shape[4]), Buffer.from(shape[2]!, 'utf8'), key);
  }
  return undefined;
};
