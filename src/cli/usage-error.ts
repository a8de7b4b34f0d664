/** A command line the CLI cannot run as typed: printed as one line, exit code 2. */
export class UsageError extends Error {}
