// What reading a stored password hash gives: which kind it is and how to check a password
// against it, or why it cannot be used. Shared by the format readers and imported-hash.ts.

export type ImportedHashKind = 'bcrypt' | 'argon2i' | 'argon2id' | 'scrypt' | 'pbkdf2-sha256' | 'pbkdf2-sha512' | 'phpass';

/** malformed: the format's prefix, but not its shape; too_costly: over the sign-in budget. */
export type HashProblem = 'malformed' | 'too_costly';

export interface ReadableHash {
  ok: true;
  kind: ImportedHashKind;
  /** Whether this password made the hash, compared in constant time. Never throws for a wrong one. */
  verify(password: string): Promise<boolean>;
}

export interface UnusableHash {
  ok: false;
  problem: HashProblem;
}

/** One format's reader: undefined when the text is not this format at all (another may read it). */
export type HashReader = (text: string) => ReadableHash | UnusableHash | undefined;

export const unusable = (problem: HashProblem): UnusableHash => ({ ok: false, problem });

/** A decimal count as the formats write it: digits only, no sign, no leading zero, no "1e5". */
export function decimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^(?:0|[1-9]\d{0,9})$/.test(text)) return undefined;
  return Number(text);
}
