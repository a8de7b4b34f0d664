// Security settings refusals of their own: two-step sign-in needs a phone or an authenticator first.
export const securitySettingsFailureCodes = [
  'two_step.needs_factor',
] as const;

export type SecuritySettingsFailureCode = (typeof securitySettingsFailureCodes)[number];
