// A password hash from another system, read by its format: what the import checks a line's hash
// with, and what the password hasher verifies a not-yet-upgraded account with. The formats, each
// verified by a maintained library (phpass excepted, see phpass-hash.ts):
//   bcrypt $2a$/$2b$/$2y$ · argon2i/argon2id PHC · scrypt PHC and Django · PBKDF2-SHA256/SHA512
//   passlib, PHC and Django · phpass/WordPress portable $P$/$H$.
// Django writes bcrypt and argon2 behind its own label (`bcrypt$$2b$…`, `argon2$argon2id$…`);
// the label is dropped, and the hash is stored as the library's own form.
import { readArgon2Hash } from './argon2-hash.ts';
import { readBcryptHash } from './bcrypt-hash.ts';
import { readPbkdf2Hash } from './pbkdf2-hash.ts';
import { readPhpassHash } from './phpass-hash.ts';
import { readScryptHash } from './scrypt-hash.ts';
import type { HashProblem, ReadableHash } from './readable-hash.ts';

export type { ImportedHashKind, ReadableHash } from './readable-hash.ts';

export type ImportedHashProblem = 'unknown_format' | HashProblem;

const READERS = [readBcryptHash, readArgon2Hash, readScryptHash, readPbkdf2Hash, readPhpassHash];

/** Hashes longer than any format above writes are not read at all (a line could carry megabytes). */
const MAX_HASH_LENGTH = 512;

const DJANGO_LABELS = [
  { label: 'bcrypt$', then: '$2' },
  { label: 'argon2', then: '$argon2' },
];

/** The hash as it is stored: Django's label dropped, everything else as given. */
export function storedFormOf(text: string): string {
  for (const { label, then } of DJANGO_LABELS) if (text.startsWith(label + then)) return text.slice(label.length);
  return text;
}

export function readImportedHash(text: string): ReadableHash | { ok: false; problem: ImportedHashProblem } {
  if (text.length > MAX_HASH_LENGTH) return { ok: false, problem: 'unknown_format' };
  const stored = storedFormOf(text);
  for (const read of READERS) {
    const result = read(stored);
    if (result) return result;
  }
  return { ok: false, problem: 'unknown_format' };
}
