// argon2i and argon2id PHC strings (`$argon2id$v=19$m=65536,t=3,p=4$salt$hash`), as the argon2
// reference implementation, PHP, libsodium, Django's Argon2PasswordHasher (after its "argon2"
// prefix is dropped, see imported-hash.ts) and our own hasher write them. @node-rs/argon2 reads the
// parameters and verifies. argon2d is refused: meant for proof-of-work, not passwords (its memory
// access depends on the password), and no maintained system stores passwords with it by default.
import { Algorithm, parseOptions, verify } from '@node-rs/argon2';
import { SIGN_IN_BUDGET } from './sign-in-budget.ts';
import { unusable, type HashReader } from './readable-hash.ts';

export const readArgon2Hash: HashReader = (text) => {
  const prefix = /^\$(argon2id|argon2i)\$/.exec(text);
  if (!prefix) return undefined;
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(text);
  } catch {
    return unusable('malformed');
  }
  const kind = prefix[1] === 'argon2id' ? 'argon2id' : 'argon2i';
  if (options.algorithm !== (kind === 'argon2id' ? Algorithm.Argon2id : Algorithm.Argon2i)) return unusable('malformed');
  if (options.saltLen < 8 || options.outputLen < 16) return unusable('malformed'); // the RFC 9106 minimums
  const { memoryCost, timeCost, parallelism } = options;
  if (memoryCost > SIGN_IN_BUDGET.argon2MaxMemoryKib || timeCost > SIGN_IN_BUDGET.argon2MaxPasses) return unusable('too_costly');
  if (memoryCost * timeCost > SIGN_IN_BUDGET.argon2MaxMemoryPasses || parallelism > SIGN_IN_BUDGET.argon2MaxLanes) return unusable('too_costly');
  return {
    ok: true,
    kind,
    async verify(password) {
      try {
        return await verify(text, password);
      } catch {
        return false;
      }
    },
  };
};
