// The PostgreSQL pool as Kysely sees it, with what an operator needs to size it: how many
// connections are open and idle, how many queries wait for one, and for how long each waited.
// Kysely asks only connect() and end() of a pool, so the count sits in front of pg's own pool
// instead of patching it.
import type pgModule from 'pg';

export interface PoolWatch {
  stats(): { total: number; idle: number; waiting: number };
  /** Called with the seconds a query waited, for each query that found no free connection. */
  onWait(listener: (seconds: number) => void): void;
}

export function watchPoolWaits(pool: pgModule.Pool, max: number): { pool: Pick<pgModule.Pool, 'connect' | 'end'>; watch: PoolWatch } {
  let listener: ((seconds: number) => void) | undefined;
  const counted = {
    connect: () => {
      const report = listener;
      // Only a full pool makes a query wait; the common case costs two property reads.
      if (!report || pool.idleCount > 0 || pool.totalCount < max) return pool.connect();
      const started = performance.now();
      return pool.connect().then((client) => {
        report((performance.now() - started) / 1000);
        return client;
      });
    },
    end: () => pool.end(),
  };
  return {
    pool: counted as Pick<pgModule.Pool, 'connect' | 'end'>,
    watch: {
      stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      onWait: (next) => void (listener = next),
    },
  };
}
