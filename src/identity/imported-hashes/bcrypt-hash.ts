// bcrypt as PHP's password_hash, Laravel, Rails (bcrypt-ruby), Node's bcrypt/bcryptjs and
// OpenBSD write it: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 22 characters of salt and 31
// of hash in bcrypt's own base64. The three prefixes name fixes to how implementations treated
// non-ASCII bytes; correct implementations compute the same hash for all three. bcryptjs verifies
// (constant-time compare inside; pure JavaScript, run in slices between other requests).
// @node-rs/bcrypt was tried first: its per-platform packages are not all on the registry mirror
// CI installs from, so `npm ci` refused the lock file. bcrypt reads at most 72 bytes of the password, as the
// old system did, so the same password verifies the same way here.
import bcryptjs from 'bcryptjs';
import { SIGN_IN_BUDGET } from './sign-in-budget.ts';
import { unusable, type HashReader } from './readable-hash.ts';

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export const readBcryptHash: HashReader = (text) => {
  if (!/^\$2[aby]\$/.test(text)) return undefined;
  const shape = BCRYPT.exec(text);
  if (!shape) return unusable('malformed');
  const cost = Number(shape[1]);
  if (cost < 4) return unusable('malformed'); // bcrypt's own minimum
  if (cost > SIGN_IN_BUDGET.bcryptMaxCost) return unusable('too_costly');
  return { ok: true, kind: 'bcrypt', verify: (password) => bcryptjs.compare(password, text) };
};
