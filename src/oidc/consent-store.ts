// What a shopper has allowed an app (not first-party) to know: the scopes, per account and app.
// Kept in Gatehouse's own table rather than only in oidc-provider's Grant, because sign-out, a
// replayed code and a reused refresh token all delete the Grant — the shopper's answer must not
// go with them. It is what My account → Security → "Apps with access" lists, and withdrawing it
// also ends every token the app holds for the account, in the same transaction.
import type { Database } from '../storage/database.ts';
import type { EventOrigin, SecurityEvents } from '../activity/security-events.ts';
import type { Clock } from '../shared/clock.ts';

export interface AppWithAccess {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: number;
}

const scopeList = (scope: string) => [...new Set(scope.split(' ').filter(Boolean))].sort();

/** The app as the record names it: its id and the name the store registered (not the shopper's words). */
async function appDetail(executor: Database, clientId: string, scope?: string) {
  const client = await executor.selectFrom('oidc_clients').select('name').where('client_id', '=', clientId).executeTakeFirst();
  return { app: clientId, appName: client?.name ?? clientId, ...(scope ? { scope } : {}) };
}

export function createConsentStore(db: Database, clock: Clock, events: SecurityEvents) {
  return {
    async scopesAllowed(accountId: string, clientId: string): Promise<string[] | undefined> {
      const row = await db.selectFrom('oidc_consents').select('scope').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
      return row ? scopeList(row.scope) : undefined;
    },

    /** Records the shopper's yes, and its security event; scopes allowed earlier stay allowed. */
    async allow(accountId: string, clientId: string, scopes: string[], from?: EventOrigin): Promise<void> {
      const earlier = (await this.scopesAllowed(accountId, clientId)) ?? [];
      const scope = scopeList([...earlier, ...scopes].join(' ')).join(' ');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('oidc_consents')
          .values({ account_id: accountId, client_id: clientId, scope, granted_at: now })
          .onConflict((conflict) => conflict.columns(['account_id', 'client_id']).doUpdateSet({ scope, granted_at: now }))
          .execute();
        await events.record(trx, { accountId, type: 'app.consent_given', detail: await appDetail(trx, clientId, scope), from });
      });
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
    async withdraw(accountId: string, clientId: string, from?: EventOrigin): Promise<boolean> {
      if (clientId.length > 100) return false;
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('oidc_consents').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
        await trx.deleteFrom('oidc_payloads').where('account_id', '=', accountId).where('client_id', '=', clientId).execute();
        const withdrawn = Number(result.numDeletedRows) === 1;
        if (withdrawn) await events.record(trx, { accountId, type: 'app.consent_withdrawn', detail: await appDetail(trx, clientId), from });
        return withdrawn;
      });
    },
  };
}

export type ConsentStore = ReturnType<typeof createConsentStore>;
