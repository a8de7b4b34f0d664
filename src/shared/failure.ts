// Expected failures are values, not exceptions. Each code is stable: the HTTP status table
// (http/error-statuses.ts) and each flow's message catalog are keyed by it.
export interface Failure<Code extends string = string> {
  ok: false;
  code: Code;
  /** Seconds until trying again makes sense (throttles, cooldowns). */
  retryAfterSeconds?: number;
  /** The form field the failure is about, to show the message beside it. */
  field?: string;
}

export interface Success<Value> {
  ok: true;
  value: Value;
}

export type Result<Value, Code extends string = string> = Success<Value> | Failure<Code>;

export const succeed = <Value>(value: Value): Success<Value> => ({ ok: true, value });

export const fail = <Code extends string>(code: Code, extra: Omit<Failure<Code>, 'ok' | 'code'> = {}): Failure<Code> => ({
  ok: false,
  code,
  ...extra,
});
