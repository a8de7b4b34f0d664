// `gatehouse user create | lock | unlock | reset-factors`: account administration from the shell.
import type { AdminServices } from './admin-services.ts';
import { checkEmail, checkLoginName, parseIdentifier } from '../identity/identifiers.ts';
import { checkNewPassword } from '../identity/password-policy.ts';
import { isLocale } from '../shared/i18n.ts';
import { resetAccountFactors, setAccountLocked } from '../admin/account-actions.ts';
import { UsageError } from './usage-error.ts';

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function createUser(services: AdminServices, options: { email?: string; login?: string; locale?: string; passwordStdin?: boolean; unverified?: boolean }) {
  if (!options.email) throw new UsageError('user create needs --email');
  const email = checkEmail(options.email);
  if (!email.ok && email.code === 'identity.invisible_character') throw new UsageError('the email contains an invisible character (zero-width, soft hyphen or text direction); type it by hand');
  if (!email.ok) throw new UsageError(`"${options.email}" is not an email address`);
  let loginName: string | null = null;
  if (options.login) {
    const checked = checkLoginName(options.login);
    if (!checked.ok) throw new UsageError('the login name must be 3–32 characters: a–z, 0–9, dots, hyphens, underscores');
    loginName = checked.loginName;
  }
  const locale = options.locale ?? 'en';
  if (!isLocale(locale)) throw new UsageError('--locale must be en or ru');
  let passwordHash: string | null = null;
  if (options.passwordStdin) {
    const password = await checkNewPassword(await readPasswordFromStdin(), undefined, { email: email.email, loginName }, services.config.security);
    if (!password.ok) throw new UsageError(`the password is not accepted (${password.code})`);
    passwordHash = await services.hasher.hash(password.password);
  }
  if (await services.accounts.findByEmail(email.email)) throw new UsageError('an account with this email already exists');
  if (loginName && (await services.accounts.findByLoginName(loginName))) throw new UsageError('this login name is taken');
  const now = services.clock.now();
  const account = await services.accounts.insert(services.db, {
    email: email.email,
    loginName,
    passwordHash,
    locale,
    emailVerifiedAt: options.unverified ? null : now,
    now,
  });
  return account;
}

async function accountNamed(services: AdminServices, identifierText: string | undefined, command: string) {
  if (!identifierText) throw new UsageError(`user ${command} needs an email or login name`);
  const parsed = parseIdentifier(identifierText);
  if (!parsed.ok && parsed.code === 'identity.invisible_character') throw new UsageError('the email or login name contains an invisible character (zero-width, soft hyphen or text direction)');
  if (!parsed.ok) throw new UsageError(`"${identifierText}" is neither an email address nor a login name`);
  const account = await services.accounts.findByIdentifier(parsed.identifier);
  if (!account) throw new UsageError('no such account');
  return account;
}

/** Support's answer to "I lost my phone and my backup codes" (admin/account-actions.ts). */
export async function resetUserFactors(services: AdminServices, identifierText: string | undefined) {
  const account = await accountNamed(services, identifierText, 'reset-factors');
  await resetAccountFactors(services, account.id, 'cli');
  return account;
}

export async function setUserLocked(services: AdminServices, identifierText: string | undefined, locked: boolean) {
  const account = await accountNamed(services, identifierText, locked ? 'lock' : 'unlock');
  await setAccountLocked(services, account.id, locked, 'cli');
  return account;
}
