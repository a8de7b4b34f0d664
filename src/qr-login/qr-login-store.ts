// QR sign-in requests. Every transition is ONE conditional UPDATE (state and deadline in the
// WHERE clause), so of any number of concurrent scans, decisions or completions exactly one wins.
import type { Database } from '../storage/database.ts';
import type { QrRequest } from './qr-login-flow.ts';

const changed = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;

export function createQrLoginStore(db: Database) {
  return {
    insert: (request: QrRequest) => db.insertInto('qr_login_requests').values(request).execute(),

    findByTokenHash: (tokenHash: string) => db.selectFrom('qr_login_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

    findBySecretHash: (secretHash: string) => db.selectFrom('qr_login_requests').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst(),

    findById: (id: string) => db.selectFrom('qr_login_requests').selectAll().where('id', '=', id).executeTakeFirst(),

    async markScanned(id: string, accountId: string, appSessionId: string, now: number, decideBy: number) {
      const result = await db
        .updateTable('qr_login_requests')
        .set({ state: 'scanned', account_id: accountId, app_session_id: appSessionId, decide_by: decideBy, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('scan_by', '>', now)
        .executeTakeFirst();
      return changed(result);
    },

    /** Only the app session that scanned may decide, and only before the decision deadline. */
    async decide(id: string, appSessionId: string, approve: boolean, now: number, completeBy: number, executor: Database = db) {
      const result = await executor
        .updateTable('qr_login_requests')
        .set(approve ? { state: 'approved', complete_by: completeBy, updated_at: now } : { state: 'denied', updated_at: now })
        .where('id', '=', id)
        .where('state', '=', 'scanned')
        .where('app_session_id', '=', appSessionId)
        .where('decide_by', '>', now)
        .executeTakeFirst();
      return changed(result);
    },

    async markConsumed(executor: Database, id: string, sessionId: string, now: number) {
      const result = await executor
        .updateTable('qr_login_requests')
        .set({ state: 'consumed', session_id: sessionId, updated_at: now })
        .where('id', '=', id)
        .where('state', '=', 'approved')
        .where('complete_by', '>', now)
        .executeTakeFirst();
      return changed(result);
    },

  };
}

export type QrLoginStore = ReturnType<typeof createQrLoginStore>;
