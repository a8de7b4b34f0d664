// PostgreSQL ending a connection (pg_terminate_backend, a restart, a failover) is an event the
// process lives through: the query on it fails as "database unavailable" (503 upstream), and the
// pool opens a fresh connection for the next one. A pg client that is checked out — inside a
// transaction, between two of its queries — emits 'error' with no pool listener attached; before
// every client got its own listener, that 'error' ended the whole node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, testDialects } from '../harness/databases.ts';
import { isDatabaseOutage } from '../../src/storage/database-errors.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (testDialects.includes('postgres')) {
  test('connection loss: a pooled connection that PostgreSQL terminates in the middle of a transaction fails that transaction as an outage (57P01), not the process, and the pool serves the next query on a new connection', async (t) => {
    const database = await openTestDatabase('postgres');
    t.after(() => database.close());
    const { db } = database;

    let failure: unknown;
    try {
      await db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // Ended from another connection while this one is checked out and idle.
        await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(db);
        // The FATAL 57P01 arrives on the idle, checked-out client: an 'error' event with no
        // listener here would be an uncaught exception, failing this file.
        await sleep(300);
        await sql`SELECT 1`.execute(trx);
      });
    } catch (error) {
      failure = error;
    }
    assert.ok(failure, 'the transaction on the lost connection failed');
    assert.ok(isDatabaseOutage(failure), `read as "database unavailable": ${(failure as Error).message}`);

    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    assert.equal(rows[0]!.one, 1, 'the next query runs on a fresh connection');
  });

  test('connection loss: terminating every connection of the database at once leaves the pool working after it', async (t) => {
    const database = await openTestDatabase('postgres');
    t.after(() => database.close());
    const { db } = database;
    // Several connections, some idle in the pool, one checked out.
    await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.05)`.execute(db)));
    const held = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await sleep(400);
      await sql`SELECT 1`.execute(trx);
    });
    await sleep(100);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()`.execute(db);
    await assert.rejects(held, (error) => isDatabaseOutage(error));
    for (let i = 0; i < 5; i++) assert.equal((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows[0]!.one, 1);
  });
}
