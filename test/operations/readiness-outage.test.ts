// Issue 12 §1: readiness while PostgreSQL is away, in-process through a TCP proxy between this
// Gatehouse and the shared test server (the server keeps running for the rest of the run).
// Refused connections (a stopped server) and silence (a network partition: connections stay open
// and nothing answers) both make /readyz answer 503 database_unreachable within its short
// timeout, while /healthz stays 200 without asking the database. A probe that meets a dead pooled
// connection (a firewall forgot it) discards it instead of holding it forever, so probing alone
// clears such connections out of the pool.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { READINESS_TIMEOUT_MS } from '../../src/operations/readiness.ts';

/** A test through the proxy: how long a probe may take beyond the readiness timeout (HTTP, scheduling). */
const SLACK_MS = 400;

if (testDialects.includes('postgres')) {
  describe('readiness while PostgreSQL is away', { timeout: 60_000 }, () => {
    let proxy: TcpProxy;
    let app: TestGatehouse;

    before(async () => {
      const real = new URL(process.env.TEST_DATABASE_URL!);
      proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port) });
      const direct = await openTestDatabase('postgres');
      const through = new URL(direct.config.kind === 'postgres' ? direct.config.url : '');
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      const config = { kind: 'postgres' as const, url: through.toString() };
      const opened = openDatabase(config);
      const database: TestDatabase = { ...opened, config, close: async () => (await opened.close(), await direct.close()) };
      app = await startTestGatehouse('postgres', { database });
    });

    after(async () => {
      await proxy.up();
      await app.close();
      await proxy.close();
    });

    const timed = async (path: string) => {
      const started = performance.now();
      const answer = await app.gatehouse.app.inject({ url: path, headers: { host: '10.244.1.17:3000' } });
      return { status: answer.statusCode, body: answer.json() as unknown, ms: performance.now() - started };
    };

    const readyAgainWithin = async (ms: number) => {
      const since = performance.now();
      for (;;) {
        const ready = await timed('/readyz');
        if (ready.status === 200) return Math.round(performance.now() - since);
        assert.ok(performance.now() - since < ms, `ready again within ${ms} ms: ${JSON.stringify(ready.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    test('readiness with PostgreSQL refusing connections: /readyz 503 {"reason":"database_unreachable"} at once, /healthz still 200; ready again by itself once it is back', async () => {
      assert.equal((await timed('/readyz')).status, 200, 'ready before');
      await proxy.down();
      const unready = await timed('/readyz');
      assert.equal(unready.status, 503);
      assert.deepEqual(unready.body, { status: 'unavailable', reason: 'database_unreachable' });
      assert.ok(unready.ms < READINESS_TIMEOUT_MS + SLACK_MS, `answered in ${Math.round(unready.ms)} ms`);
      const alive = await timed('/healthz');
      assert.deepEqual([alive.status, alive.body], [200, { status: 'ok' }], 'alive: the database is not asked');
      await proxy.up();
      await readyAgainWithin(2000);
    });

    test(`readiness with a silent PostgreSQL (a network partition): 30 probes at once each answer 503 database_unreachable within ${READINESS_TIMEOUT_MS} ms, and none hangs`, async (t) => {
      assert.equal((await timed('/readyz')).status, 200, 'ready before');
      proxy.stall();
      // Three times the pool's 10 connections: those waiting for a connection time out too.
      const answers = await Promise.all(Array.from({ length: 30 }, () => timed('/readyz')));
      for (const answer of answers) {
        assert.equal(answer.status, 503);
        assert.deepEqual(answer.body, { status: 'unavailable', reason: 'database_unreachable' });
        assert.ok(answer.ms < READINESS_TIMEOUT_MS + SLACK_MS, `answered in ${Math.round(answer.ms)} ms`);
      }
      assert.ok(answers.every((answer) => answer.ms >= READINESS_TIMEOUT_MS - 50), 'each waited out the timeout: silence is not a refusal');
      assert.equal((await timed('/healthz')).status, 200);
      await proxy.up();
      t.diagnostic(`ready again ${await readyAgainWithin(5000)} ms after the partition ended`);
    });

    test('readiness after a firewall silently dropped every pooled connection (new ones still work): each probe that meets a dead connection answers 503 within the timeout and discards it, so the node is ready again within a pool’s worth of probes', async (t) => {
      // Ten open connections in the pool (its size), then every one of them goes silent.
      await Promise.all(Array.from({ length: 10 }, () => sql`SELECT pg_sleep(0.05)`.execute(app.database.db)));
      proxy.freeze();
      const statuses: number[] = [];
      // One probe at a time, as a load balancer asks. A probe that kept its dead connection would
      // leave the pool full of them after ten, and the node unready for good.
      while (statuses.at(-1) !== 200) {
        assert.ok(statuses.length < 15, `ready again within 15 probes: ${statuses.join(' ')}`);
        const answer = await timed('/readyz');
        assert.ok(answer.ms < READINESS_TIMEOUT_MS + SLACK_MS, `answered in ${Math.round(answer.ms)} ms`);
        statuses.push(answer.status);
      }
      assert.ok(statuses.length > 1, 'the first probe met a dead connection');
      await proxy.up();
      t.diagnostic(`probes until ready: ${statuses.join(' ')}`);
    });
  });
}
