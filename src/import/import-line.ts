// One line of an import file → the account it describes, or why it cannot be one. Pure: the same
// checks as sign-up (identifiers.ts) for the email and login name, and the imported hash read by
// its format with the sign-in budget (identity/imported-hashes/), so a line that passes here can
// only still be skipped because its email or login name is taken.
import { checkEmail, checkLoginName } from '../identity/identifiers.ts';
import { readImportedHash, storedFormOf } from '../identity/imported-hashes/imported-hash.ts';
import { isLocale } from '../shared/i18n.ts';
import type { ImportSkipReason } from './import-reasons.ts';

export const MAX_LINE_LENGTH = 4096;

const FIELDS = new Set(['email', 'email_verified', 'login_name', 'locale', 'password_hash']);

export interface ImportedAccount {
  line: number;
  email: string;
  emailVerified: boolean;
  loginName: string | null;
  locale: 'en' | 'ru';
  passwordHash: string | null;
}

export type LineVerdict =
  | { ok: true; account: ImportedAccount }
  /** email: the normalized address when the line had a valid one, to be shown masked. */
  | { ok: false; reason: ImportSkipReason; email?: string; field?: string };

const HASH_PROBLEMS = { unknown_format: 'import.hash_unknown_format', malformed: 'import.hash_malformed', too_costly: 'import.hash_too_costly' } as const;

const isAbsent = (value: unknown) => value === undefined || value === null;

export function readImportLine(text: string, line: number): LineVerdict {
  if (text.length > MAX_LINE_LENGTH) return { ok: false, reason: 'import.line_too_long' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'import.not_json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'import.not_json' };
  const fields = parsed as Record<string, unknown>;
  // A misspelt field ("pasword_hash") would otherwise import an account without its password.
  const unknown = Object.keys(fields).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return { ok: false, reason: 'import.unknown_field', field: unknown.slice(0, 40) };

  const email = typeof fields.email === 'string' ? checkEmail(fields.email) : undefined;
  if (!email?.ok) return { ok: false, reason: 'import.email_invalid' };
  const known = { email: email.email };
  if (typeof fields.email_verified !== 'boolean') return { ok: false, reason: 'import.email_verified_invalid', ...known };

  let loginName: string | null = null;
  if (!isAbsent(fields.login_name)) {
    const checked = typeof fields.login_name === 'string' ? checkLoginName(fields.login_name) : undefined;
    if (!checked?.ok) return { ok: false, reason: 'import.login_name_invalid', ...known };
    loginName = checked.loginName;
  }
  const locale = isAbsent(fields.locale) ? 'en' : fields.locale;
  if (typeof locale !== 'string' || !isLocale(locale)) return { ok: false, reason: 'import.locale_invalid', ...known };

  let passwordHash: string | null = null;
  if (!isAbsent(fields.password_hash)) {
    if (typeof fields.password_hash !== 'string') return { ok: false, reason: 'import.hash_invalid', ...known };
    const hash = readImportedHash(fields.password_hash);
    if (!hash.ok) return { ok: false, reason: HASH_PROBLEMS[hash.problem], ...known };
    passwordHash = storedFormOf(fields.password_hash);
  }
  return { ok: true, account: { line, email: email.email, emailVerified: fields.email_verified, loginName, locale, passwordHash } };
}
