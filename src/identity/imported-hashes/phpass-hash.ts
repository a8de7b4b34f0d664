// phpass "portable" hashes: WordPress (`$P$B…`), phpBB 3 (`$H$9…`), Drupal 7's imported
// WordPress users. No maintained npm package verifies them (the ones there are unmaintained
// copies of this loop), so this is the one hand-written scheme, kept to the published algorithm
// (openwall.com/phpass, PasswordHash.php crypt_private): the 4th character's position in itoa64 is
// log2 of the count, 8 characters of salt follow; x = md5(salt ‖ password), then `count` times
// x = md5(x ‖ password); the 16 bytes are written in itoa64, least significant bits first.
import { createHash } from 'node:crypto';
import { sameBytes } from './hash-encodings.ts';
import { SIGN_IN_BUDGET } from './sign-in-budget.ts';
import { unusable, type HashReader } from './readable-hash.ts';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PHPASS = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
/** md5s between two yields to the event loop: a 2^16 count is ~0.15 s of CPU on this machine. */
const ROUNDS_PER_TURN = 2048;

/** phpass's encode64: 3 bytes → 4 characters, low bits first (not RFC 4648 base64). */
function encode64(input: Buffer): string {
  let output = '';
  for (let i = 0; i < input.length; ) {
    let value = input[i++]!;
    output += ITOA64[value & 0x3f];
    if (i < input.length) value |= input[i]! << 8;
    output += ITOA64[(value >> 6) & 0x3f];
    if (i++ >= input.length) break;
    if (i < input.length) value |= input[i]! << 16;
    output += ITOA64[(value >> 12) & 0x3f];
    if (i++ >= input.length) break;
    output += ITOA64[(value >> 18) & 0x3f];
  }
  return output;
}

async function derive(password: Buffer, salt: string, count: number): Promise<Buffer> {
  let digest = createHash('md5').update(salt).update(password).digest();
  for (let done = 0; done < count; done++) {
    digest = createHash('md5').update(digest).update(password).digest();
    // The loop runs on the main thread: yielding keeps other requests moving meanwhile.
    if (done % ROUNDS_PER_TURN === ROUNDS_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return digest;
}

export const readPhpassHash: HashReader = (text) => {
  if (!text.startsWith('$P$') && !text.startsWith('$H$')) return undefined;
  if (!PHPASS.test(text)) return unusable('malformed');
  const log2 = ITOA64.indexOf(text[3]!);
  if (log2 < 7 || log2 > 30) return unusable('malformed'); // phpass's own bounds
  if (log2 > SIGN_IN_BUDGET.phpassMaxLog2) return unusable('too_costly');
  const salt = text.slice(4, 12);
  const stored = Buffer.from(text.slice(12), 'latin1');
  return {
    ok: true,
    kind: 'phpass',
    async verify(password) {
      const computed = Buffer.from(encode64(await derive(Buffer.from(password, 'utf8'), salt, 2 ** log2)), 'latin1');
      return sameBytes(computed, stored);
    },
  };
};
