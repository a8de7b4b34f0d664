// Why the admin API refuses. Statuses live in http/error-statuses.ts, words in
// admin-messages.*.json. `admin.unauthenticated` is the one answer for no token, a malformed,
// unknown or revoked one and a shopper's token: a caller learns nothing about which it was.
export const adminFailureCodes = [
  'admin.unauthenticated',
  'admin.throttled',
  'admin.lookup_invalid',
  'admin.account_not_found',
  'admin.outbox_not_found',
  'admin.outbox_code_expired',
  'admin.outbox_already_sent',
  'admin.outbox_sending',
] as const;

export type AdminFailureCode = (typeof adminFailureCodes)[number];
