// Password hashing: argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). Hashes with other
// parameters still verify and are flagged for rehashing at the next successful sign-in.
import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { SecurityConfig } from '../config/config.ts';

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

  const verifyPassword = async (storedHash: string, password: string) => {
    if (!storedHash.startsWith('$argon2')) return false;
    try {
      return await verify(storedHash, password);
    } catch {
      return false; // a malformed stored hash is a failed sign-in, not a crash
    }
  };

  return {
    hash: (password) => hash(password, options),
    verify: verifyPassword,
    needsRehash: (storedHash) => !storedHash.startsWith(wanted),
    async verifyAgainstDummy(password) {
      dummyHash ??= hash('gatehouse-dummy-password', options);
      await verifyPassword(await dummyHash, password);
    },
  };
}
