// Sketch of the Kysely adapter: one table for every oidc-provider model, SQLite and PostgreSQL.
import { sql } from 'kysely';

export async function migrate(db) {
  await db.schema.createTable('oidc_payloads').ifNotExists()
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())          // JSON text on both dialects
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')                                   // Session.uid
    .addColumn('user_code', 'text')                             // DeviceCode.userCode (unused)
    .addColumn('account_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('session_uid', 'text')                           // tokens: sessionUid
    .addColumn('gatehouse_session_id', 'text')                  // Session: the Gatehouse session it came from
    .addColumn('expires_at', 'bigint')                          // ms, null = no expiry
    .addColumn('consumed_at', 'bigint')                         // ms
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').ifNotExists().on('oidc_payloads').columns(['grant_id']).execute();
  await db.schema.createIndex('oidc_payloads_uid').ifNotExists().on('oidc_payloads').columns(['uid']).execute();
  await db.schema.createIndex('oidc_payloads_account').ifNotExists().on('oidc_payloads').columns(['account_id', 'model']).execute();
  await db.schema.createIndex('oidc_payloads_expiry').ifNotExists().on('oidc_payloads').columns(['expires_at']).execute();
}

export function kyselyAdapterFactory(db, { now = () => Date.now(), currentRequest = () => undefined } = {}) {
  return class KyselyAdapter {
    constructor(model) { this.model = model; }

    async upsert(id, payload, expiresIn) {
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        account_id: payload.accountId ?? null,
        client_id: payload.clientId ?? null,
        session_uid: payload.sessionUid ?? null,
        gatehouse_session_id: this.model === 'Session' ? (currentRequest()?.gatehouseSessionId ?? null) : null,
        expires_at: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null,
        consumed_at: null,
      };
      const { model: _m, id: _i, ...update } = row;
      // consumed_at must survive an upsert of the same row (oidc-provider re-saves some models).
      delete update.consumed_at;
      await db.insertInto('oidc_payloads').values(row)
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(update))
        .execute();
    }

    async #findWhere(column, value) {
      const row = await db.selectFrom('oidc_payloads').select(['payload', 'consumed_at'])
        .where('model', '=', this.model).where(column, '=', value)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now())]))
        .executeTakeFirst();
      if (!row) return undefined;
      const payload = JSON.parse(row.payload);
      return row.consumed_at == null ? payload : { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) };
    }

    find(id) { return this.#findWhere('id', id); }
    findByUid(uid) { return this.#findWhere('uid', uid); }
    findByUserCode(userCode) { return this.#findWhere('user_code', userCode); }

    async consume(id) {
      await db.updateTable('oidc_payloads').set({ consumed_at: now() })
        .where('model', '=', this.model).where('id', '=', id).where('consumed_at', 'is', null).execute();
    }

    async destroy(id) {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('grant_id', '=', grantId).execute();
    }
  };
}

/** Housekeeping: rows past expiry (keep 1 day of grace so a replayed code is still recognised as consumed... see plan). */
export async function deleteExpired(db, nowMs) {
  return db.deleteFrom('oidc_payloads').where('expires_at', '<', nowMs).executeTakeFirst();
}

/** Everything oidc-provider holds for an account (lock, reset-factors, sign out everywhere). */
export async function revokeAccount(db, accountId) {
  return db.deleteFrom('oidc_payloads').where('account_id', '=', accountId)
    .where('model', 'in', ['Session', 'Grant', 'AccessToken', 'AuthorizationCode', 'RefreshToken', 'Interaction'])
    .executeTakeFirst();
}

export { sql };
