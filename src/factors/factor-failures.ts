// Phone numbers we cannot text, and texts switched off on this installation.
export const factorFailureCodes = [
  'phone.invalid',
  'phone.missing',
  'sms.unavailable',
] as const;

export type FactorFailureCode = (typeof factorFailureCodes)[number];
