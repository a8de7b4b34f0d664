// Tells waiting browsers that their QR request changed. The row stays the truth: a notice only
// says "read it again". One process (SQLite): an in-process emitter. Several nodes (PostgreSQL):
// LISTEN/NOTIFY, so a decision made on one node reaches the browser waiting on another.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';

const CHANNEL = 'gatehouse_qr_login';

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

  // One dedicated connection per node listens; it reconnects after a database restart. While it
  // is down, the waiting browsers' periodic re-read of the row still sees every change.
  let listener: pg.Client | undefined;
  let closed = false;
  let notifyPool: pg.Pool | undefined;
  const connect = async () => {
    if (closed) return;
    const client = new pg.Client({ connectionString: database.url });
    client.on('notification', (message) => message.payload && local.emit(message.payload));
    client.on('error', (error) => {
      onError(error);
      listener = undefined;
      setTimeout(() => void connect().catch(onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  };
  const ready = connect().catch(onError);

  return {
    async notify(id) {
      local.emit(id);
      notifyPool ??= new pg.Pool({ connectionString: database.url, max: 2 });
      await notifyPool.query('SELECT pg_notify($1, $2)', [CHANNEL, id]).catch(onError);
    },
    subscribe,
    async close() {
      closed = true;
      await ready;
      await listener?.end().catch(() => {});
      await notifyPool?.end().catch(() => {});
    },
  };
}
