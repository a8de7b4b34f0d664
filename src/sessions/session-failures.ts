// A session that is gone, or one that has not proved the password lately enough for a security change.
export const sessionFailureCodes = [
  'session.not_found',
  'reverify.required',
  'reverify.password_missing',
  'reverify.password_wrong',
] as const;

export type SessionFailureCode = (typeof sessionFailureCodes)[number];
