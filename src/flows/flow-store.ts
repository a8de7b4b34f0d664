// Self-service flows (registration, recovery, …) are rows: any Gatehouse process can continue a
// flow another one started. Each flow is bound to the browser that started it by the hash of
// that browser's binding cookie, so a flow id leaked in a URL is useless elsewhere.
//
// The store is used through `of(kind)` (flow-kind.ts): every read is of one kind and hands back
// the kind's data parsed and checked, and every transition is one of the kind's declared moves,
// run as ONE conditional UPDATE on the from-state, so of two requests racing the same move
// exactly one wins and a replayed request finds nothing to move.
import type { Database } from '../storage/database.ts';
import type { FlowsTable } from '../storage/tables.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { constantTimeEqual, sha256Hex } from '../shared/secrets.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import { FlowDataError, type FlowKind, type MoveOf, type Moves, type StateOf } from './flow-kind.ts';

/** A flow as the services see it: the row, with its kind's states and its data parsed. */
export type Flow<K extends string = string, S extends string = string, D = unknown> = Omit<FlowsTable, 'kind' | 'state' | 'data'> & { kind: K; state: S; data: D };

/** Any flow, of whatever kind (its data unread). */
export type FlowRow = Flow;

/** The flow that `of(kind)` hands back for that kind. */
export type FlowOf<F> = F extends FlowKind<infer K, infer M, infer D> ? Flow<K, StateOf<M>, D> : never;

export type FlowProblem = 'flow.not_found' | 'flow.expired' | 'flow.finished';

/** Every kind ends here; a finished flow is never found open again. */
const FINISHED = 'completed';

export function createFlowStore(db: Database, clock: Clock) {
  function read<K extends string, M extends Moves, D>(kind: FlowKind<K, M, D>, row: FlowsTable): Flow<K, StateOf<M>, D> {
    if (!kind.states.has(row.state)) throw new FlowDataError(`a ${kind.kind} flow is in a state its kind does not declare`);
    return { ...row, kind: kind.kind, state: row.state as StateOf<M>, data: kind.parseData(row.data) };
  }

  return {
    /** The operations on flows of one kind, typed by its declaration. */
    of<K extends string, M extends Moves, D>(kind: FlowKind<K, M, D>) {
      return {
        async create(
          executor: Database,
          fields: { id?: string; state: StateOf<M>; browserId: string; accountId: string | null; subject: string; typedIdentifier: string; data: D; lifetimeSeconds: number },
        ): Promise<Flow<K, StateOf<M>, D>> {
          const now = clock.now();
          const row: FlowsTable = {
            id: fields.id ?? newId(),
            kind: kind.kind,
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
          return { ...row, kind: kind.kind, state: fields.state, data: fields.data };
        },

        /** The flow, if it exists, is of this kind, belongs to this browser and is still open. */
        async findOpen(flowId: string, browserId: string | undefined): Promise<Flow<K, StateOf<M>, D> | Failure<FlowProblem>> {
          if (!browserId || !/^[0-9a-f-]{36}$/.test(flowId)) return fail('flow.not_found');
          const row = await db.selectFrom('flows').selectAll().where('id', '=', flowId).where('kind', '=', kind.kind).executeTakeFirst();
          // Someone else's flow answers exactly like a missing one.
          if (!row || !constantTimeEqual(row.browser_hash, sha256Hex(browserId))) return fail('flow.not_found');
          if (row.state === FINISHED) return fail('flow.finished');
          if (row.expires_at <= clock.now()) return fail('flow.expired');
          return read(kind, row);
        },

        /**
         * Moves a flow on only from the state the caller saw, and only along a declared move
         * (new data replaces the old when given). False when the flow was not in `from` any more:
         * another request moved it first.
         */
        async transition(executor: Database, flowId: string, ...move: [...MoveOf<M>, data?: D]): Promise<boolean> {
          // The declaration typed the pair at the call; here it is two states and the data.
          const [from, to, data] = move as unknown as [string, string, D | undefined];
          // Unreachable from typed code; a cast or a caller in plain JS that asks for a skipped step is a bug.
          if (!kind.moves[from]?.includes(to)) throw new Error(`a ${kind.kind} flow has no move from ${from} to ${to}`);
          const result = await executor
            .updateTable('flows')
            .set({ state: to, updated_at: clock.now(), ...(data !== undefined ? { data: JSON.stringify(data) } : {}) })
            .where('id', '=', flowId)
            .where('kind', '=', kind.kind)
            .where('state', '=', from)
            .executeTakeFirst();
          return Number(result.numUpdatedRows) === 1;
        },
      };
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;

export function isFailure<T, Code extends FailureCode>(value: T | Failure<Code>): value is Failure<Code> {
  return typeof value === 'object' && value !== null && (value as Failure).ok === false;
}
