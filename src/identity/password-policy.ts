// Password rules (DESIGN.md §2, after NIST SP 800-63B §5.1.1.2): length 12–128 characters after
// NFKC, no composition rules; refuse what attackers try first — common passwords, passwords built
// from the shopper's own email or login name, and patterns zxcvbn cracks in under a million guesses.
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';

// zxcvbn's dictionaries cost ~55 MiB and a moment to build: loaded on the first password check,
// not in every process that only signs people in.
type Zxcvbn = (password: string, userInputs: string[]) => { score: number };
let loading: Promise<{ zxcvbn: Zxcvbn; commonPasswords: Set<string> }> | undefined;

function loadChecker() {
  loading ??= (async () => {
    const [{ zxcvbn, zxcvbnOptions }, common, english] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary, ...english.dictionary }, graphs: common.adjacencyGraphs });
    return { zxcvbn: zxcvbn as Zxcvbn, commonPasswords: new Set(common.dictionary.passwords.map((p: string) => p.toLowerCase())) };
  })();
  return loading;
}

export type PasswordProblem =
  | 'password.too_short'
  | 'password.too_long'
  | 'password.common'
  | 'password.contains_identifier'
  | 'password.too_guessable'
  | 'password.mismatch';

export interface PasswordLimits {
  passwordMinLength: number;
  passwordMaxLength: number;
}

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Counts user-perceived characters, so "ё" or an emoji count once. */
function characterCount(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

function identifierParts(email: string | undefined, loginName: string | undefined | null): string[] {
  const parts: string[] = [];
  if (email) {
    const [local = '', domain = ''] = email.toLowerCase().split('@');
    parts.push(local, ...local.split(/[._+-]/), domain.split('.')[0] ?? '');
  }
  if (loginName) parts.push(loginName.toLowerCase(), ...loginName.toLowerCase().split(/[._-]/));
  return parts.filter((part) => part.length >= 4);
}

/** 0 (very weak) … 4 (strong), the same scale the page's meter shows. */
export async function passwordStrength(password: string, userInputs: string[] = []): Promise<number> {
  const { zxcvbn } = await loadChecker();
  return zxcvbn(password.slice(0, 128), userInputs).score;
}

export async function checkNewPassword(
  password: string,
  confirmation: string | undefined,
  owner: { email?: string; loginName?: string | null },
  limits: PasswordLimits,
): Promise<{ ok: true; password: string } | Failure<PasswordProblem>> {
  const normalized = normalizePassword(password);
  const length = characterCount(normalized);
  if (length < limits.passwordMinLength) return fail('password.too_short', { field: 'password' });
  if (length > limits.passwordMaxLength) return fail('password.too_long', { field: 'password' });
  if (confirmation !== undefined && normalizePassword(confirmation) !== normalized) {
    return fail('password.mismatch', { field: 'password_confirmation' });
  }
  const lower = normalized.toLowerCase();
  const { commonPasswords } = await loadChecker();
  if (commonPasswords.has(lower)) return fail('password.common', { field: 'password' });
  const parts = identifierParts(owner.email, owner.loginName);
  const stripped = lower.replace(/[^\p{L}]/gu, '');
  if (parts.some((part) => lower.includes(part) && part.length * 2 >= stripped.length)) {
    return fail('password.contains_identifier', { field: 'password' });
  }
  if ((await passwordStrength(normalized, parts)) <= 1) return fail('password.too_guessable', { field: 'password' });
  return { ok: true, password: normalized };
}
