// Why a typed code is refused or a new one is not sent.
export const codeFailureCodes = [
  'code.invalid',
  'code.missing',
  'code.expired',
  'code.used_up',
  'code.resting',
  'code.resend_too_soon',
  'code.send_limit_reached',
] as const;

export type CodeFailureCode = (typeof codeFailureCodes)[number];
