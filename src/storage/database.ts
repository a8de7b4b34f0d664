// Opens the database named by configuration. The dialect comes from the configuration's `kind`,
// never from looking at a connection object.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type SQLiteModule from 'better-sqlite3';
import type pgModule from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import type { Tables } from './tables.ts';
import { watchPoolWaits, type PoolWatch } from './pool-waits.ts';
import { withDeadline } from '../shared/deadline.ts';

export type Database = Kysely<Tables>;

export interface OpenDatabase {
  db: Database;
  kind: DatabaseConfig['kind'];
  /**
   * Asks the database a trivial question (SELECT 1); rejects with an outage error when it does not
   * answer within timeoutMs (readiness probes: operations/readiness.ts).
   */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL only: the pool's connections and waits, for metrics (pool-waits.ts). */
  pool?: PoolWatch;
}

// Each driver is loaded only for the database in use (both are CommonJS, so synchronously): a
// SQLite node never holds pg's modules in memory, nor a PostgreSQL node better-sqlite3's.
const load = createRequire(import.meta.url);

/** The pg driver, loaded on first use: for this module and for the QR notifier's LISTEN connection. */
export const loadPg = (): typeof pgModule => load('pg');

// PostgreSQL returns bigint (OID 20) as a string; our bigints are epoch milliseconds, which fit
// safely in a JavaScript number for the next 280,000 years.
const INT8_OID = 20;
const pgTypesOf = (pg: typeof pgModule) => ({
  getTypeParser(oid: number, format?: any) {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return (pg.types.getTypeParser as any)(oid, format);
  },
});

/** How long a query waits for a connection before the request answers 503 instead of hanging. */
const CONNECT_TIMEOUT_MS = 3000;

export function openDatabase(config: DatabaseConfig, options: { poolSize?: number; onConnectionError?: (error: unknown) => void } = {}): OpenDatabase {
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    const SQLite: typeof SQLiteModule = load('better-sqlite3');
    const sqlite = new SQLite(config.file);
    // WAL lets readers run beside the single writer; busy_timeout makes a second process wait for
    // the write lock instead of failing at once.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Kysely prepares every query afresh; better-sqlite3 statements are reusable, so keep one per
    // SQL text (the set of texts is small and fixed). This is a fifth of whoami's CPU otherwise.
    const prepared = new Map<string, ReturnType<typeof sqlite.prepare>>();
    const prepare = sqlite.prepare.bind(sqlite);
    (sqlite as { prepare: typeof sqlite.prepare }).prepare = ((source: string) => {
      let statement = prepared.get(source);
      if (!statement) {
        statement = prepare(source);
        if (prepared.size < 1000) prepared.set(source, statement);
      }
      return statement;
    }) as typeof sqlite.prepare;
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
    // In-process and synchronous: it answers at once or throws (a file that cannot be read).
    const ping = async () => void sqlite.prepare('SELECT 1').get();
    return { db, kind: 'sqlite', ping, close: () => db.destroy() };
  }
  const pg = loadPg();
  const max = options.poolSize ?? 10;
  const pool = new pg.Pool({ connectionString: config.url, max, types: pgTypesOf(pg) as any, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  attachConnectionErrorListeners(pool, options.onConnectionError ?? (() => {}));
  const watched = watchPoolWaits(pool, max);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: watched.pool as pgModule.Pool }) });
  return { db, kind: 'postgres', ping: (timeoutMs) => pingPool(pool, timeoutMs), close: () => db.destroy(), pool: watched.watch };
}

/**
 * The deadline covers both waiting for a connection and the query. query_timeout is pg's own: on
 * a connection that went silent (a network partition: no refusal, no reset) the query gives up
 * and the pool discards that client, so a probe every few seconds cannot pile up stuck clients
 * until the pool is exhausted. A connect that loses the race ends by the pool's own connect
 * timeout.
 */
function pingPool(pool: pgModule.Pool, timeoutMs: number): Promise<void> {
  const query = pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pgModule.QueryConfig);
  return withDeadline(query, timeoutMs, 'the database').then(() => undefined);
}

/**
 * A pg client whose connection the server ends (pg_terminate_backend, a restart, a failover)
 * emits 'error'; an EventEmitter's 'error' with no listener ends the process. The pool listens
 * only while a client is idle, so a client checked out between two queries of a transaction
 * needs its own listener. The broken client is then not queryable: its query fails (503), and
 * the pool drops it on release and opens a fresh connection for the next one.
 */
export function attachConnectionErrorListeners(pool: pgModule.Pool, onError: (error: unknown) => void) {
  // The pool re-emits an idle client's 'error' on itself; the client's own listener below has
  // already reported it, so this one only keeps the pool's 'error' from being unhandled.
  pool.on('error', () => {});
  pool.on('connect', (client) => void client.on('error', onError));
}
