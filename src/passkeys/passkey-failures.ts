// Why a passkey step is refused. Statuses live in http/error-statuses.ts, words in
// passkey-messages.*.json. `passkey.not_accepted` is the one answer for an unknown credential, a
// removed one, a locked account's, a bad signature and a counter that went backwards: whoever
// holds a credential learns nothing about which it was.
export const passkeyFailureCodes = [
  'passkey.response_invalid',
  'passkey.challenge_invalid',
  'passkey.not_verified',
  'passkey.limit_reached',
  'passkey.already_registered',
  'passkey.not_accepted',
  'passkey.not_found',
  'passkey.name_invalid',
] as const;

export type PasskeyFailureCode = (typeof passkeyFailureCodes)[number];
