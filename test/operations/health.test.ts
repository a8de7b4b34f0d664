// Issue 12 §1: the load balancer's probes. /healthz says the process is alive without asking the
// database; /readyz says "send me traffic" only when the database answers within a short time and
// has every migration the code has, and otherwise 503 with a reason. Both answer a probe that
// names the node by its IP address, set no cookie and write no log line per request.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, startTestGatehouse } from '../harness/test-app.ts';
import { capturedLog } from '../security/kit.ts';
import type { FastifyInstance } from 'fastify';

/** A probe as Kubernetes sends it: Host is the pod's address and port, no cookie, no language. */
const probe = (app: FastifyInstance, path: string, method: 'GET' | 'HEAD' = 'GET') =>
  app.inject({ method, url: path, headers: { host: '10.244.1.17:3000', 'user-agent': 'kube-probe/1.30' } });

const NEWEST_MIGRATION = '0010_openid_provider';

for (const dialect of testDialects) {
  describe(`health probes on ${dialect}`, () => {
    const { logger, lines } = capturedLog();
    // Production-like: an https PUBLIC_URL without DEV_MAILBOX, so only that host is answered.
    const app = gatehouseForSuite(dialect, { logger, env: { LOG_LEVEL: 'info', PUBLIC_URL: 'https://shop.example.test', DEV_MAILBOX: 'false' } });

    test('liveness: GET /healthz answers 200 {"status":"ok"} as JSON, HEAD /healthz 200 too', async () => {
      const alive = await probe(app.gatehouse.app, '/healthz');
      assert.equal(alive.statusCode, 200);
      assert.match(String(alive.headers['content-type']), /^application\/json/);
      assert.deepEqual(alive.json(), { status: 'ok' });
      assert.equal((await probe(app.gatehouse.app, '/healthz', 'HEAD')).statusCode, 200);
    });

    test('readiness: GET /readyz answers 200 {"status":"ok"} when the database answers and every migration is applied', async () => {
      const ready = await probe(app.gatehouse.app, '/readyz');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ok' });
    });

    test('probes are answered for a Host that is the node’s IP address (as Kubernetes and cloud load balancers send), while pages for that Host stay refused 421', async () => {
      for (const path of ['/healthz', '/readyz']) assert.equal((await probe(app.gatehouse.app, path)).statusCode, 200, path);
      assert.equal((await probe(app.gatehouse.app, '/login')).statusCode, 421, 'a page still answers only PUBLIC_URL’s host');
      assert.equal((await app.gatehouse.app.inject({ url: '/login', headers: { host: 'shop.example.test' } })).statusCode, 200);
    });

    test('probes set no cookie and are never logged per request, while a page sets its browser cookie and is logged', async () => {
      const before = lines.length;
      for (const path of ['/healthz', '/readyz', '/healthz', '/readyz']) {
        const answer = await probe(app.gatehouse.app, path);
        assert.equal(answer.headers['set-cookie'], undefined, `${path} sets no cookie`);
        assert.equal(answer.headers['cache-control'], 'no-store', `${path} is never cached by a proxy`);
      }
      const page = await app.gatehouse.app.inject({ url: '/login', headers: { host: 'shop.example.test' } });
      assert.ok(page.headers['set-cookie'], 'a page sets the browser cookie');
      const logged = lines.slice(before).map((line) => JSON.parse(line) as { msg: string; route?: string });
      assert.deepEqual(logged.filter((line) => line.msg === 'request').map((line) => line.route), ['/login'], 'only the page is logged');
    });
  });

  test(`readiness on ${dialect}: a database that lacks the newest migration answers 503 {"reason":"migrations_pending"}; once it is applied, 200`, async (t) => {
    const app = await startTestGatehouse(dialect);
    t.after(() => app.close());
    // The node migrated itself at start; the database it talks to then lost the newest migration
    // (restored from a backup taken before it).
    const record = await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM kysely_migration WHERE name = ${NEWEST_MIGRATION}`.execute(app.database.db);
    assert.equal(record.rows.length, 1, 'the newest migration is recorded');
    await sql`DELETE FROM kysely_migration WHERE name = ${NEWEST_MIGRATION}`.execute(app.database.db);

    const pending = await probe(app.gatehouse.app, '/readyz');
    assert.equal(pending.statusCode, 503);
    assert.deepEqual(pending.json(), { status: 'unavailable', reason: 'migrations_pending' });
    assert.equal((await probe(app.gatehouse.app, '/healthz')).statusCode, 200, 'alive all the same: a restart would not help');

    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${NEWEST_MIGRATION}, ${record.rows[0]!.timestamp})`.execute(app.database.db);
    assert.equal((await probe(app.gatehouse.app, '/readyz')).statusCode, 200);
  });

  test(`readiness on ${dialect}: a database without any migration record (an empty one swapped in) answers 503 migrations_pending, never a 500`, async (t) => {
    const app = await startTestGatehouse(dialect);
    t.after(() => app.close());
    await sql`DROP TABLE kysely_migration`.execute(app.database.db);
    const pending = await probe(app.gatehouse.app, '/readyz');
    assert.equal(pending.statusCode, 503);
    assert.deepEqual(pending.json(), { status: 'unavailable', reason: 'migrations_pending' });
  });
}
