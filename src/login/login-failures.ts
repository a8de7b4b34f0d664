// Sign-in refusals: one answer for a wrong name or password, so it never tells which.
export const loginFailureCodes = [
  'login.invalid_credentials',
  'login.throttled',
  'login.missing_fields',
  'login.second_factor_required',
  'login.second_factor_invalid',
] as const;

export type LoginFailureCode = (typeof loginFailureCodes)[number];
