// Thrown only by the HTTP layer's own plumbing (parsers, CSRF guard) to reach the error handler,
// which turns it into the same 4xx page or JSON as any other expected failure.
import type { RequestFailureCode } from './request-failures.ts';

export class RequestProblem extends Error {
  constructor(readonly code: RequestFailureCode) {
    super(code);
  }
}
