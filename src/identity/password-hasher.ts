// Password hashing: argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). Hashes with other
// parameters, and hashes imported from another system (bcrypt, scrypt, PBKDF2, phpass: see
// imported-hashes/), still verify and are flagged for rehashing at the next successful sign-in.
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import type { SecurityConfig } from '../config/config.ts';
import { readImportedHash } from './imported-hashes/imported-hash.ts';

/**
 * Runs at most `limit` hashes at once. libuv's four threads on a two-core machine would run four
 * 19 MiB argon2 computations side by side: slower in total and twice the memory. Measured here:
 * 2 at a time gave 230 verifies/s at 90 MiB peak, 4 gave 190/s at 130 MiB.
 */
function createGate(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function gated<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Our argon2id or an imported format (imported-hashes/); an unreadable hash is a wrong password. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /** True for every hash but argon2id with today's parameters: imported ones included. */
  needsRehash(storedHash: string): boolean;
  /** Same cost as a real verify, for unknown accounts, so timing does not reveal existence. */
  verifyAgainstDummy(password: string): Promise<void>;
}

export function createPasswordHasher(security: Pick<SecurityConfig, 'argon2MemoryKib' | 'argon2Iterations' | 'argon2Parallelism'>): PasswordHasher {
  const options = {
    algorithm: Algorithm.Argon2id,
    memoryCost: security.argon2MemoryKib,
    timeCost: security.argon2Iterations,
    parallelism: security.argon2Parallelism,
  };
  const wanted = `$argon2id$v=19$m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}$`;
  let dummyHash: Promise<string> | undefined;
  const gated = createGate(Math.max(1, availableParallelism()));

  const dummy = () => (dummyHash ??= gated(() => hash('gatehouse-dummy-password', options)));

  /** A verify against the dummy hash: the work of a real one, for an answer that is always no. */
  const dummyWork = async (password: string): Promise<false> => {
    const dummyStored = await dummy();
    await gated(() => verify(dummyStored, password)).catch(() => false);
    return false;
  };

  const verifyPassword = async (storedHash: string, password: string): Promise<boolean> => {
    // A hash no format reads fails like a wrong password, after the same work as an unknown
    // account's, so neither the answer nor its time says the stored value is broken.
    if (storedHash.startsWith('$argon2')) {
      return gated(() => verify(storedHash, password)).catch(() => dummyWork(password));
    }
    const imported = readImportedHash(storedHash);
    if (!imported.ok) return dummyWork(password);
    // Never cheaper than an unknown account's refusal: a weak imported hash (bcrypt cost 4, a
    // phpass $H$5) alone would answer in a millisecond and tell that the address exists and
    // came from the import. The dummy runs beside it, so the floor is one argon2id verify.
    const [right] = await Promise.all([gated(() => imported.verify(password)).catch(() => false), dummyWork(password)]);
    return right;
  };

  return {
    hash: (password) => gated(() => hash(password, options)),
    verify: verifyPassword,
    needsRehash: (storedHash) => !storedHash.startsWith(wanted),
    async verifyAgainstDummy(password) {
      await dummyWork(password);
    },
  };
}
