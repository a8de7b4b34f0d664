// Refusals of the request itself, before any flow looks at it (parsers, CSRF guard, routing).
export const requestFailureCodes = [
  'request.malformed',
  'request.control_character',
  'request.conflict',
  'request.too_large',
  'request.unsupported_type',
  'request.csrf_invalid',
  'request.not_found',
  'request.method_not_allowed',
  'request.unauthenticated',
  'request.unavailable',
  'request.internal',
] as const;

export type RequestFailureCode = (typeof requestFailureCodes)[number];
