// What ending Gatehouse sessions does to the apps signed in through them ("Sign in with <Store>",
// oidc/): their codes, tokens and grants live in oidc_payloads, and they end in the same
// transaction as the sessions, so an app cannot keep a shopper signed in whose password was just
// taken back. Only the table is touched here — sessions/ stays below oidc/, which reads it.
import type { Database } from '../storage/database.ts';

const TOKEN_MODELS = ['Session', 'Interaction', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'Grant'];

/** Every code, token and grant any app holds for the account (sign out everywhere, a new password, a lock). */
export async function endAppTokensOfAccount(executor: Database, accountId: string): Promise<void> {
  await executor.deleteFrom('oidc_payloads').where('account_id', '=', accountId).where('model', 'in', TOKEN_MODELS).execute();
}

/** Whether any app was signed in through this Gatehouse session (an indexed lookup). */
export async function hasAppSessions(executor: Database, gatehouseSessionId: string): Promise<boolean> {
  const row = await executor.selectFrom('oidc_payloads').select('id').where('gatehouse_session_id', '=', gatehouseSessionId).where('model', '=', 'Session').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * What apps hold through one Gatehouse session: the provider's sessions made from it, and every
 * code, token (refresh tokens included) and grant issued in those.
 */
export async function endAppTokensOfSession(executor: Database, gatehouseSessionId: string): Promise<void> {
  const sessions = await executor.selectFrom('oidc_payloads').select(['id', 'uid']).where('model', '=', 'Session').where('gatehouse_session_id', '=', gatehouseSessionId).execute();
  if (sessions.length === 0) return;
  const uids = sessions.map((row) => row.uid).filter((uid): uid is string => uid !== null);
  if (uids.length > 0) {
    const grants = await executor.selectFrom('oidc_payloads').select('grant_id').distinct().where('session_uid', 'in', uids).where('grant_id', 'is not', null).execute();
    const grantIds = grants.map((row) => row.grant_id!);
    if (grantIds.length > 0) {
      await executor.deleteFrom('oidc_payloads').where('grant_id', 'in', grantIds).execute();
      await executor.deleteFrom('oidc_payloads').where('model', '=', 'Grant').where('id', 'in', grantIds).execute();
    }
    await executor.deleteFrom('oidc_payloads').where('session_uid', 'in', uids).execute();
  }
  await executor.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', 'in', sessions.map((row) => row.id)).execute();
}
