// Self-service flows (registration, recovery, …) are rows: any Gatehouse process can continue a
// flow another one started. Each flow is bound to the browser that started it by the hash of
// that browser's binding cookie, so a flow id leaked in a URL is useless elsewhere.
import type { Database } from '../storage/database.ts';
import type { FlowsTable } from '../storage/tables.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { constantTimeEqual, sha256Hex } from '../shared/secrets.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';

export type FlowRow = FlowsTable;
export type FlowProblem = 'flow.not_found' | 'flow.expired' | 'flow.finished';

export function createFlowStore(db: Database, clock: Clock) {
  return {
    async create(
      executor: Database,
      fields: { id?: string; kind: string; state: string; browserId: string; accountId: string | null; subject: string; typedIdentifier: string; data: object; lifetimeSeconds: number },
    ): Promise<FlowRow> {
      const now = clock.now();
      const row: FlowRow = {
        id: fields.id ?? newId(),
        kind: fields.kind,
        state: fields.state,
        browser_hash: sha256Hex(fields.browserId),
        account_id: fields.accountId,
        subject: fields.subject,
        typed_identifier: fields.typedIdentifier,
        data: JSON.stringify(fields.data),
        created_at: now,
        expires_at: now + fields.lifetimeSeconds * 1000,
        updated_at: now,
      };
      await executor.insertInto('flows').values(row).execute();
      return row;
    },

    /** The flow, if it exists, is of this kind, belongs to this browser and is still open. */
    async findOpen(kind: string, flowId: string, browserId: string | undefined): Promise<{ ok: true; flow: FlowRow } | Failure<FlowProblem>> {
      if (!browserId || !/^[0-9a-f-]{36}$/.test(flowId)) return fail('flow.not_found');
      const row = await db.selectFrom('flows').selectAll().where('id', '=', flowId).where('kind', '=', kind).executeTakeFirst();
      // Someone else's flow answers exactly like a missing one.
      if (!row || !constantTimeEqual(row.browser_hash, sha256Hex(browserId))) return fail('flow.not_found');
      if (row.state === 'completed') return fail('flow.finished');
      if (row.expires_at <= clock.now()) return fail('flow.expired');
      return { ok: true, flow: row };
    },

    /** Moves a flow on only from the state the caller saw: a replayed request finds nothing to move. */
    async transition(executor: Database, flowId: string, from: string, to: string, data?: object): Promise<boolean> {
      const result = await executor
        .updateTable('flows')
        .set({ state: to, updated_at: clock.now(), ...(data ? { data: JSON.stringify(data) } : {}) })
        .where('id', '=', flowId)
        .where('state', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
