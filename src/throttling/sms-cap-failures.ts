// Caps against SMS pumping: per number, per country, and for numbers nobody has verified yet.
export const smsCapFailureCodes = [
  'sms.number_limit',
  'sms.country_limit',
  'sms.new_numbers_limit',
] as const;

export type SmsCapFailureCode = (typeof smsCapFailureCodes)[number];
