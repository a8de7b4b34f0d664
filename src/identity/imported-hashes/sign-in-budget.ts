// How much work one imported hash may cost a sign-in. Each verify runs on every attempt, right or
// wrong, until the first success re-hashes with our argon2id; a file with `$2b$31$…` (bcrypt cost
// 31: days per attempt) or scrypt with N=2^30 (128 GiB) would let anyone who knows the address
// stall a thread pool slot or the process with one wrong password. So the import refuses costs
// above these, each a little over the most a maintained system's default or documented setting
// uses today (named beside it), and about half a second or less per verify on a 2-core machine
// (measured: bcrypt 13 ≈ 0.46 s, PBKDF2-SHA256 1M ≈ 0.28 s, scrypt N=2^16 r=8 ≈ 0.2 s).
// Weak costs are accepted: the shopper's password is re-hashed at the first sign-in anyway, and
// refusing them would leave the account without a password.
export const SIGN_IN_BUDGET = {
  /** bcrypt cost (log2 rounds): Laravel and Rails default 12. */
  bcryptMaxCost: 13,
  /**
   * argon2 memory in KiB: Django's Argon2PasswordHasher default is 100 MiB (PHP and libsodium
   * "interactive" use 64 MiB). The hasher's gate runs one verify per core, so at most 200 MiB here.
   */
  argon2MaxMemoryKib: 102_400,
  argon2MaxPasses: 10,
  /** memory × passes: 64 MiB × 4, Django's 100 MiB × 2, or our 19 MiB × 13. */
  argon2MaxMemoryPasses: 262_144,
  argon2MaxLanes: 8,
  /** scrypt's table, 128·N·r bytes: passlib's default ln=16, r=8 is exactly 64 MiB. */
  scryptMaxMemoryBytes: 64 * 1024 * 1024,
  /** N·r·p, the work: passlib 2^19, Django 2^14·8·5 ≈ 2^19.3; four times that. */
  scryptMaxWork: 2 ** 21,
  /** PBKDF2 iterations: Django 5.2 uses 1,000,000 (SHA-256); OWASP 2023 says 600,000. */
  pbkdf2MaxIterations: 2_000_000,
  /**
   * phpass log2 iterations: WordPress 13 ("$P$B"), phpBB 11 ("$H$9"). phpass itself allows 30.
   * Its MD5 loop runs on the main thread: 2^13 rounds take a few milliseconds, 2^16 would hold
   * every other request (and /readyz) for tens of milliseconds per wrong guess.
   */
  phpassMaxLog2: 13,
} as const;
