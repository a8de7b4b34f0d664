// What each kind of flow may be: its states, the moves between them, and the shape of its data.
// Declared once beside its flow (registration-flow.ts, password-reset-flow.ts, …) and handed to
// the flow store's `of(kind)`, so a service reads typed data and can only ask for the moves its
// kind declares: a move that skips a step (e.g. code_sent → completed in recovery, which would
// skip the proof) does not type-check, and a row whose data is not of the declared shape is a bug
// that throws instead of being cast into something the service then trusts.
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** from-state → the states it may move to. */
export type Moves = Readonly<Record<string, readonly string[]>>;

/** Every state a kind's moves mention. */
export type StateOf<M extends Moves> = (keyof M & string) | M[keyof M][number];

/** One declared move, as the (from, to) pair a transition is asked for with. */
export type MoveOf<M extends Moves> = { [F in keyof M & string]: [from: F, to: M[F][number]] }[keyof M & string];

export interface FlowKind<K extends string, M extends Moves, D> {
  kind: K;
  moves: M;
  /** Every state, for the check of a row read back. */
  states: ReadonlySet<string>;
  /** The data as stored, checked; throws on a row that is not of this kind's shape. */
  parseData(json: string): D;
}

export class FlowDataError extends Error {}

export function defineFlow<const K extends string, const M extends Moves, S extends TSchema>(kind: K, declaration: { moves: M; data: S }): FlowKind<K, M, Static<S>> {
  const states = new Set<string>([...Object.keys(declaration.moves), ...Object.values(declaration.moves).flat()]);
  // The store answers flow.finished for a completed flow of any kind: a kind that never completes
  // would stay open until it expires, whatever happened to it.
  if (!states.has('completed')) throw new Error(`the ${kind} flow never reaches completed`);
  return {
    kind,
    moves: declaration.moves,
    states,
    parseData(json) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        value = undefined;
      }
      // The message names the kind only: flow data holds password hashes and sealed numbers.
      if (!Value.Check(declaration.data, value)) throw new FlowDataError(`a ${kind} flow's data is not of its declared shape`);
      return value as Static<S>;
    },
  };
}
