// The QR notifier (qr-notifier.ts): "read the row again" notices for waiting browsers. One process
// (SQLite): an in-process emitter. PostgreSQL: LISTEN/NOTIFY between nodes, which must survive the
// database dropping its connections (a restart, an administrator) without crashing the node and
// must come back by itself.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { createQrNotifier, type QrNotifier } from '../../src/qr-login/qr-notifier.ts';

/** Counts the notices for one request; `wait()` resolves at the first one, or fails after timeoutMs. */
function heard(notifier: QrNotifier, requestId: string) {
  let calls = 0;
  const waiters: Array<() => void> = [];
  const unsubscribe = notifier.subscribe(requestId, () => {
    calls++;
    waiters.splice(0).forEach((w) => w());
  });
  return {
    calls: () => calls,
    unsubscribe,
    async wait(timeoutMs: number) {
      if (calls > 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        waiters.push(resolve);
        timer = setTimeout(() => reject(new Error(`no notice for ${requestId} within ${timeoutMs} ms`)), timeoutMs);
      }).finally(() => clearTimeout(timer));
    },
  };
}

/** Runs `body` with notifiers that are closed before the database is dropped (dropping cuts their connections). */
async function withDatabase(dialect: 'sqlite' | 'postgres', body: (database: TestDatabase, open: (onError?: (e: unknown) => void) => QrNotifier) => Promise<void>) {
  const database = await openTestDatabase(dialect);
  const notifiers: QrNotifier[] = [];
  try {
    await body(database, (onError = () => {}) => {
      const notifier = createQrNotifier(database.config, onError);
      notifiers.push(notifier);
      return notifier;
    });
  } finally {
    for (const notifier of notifiers) await notifier.close();
    await database.close();
  }
}

for (const dialect of testDialects) {
  describe(`QR notifier on ${dialect}`, () => {
    test('a notice reaches the subscribers of that request (on PostgreSQL also on another node), and only while subscribed', () =>
      withDatabase(dialect, async (_database, open) => {
        const errors: unknown[] = [];
        const nodeA = open((e) => errors.push(e));
        const nodeB = dialect === 'postgres' ? open((e) => errors.push(e)) : nodeA;
        if (dialect === 'postgres') await sleep(300); // both LISTEN connections are up

        const mine = heard(nodeB, 'request-1');
        const other = heard(nodeB, 'request-2');
        await nodeA.notify('request-1');
        await mine.wait(3000);
        await sleep(100);
        assert.equal(other.calls(), 0, 'a notice for another request is not delivered');
        mine.unsubscribe();
        other.unsubscribe();
        const before = mine.calls();
        await nodeA.notify('request-1');
        await sleep(200);
        assert.equal(mine.calls(), before, 'nothing after unsubscribing');
        assert.deepEqual(errors, []);
      }));
  });
}

if (testDialects.includes('postgres')) {
  describe('QR notifier when PostgreSQL drops its connections', () => {
    const admin = () => {
      const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 1 });
      pool.on('error', () => {});
      return pool;
    };
    const nameOf = (database: TestDatabase) => new URL(database.config.kind === 'postgres' ? database.config.url : 'x:').pathname.slice(1);
    const terminateAll = (pool: pg.Pool, name: string) =>
      pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);

    test('a killed idle notify connection does not crash the node, and notices still go out afterwards', () =>
      withDatabase('postgres', async (database, open) => {
        const pool = admin();
        try {
          const errors: unknown[] = [];
          const notifier = open((e) => errors.push(e));
          const other = open();
          await sleep(300);
          await notifier.notify('warm-up'); // opens the notify pool's connection, which then sits idle

          await terminateAll(pool, nameOf(database));
          await sleep(500); // an unhandled 'error' from the idle connection fails this test as uncaught
          assert.ok(errors.length >= 1, 'the lost connections are reported to the logger');

          // The other node listens again (it reconnects) and hears this one's notices.
          const notice = heard(other, 'after-kill');
          const deadline = performance.now() + 5000;
          while (notice.calls() === 0 && performance.now() < deadline) {
            await notifier.notify('after-kill');
            await sleep(250);
          }
          await notice.wait(100);
        } finally {
          await pool.end();
        }
      }));

    test('the LISTEN connection comes back by itself after the database refused connections for a few seconds', () =>
      withDatabase('postgres', async (database, open) => {
        const pool = admin();
        const name = nameOf(database);
        try {
          const waiting = open();
          await sleep(300);
          // The database goes away for ~3 s: connections are cut and new ones refused.
          await pool.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
          await terminateAll(pool, name);
          await sleep(3000);
          await pool.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);

          // Within a few seconds the waiting node listens again: another node's notice reaches it.
          const sender = open();
          const notice = heard(waiting, 'after-outage');
          const deadline = performance.now() + 8000;
          while (notice.calls() === 0 && performance.now() < deadline) {
            await sender.notify('after-outage');
            await sleep(250);
          }
          await notice.wait(100);
        } finally {
          await pool.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
          await pool.end();
        }
      }));
  });
}
