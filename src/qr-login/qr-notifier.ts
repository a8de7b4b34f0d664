// Tells waiting browsers that their QR request changed. The row stays the truth: a notice only
// says "read it again". One process (SQLite): an in-process emitter. Several nodes (PostgreSQL):
// LISTEN/NOTIFY, so a decision made on one node reaches the browser waiting on another.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import { attachConnectionErrorListeners, loadPg } from '../storage/database.ts';

const CHANNEL = 'gatehouse_qr_login';
/** Reconnect backoff for the LISTEN connection: quick after a blip, at most every 5 s while down. */
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5000;

export interface QrNotifier {
  notify(requestId: string): Promise<void>;
  subscribe(requestId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

export function createQrNotifier(database: DatabaseConfig, onError: (error: unknown) => void): QrNotifier {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const subscribe = (requestId: string, listener: () => void) => {
    local.on(requestId, listener);
    return () => void local.off(requestId, listener);
  };

  if (database.kind === 'sqlite') {
    return { notify: async (id) => void local.emit(id), subscribe, close: async () => {} };
  }

  // pg is loaded here, not imported at the top: a SQLite node never loads it (storage/database.ts).
  const { Client, Pool } = loadPg();

  // One dedicated connection per node listens; it reconnects after a database restart, with a
  // backoff that doubles up to LONGEST_RETRY_MS for as long as the database refuses. While it is
  // down, the waiting browsers' periodic re-read of the row still sees every change.
  let listener: pg.Client | undefined;
  let closed = false;
  let notifyPool: pg.Pool | undefined;
  let retry: NodeJS.Timeout | undefined;
  let nextRetryMs = FIRST_RETRY_MS;
  const reconnectSoon = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, nextRetryMs);
    nextRetryMs = Math.min(nextRetryMs * 2, LONGEST_RETRY_MS);
    retry.unref();
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    // A connect that hangs (an unreachable host) times out and is retried like a refused one.
    const client = new Client({ connectionString: database.url, connectionTimeoutMillis: 3000 });
    let lost = false;
    const lose = (error: unknown) => {
      if (lost || closed) return;
      lost = true;
      onError(error);
      if (listener === client) listener = undefined;
      client.end().catch(() => {});
      reconnectSoon();
    };
    client.on('notification', (message) => message.payload && local.emit(message.payload));
    client.on('error', lose);
    client.on('end', () => lose(new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      lose(error); // a failed (re)connect is retried too, not given up
      return;
    }
    if (closed) await client.end().catch(() => {});
    else {
      listener = client;
      nextRetryMs = FIRST_RETRY_MS;
    }
  };
  const ready = connect();

  return {
    async notify(id) {
      local.emit(id);
      if (!notifyPool) {
        notifyPool = new Pool({ connectionString: database.url, max: 2, connectionTimeoutMillis: 3000 });
        // A connection cut by the database must not crash the process; the pool replaces it.
        attachConnectionErrorListeners(notifyPool, onError);
      }
      await notifyPool.query('SELECT pg_notify($1, $2)', [CHANNEL, id]).catch(onError);
    },
    subscribe,
    async close() {
      closed = true;
      clearTimeout(retry);
      await ready;
      await listener?.end().catch(() => {});
      await notifyPool?.end().catch(() => {});
    },
  };
}
