// Reads what a driver's error means, for both databases, so callers decide by meaning, not by
// driver: "the database is unreachable right now" (retry later, nothing was done: every change
// runs in a transaction) and "a unique index refused this row" (an expected outcome of a race).

// Node's socket errors, and PostgreSQL's SQLSTATEs for "this connection or server is gone":
// class 08 (connection exception), 57P01 admin shutdown (pg_terminate_backend), 57P02 crash
// shutdown, 57P03 cannot connect now (starting up or in recovery), 53300 too many connections.
// ENOTFOUND: the database's DNS name is gone for a moment (a failover re-pointing it).
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);
// SQLite (better-sqlite3 gives extended codes, e.g. SQLITE_BUSY_TIMEOUT, SQLITE_IOERR_WRITE): the
// write lock not free within busy_timeout, the file unreadable or unwritable, the disk full. The
// statement was not applied, so the shopper may retry; an operator fixes the disk.
const SQLITE_OUTAGE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)(_|$)/;
// pg reports a lost socket, a pool that could not connect in time or a query past its own
// query_timeout (the readiness ping's) by message only.
const OUTAGE_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Query read timeout/i;

export function isDatabaseOutage(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (OUTAGE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SQLITE_OUTAGE.test(code))) return true;
  if (typeof message === 'string' && OUTAGE_MESSAGES.test(message)) return true;
  // Connecting to "localhost" tries ::1 and 127.0.0.1: Node reports both refusals as one AggregateError.
  return Array.isArray(errors) && errors.length > 0 && errors.every((inner) => isDatabaseOutage(inner, depth + 1));
}

/** The column a unique index refused a duplicate for, or undefined for any other error. */
export function uniqueViolationColumn(error: unknown): string | undefined {
  const { code, detail, message } = (error ?? {}) as { code?: unknown; detail?: unknown; message?: unknown };
  // PostgreSQL: 23505, detail "Key (email)=(…) already exists."
  if (code === '23505') return typeof detail === 'string' ? /^Key \(([^)]+)\)/.exec(detail)?.[1] ?? '' : '';
  // better-sqlite3: "UNIQUE constraint failed: accounts.email"
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return typeof message === 'string' ? /UNIQUE constraint failed: \w+\.(\w+)/.exec(message)?.[1] ?? '' : '';
  }
  return undefined;
}
