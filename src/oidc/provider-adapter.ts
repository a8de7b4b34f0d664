// oidc-provider's storage, on Kysely: one table (oidc_payloads) for every model it keeps — codes,
// access and refresh tokens, grants, its own sessions and interactions — so that any Gatehouse
// node can finish what another began. The payload is oidc-provider's JSON; the columns beside it
// are what rows are found and deleted by (grant, account, app, session).
//
// Times: oidc-provider decides expiry with its own Date.now(), not Gatehouse's clock, so the
// adapter does too (a test's manual clock would otherwise make rows vanish before the tokens in
// them expire). 15 s are added to each expiry, the provider's own clock tolerance, as its memory
// adapter does.
import { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../storage/database.ts';

const TOLERANCE_MS = 15_000;

/** Models whose consume() is the single use of a secret: a code, a refresh token. */
const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken']);

/** Everything oidc-provider keeps for a grant (what a replayed code or refresh token takes down). */
export async function deleteGrant(db: Database, grantId: string): Promise<void> {
  await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  await db.deleteFrom('oidc_payloads').where('model', '=', 'Grant').where('id', '=', grantId).execute();
}

/**
 * The adapter class oidc-provider instantiates once per model. `gatehouseSessionId` names the
 * Gatehouse session of the request being served (through the provider's request context), so its
 * own Session row remembers which Gatehouse sign-in it stands on.
 */
export function providerAdapter(deps: {
  db: Database;
  gatehouseSessionId: () => string | undefined;
  /** The Client model is not stored here: apps are rows of oidc_clients (client-store.ts), described in oidc-provider's terms. */
  clientMetadata: (clientId: string) => Promise<AdapterPayload | undefined>;
}) {
  const { db, gatehouseSessionId, clientMetadata } = deps;
  return class KyselyAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        account_id: payload.accountId ?? null,
        client_id: payload.clientId ?? null,
        session_uid: payload.sessionUid ?? null,
        gatehouse_session_id: this.model === 'Session' ? (gatehouseSessionId() ?? null) : null,
        expires_at: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 + TOLERANCE_MS : null,
      };
      const { model: _model, id: _id, ...update } = row;
      // An upsert of an existing row keeps consumed_at (oidc-provider saves some models again).
      await db
        .insertInto('oidc_payloads')
        .values({ ...row, consumed_at: null })
        .onConflict((conflict) => conflict.columns(['model', 'id']).doUpdateSet(update))
        .execute();
    }

    private async findWhere(column: 'id' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      if (typeof value !== 'string' || value.length > 200) return undefined;
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at'])
        .where('model', '=', this.model)
        .where(column, '=', value)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', Date.now())]))
        .executeTakeFirst();
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) };
    }

    find(id: string) {
      if (this.model === 'Client') return clientMetadata(id);
      return this.findWhere('id', id);
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    async findByUserCode(): Promise<undefined> {
      return undefined; // the device flow is off
    }

    /**
     * oidc-provider reads a code or refresh token, sees it unused, then consumes it: two requests
     * with the same one (two nodes, or a replay racing the real app) would both pass the read. The
     * conditional UPDATE lets one of them through; the other finds it already used, which is a
     * replay: the whole grant goes, as for any replay, and the request is refused as invalid_grant.
     */
    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: Date.now() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1 || !SINGLE_USE.has(this.model)) return;
      const row = await db.selectFrom('oidc_payloads').select('grant_id').where('model', '=', this.model).where('id', '=', id).executeTakeFirst();
      if (row?.grant_id) await deleteGrant(db, row.grant_id);
      throw new errors.InvalidGrant('grant request is invalid');
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('grant_id', '=', grantId).execute();
    }
  };
}
