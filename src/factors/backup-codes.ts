// Backup codes: the way in when the authenticator app is lost. Ten codes, each used once, shown
// and downloadable once; the caller stores only a keyed hash of normalizeBackupCode(code).
import { randomInt } from 'node:crypto';

export const BACKUP_CODE_COUNT = 10;

/**
 * Lowercase letters and digits without 0/o, 1/l/i, which people misread when copying from paper.
 * That leaves 31 symbols, so 8 of them carry 8·log2(31) ≈ 39.6 bits, just under 40 (a full 40
 * needs 32 symbols or a 9th character); ample as long as the caller throttles tries and spends a
 * code on first use.
 */
export const BACKUP_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const BACKUP_CODE_LENGTH = 8;

const NORMALIZED = new RegExp(`^[${BACKUP_CODE_ALPHABET}]{${BACKUP_CODE_LENGTH}}$`);

function newBackupCode(): string {
  let chars = '';
  // randomInt rejects out-of-range draws, so every symbol is equally likely (no modulo bias).
  for (let i = 0; i < BACKUP_CODE_LENGTH; i++) chars += BACKUP_CODE_ALPHABET[randomInt(BACKUP_CODE_ALPHABET.length)];
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** `count` distinct codes such as "7k2m-x9qp" (two groups of 4, easier to copy by hand). */
export function newBackupCodes(count: number = BACKUP_CODE_COUNT): string[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`Backup code count must be a positive integer, not ${count}`);
  const codes = new Set<string>();
  // Distinct so every listed code stays usable after one of its twins would have been spent.
  while (codes.size < count) codes.add(newBackupCode());
  return [...codes];
}

/**
 * The 8 symbols of a typed code, or null. Forgiving about what copying adds (case, spaces, and
 * hyphens or dashes anywhere) but nothing else: since the alphabet has neither 0 nor o, 1 nor l,
 * there is no look-alike to map, and anything outside the alphabet cannot be a code.
 */
export function normalizeBackupCode(typed: string): string | null {
  const bare = typed.trim().toLowerCase().replace(/[\s\-\u2010-\u2015\u2212]+/g, '');
  return NORMALIZED.test(bare) ? bare : null;
}

const FILE_TEXT = {
  en: {
    title: 'Backup codes',
    forAccount: (storeName: string, account: string) => `For signing in to ${storeName} as ${account} when you do not have your authenticator app.`,
    once: 'Each code works once. Keep this file somewhere safe; anyone who has it can sign in with these codes.',
    created: 'Created',
    locale: 'en-GB',
  },
  ru: {
    title: 'Резервные коды',
    forAccount: (storeName: string, account: string) => `Для входа в ${storeName} как ${account}, если под рукой нет приложения-аутентификатора.`,
    once: 'Каждый код срабатывает один раз. Храните этот файл в надёжном месте: любой, у кого он есть, сможет войти с этими кодами.',
    created: 'Создано',
    locale: 'ru-RU',
  },
} as const;

/** The downloadable .txt: title, what the codes are for, that each works once, the codes, the date (UTC). */
export function backupCodesFile(input: { codes: string[]; storeName: string; account: string; createdAt: Date; locale: 'en' | 'ru' }): string {
  const text = FILE_TEXT[input.locale];
  // Names come from elsewhere; a line break in one must not add a line (say, a code-shaped one).
  const oneLine = (value: string) => value.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const storeName = oneLine(input.storeName);
  const created = new Intl.DateTimeFormat(text.locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(input.createdAt);
  const lines = [
    `${text.title} — ${storeName}`,
    '',
    text.forAccount(storeName, oneLine(input.account)),
    text.once,
    '',
    ...input.codes,
    '',
    `${text.created}: ${created} UTC`,
  ];
  // Plain \n, one code per line, so the file reads the same everywhere and copies cleanly.
  return lines.join('\n') + '\n';
}
