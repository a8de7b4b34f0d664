// What a shopper has allowed an app (not first-party) to know: the scopes, per account and app.
// Kept in Gatehouse's own table rather than only in oidc-provider's Grant, because sign-out, a
// replayed code and a reused refresh token all delete the Grant — the shopper's answer must not
// go with them. It is what My account → Security → "Apps with access" lists, and withdrawing it
// also ends every token the app holds for the account, in the same transaction.
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';

export interface AppWithAccess {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: number;
}

const scopeList = (scope: string) => [...new Set(scope.split(' ').filter(Boolean))].sort();

export function createConsentStore(db: Database, clock: Clock) {
  return {
    async scopesAllowed(accountId: string, clientId: string): Promise<string[] | undefined> {
      const row = await db.selectFrom('oidc_consents').select('scope').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
      return row ? scopeList(row.scope) : undefined;
    },

    /** Records the shopper's yes; scopes allowed earlier stay allowed. */
    async allow(accountId: string, clientId: string, scopes: string[]): Promise<void> {
      const earlier = (await this.scopesAllowed(accountId, clientId)) ?? [];
      const scope = scopeList([...earlier, ...scopes].join(' ')).join(' ');
      const now = clock.now();
      await db
        .insertInto('oidc_consents')
        .values({ account_id: accountId, client_id: clientId, scope, granted_at: now })
        .onConflict((conflict) => conflict.columns(['account_id', 'client_id']).doUpdateSet({ scope, granted_at: now }))
        .execute();
    },

    async appsWithAccess(accountId: string): Promise<AppWithAccess[]> {
      const rows = await db
        .selectFrom('oidc_consents')
        .innerJoin('oidc_clients', 'oidc_clients.client_id', 'oidc_consents.client_id')
        .select(['oidc_consents.client_id', 'oidc_clients.name', 'oidc_consents.scope', 'oidc_consents.granted_at'])
        .where('oidc_consents.account_id', '=', accountId)
        .orderBy('oidc_consents.granted_at', 'desc')
        .execute();
      return rows.map((row) => ({ clientId: row.client_id, name: row.name, scopes: scopeList(row.scope), grantedAt: Number(row.granted_at) }));
    },

    /** Withdraws the app's access: the consent and every code, token and grant it holds for the account. False when there was none. */
    async withdraw(accountId: string, clientId: string): Promise<boolean> {
      if (clientId.length > 100) return false;
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('oidc_consents').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
        await trx.deleteFrom('oidc_payloads').where('account_id', '=', accountId).where('client_id', '=', clientId).execute();
        return Number(result.numDeletedRows) === 1;
      });
    },
  };
}

export type ConsentStore = ReturnType<typeof createConsentStore>;
