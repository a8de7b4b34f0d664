// `gatehouse admin-token create --name NAME | list | revoke NAME`: the tokens of /api/v1/admin.
// A token is printed once, when it is made, and kept only as its SHA-256 (admin/admin-tokens.ts):
// nobody — not this command, not a database copy — can show it again; a lost one is revoked and
// replaced. `list` prints JSON, for scripts, and never a token or its hash.
import { ADMIN_TOKEN_NAME, createAdminTokens } from '../admin/admin-tokens.ts';
import type { AdminServices } from './admin-services.ts';
import { UsageError } from './usage-error.ts';

const tokensOf = (services: AdminServices) => createAdminTokens(services.db, services.clock);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function checkedName(name: string | undefined, command: string): string {
  if (!name) throw new UsageError(`admin-token ${command} needs a name (e.g. ${command === 'create' ? '--name support' : 'support'})`);
  if (!ADMIN_TOKEN_NAME.test(name)) throw new UsageError('an admin token name is 1 to 48 characters: a–z, 0–9, dots, hyphens, underscores, starting with a letter or digit');
  return name;
}

export async function createAdminToken(services: AdminServices, name: string | undefined): Promise<string> {
  const created = await tokensOf(services).create(checkedName(name, 'create'));
  if (!created) throw new UsageError(`an admin token named ${JSON.stringify(name)} exists already (revoked names stay taken, so events keep naming one token)`);
  return [
    created.token,
    '',
    'This is the only time the token is shown: store it in your secret manager now.',
    `Send it as "Authorization: Bearer <token>" to /api/v1/admin/…; revoke it with: gatehouse admin-token revoke ${name}`,
  ].join('\n');
}

export async function listAdminTokens(services: AdminServices): Promise<string> {
  const tokens = await tokensOf(services).list();
  return JSON.stringify(tokens.map((t) => ({ name: t.name, created_at: iso(t.createdAt), last_used_at: iso(t.lastUsedAt), revoked_at: iso(t.revokedAt) })));
}

export async function revokeAdminToken(services: AdminServices, name: string | undefined): Promise<string> {
  const tokens = tokensOf(services);
  const checked = checkedName(name, 'revoke');
  if (await tokens.revoke(checked)) return `revoked the admin token ${checked}: it is refused from now on`;
  if (await tokens.exists(checked)) return `the admin token ${checked} was revoked already`;
  throw new UsageError(`no admin token is named ${JSON.stringify(checked)} (gatehouse admin-token list shows them)`);
}
