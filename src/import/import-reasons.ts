// Why the import skipped a line: stable codes (the summary counts by them, and a later admin API
// answer can carry them) with the words the CLI prints. Not request failures: a skipped line is an
// expected outcome of a good import run, so they are not in failure-codes.ts.
export const importSkipReasons = {
  'import.not_json': 'not a JSON object',
  'import.line_too_long': 'longer than 4096 characters',
  'import.unknown_field': 'a field the import does not know',
  'import.email_invalid': 'the email is missing or not an address',
  'import.email_verified_invalid': 'email_verified must be true or false',
  'import.login_name_invalid': 'the login name must be 3–32 characters: a–z, 0–9, dots, hyphens, underscores',
  'import.locale_invalid': 'locale must be "en" or "ru"',
  'import.hash_invalid': 'password_hash must be a string (or null for no password)',
  'import.hash_unknown_format': 'the password hash is in no format the import reads',
  'import.hash_malformed': 'the password hash has the prefix of a known format but not its shape',
  'import.hash_too_costly': 'the password hash costs more than a sign-in may (see "Importing existing shoppers")',
  'import.email_taken': 'an account with this email already exists',
  'import.login_name_taken': 'the login name belongs to another account',
} as const;

export type ImportSkipReason = keyof typeof importSkipReasons;
