// Sign-up refusals of its own (the email's code and the password have theirs).
export const registrationFailureCodes = [
  'registration.login_name_taken',
  'registration.login_name_taken_meanwhile',
] as const;

export type RegistrationFailureCode = (typeof registrationFailureCodes)[number];
