// Expected failures are values, not exceptions. Each code is stable: the HTTP status table
// (http/error-statuses.ts) and the message catalogs are keyed by it, and typed by FailureCode,
// so a code without a status or without both languages fails `npm run typecheck`.

/**
 * Every folder that can fail declares its codes `as const` in its own `*-failures.ts`;
 * src/failure-codes.ts adds each list here, one property per folder. The registry is filled by
 * declaration merging because shared/ sits below every folder and may not import them: layers
 * stay one way, and the union is still one type.
 */
export interface FailureCodeLists {}

export type FailureCode = FailureCodeLists[keyof FailureCodeLists];

export interface Failure<Code extends FailureCode = FailureCode> {
  ok: false;
  code: Code;
  /** Seconds until trying again makes sense (throttles, cooldowns). */
  retryAfterSeconds?: number;
  /** The form field the failure is about, to show the message beside it. */
  field?: string;
}

export const fail = <Code extends FailureCode>(code: Code, extra: Omit<Failure<Code>, 'ok' | 'code'> = {}): Failure<Code> => ({
  ok: false,
  code,
  ...extra,
});
