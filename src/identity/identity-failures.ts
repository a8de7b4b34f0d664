// What is wrong with a typed email, login name or new password.
export const identityFailureCodes = [
  'identity.email_invalid',
  'identity.invisible_character',
  'identity.login_name_invalid',
  'identity.identifier_invalid',
  'identity.identifier_missing',
  'password.too_short',
  'password.too_long',
  'password.common',
  'password.contains_identifier',
  'password.too_guessable',
  'password.mismatch',
] as const;

export type IdentityFailureCode = (typeof identityFailureCodes)[number];
