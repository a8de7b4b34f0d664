// Issue 12 §1, the proof: PostgreSQL stopped under a running node (a real process from dist/main.js)
// and started again. "Stopped" is a TCP proxy between the node and the shared test server that
// cuts every connection and refuses new ones, after every backend of the node's database was
// terminated (57P01, as a restart does): to the node it is a server that went away, while the test
// server itself keeps running for the rest of the run.
//
// While it is away: /readyz 503 database_unreachable, /healthz 200; a page, a form post and the
// JSON API answer 503 with Retry-After and a readable page (English and Russian) or JSON error,
// never a 500; the process stays up and logs no unexpected error. A recovery code mail queued just
// before (its first try failed at a mail server that was down) falls due while the database is
// away; it is not lost, and is delivered once the database is back. Then /readyz is 200 and the
// shopper signs in — the same process, never restarted.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../harness/databases.ts';
import { addShopper, startCluster, type Cluster } from '../harness/cluster.ts';
import { createClient } from '../harness/http-client.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';
import { startMailCatcher, type MailCatcher } from '../../src/courier/mail-catcher.ts';

const SHOPPER = { email: 'through.the.outage@example.com', password: 'my code survives the outage' };
const EN_PAGE = /We could not complete this just now\. Nothing was changed; please try again in a moment\./;
const RU_PAGE = /Сейчас не получилось\. Ничего не изменилось — попробуйте ещё раз через минуту\./;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  let database: TcpProxy;
  let smtp: TcpProxy;
  let mail: MailCatcher;

  before(async () => {
    const real = new URL(process.env.TEST_DATABASE_URL!);
    database = await startTcpProxy({ host: real.hostname, port: Number(real.port) });
    mail = await startMailCatcher({ port: 0 });
    smtp = await startTcpProxy({ host: '127.0.0.1', port: mail.port });
    cluster = await startCluster(1, {
      databaseUrl: (url) => {
        const through = new URL(url);
        through.hostname = '127.0.0.1';
        through.port = String(database.port);
        return through.toString();
      },
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    });
    await addShopper(cluster, SHOPPER);
  });

  after(async () => {
    await database.up();
    await cluster.close();
    await Promise.all([database.close(), smtp.close()]);
    await mail.close();
  });

  test('PostgreSQL stopped under a running node and started again: /readyz 503 then 200, pages and API 503 with Retry-After (never a 500), the process stays up, mail queued before is delivered after, and sign-in works again without a restart', async (t) => {
    const [url] = cluster.urls as [string];
    const node = cluster.nodes[0]!;
    const browser = createClient(url);
    const russian = createClient(url);
    assert.equal((await fetch(`${url}/readyz`)).status, 200, 'ready before');
    await browser.get('/login');
    await russian.get('/login', { 'accept-language': 'ru' });

    // A recovery code mail whose first try fails: the mail server is down for a moment.
    await smtp.down();
    const started = await browser.post('/recovery', { identifier: SHOPPER.email });
    assert.equal(started.status, 303, `recovery starts (${started.status})`);
    let queued: { status: string; attempts: number; next_attempt_at: number } | undefined;
    for (let waited = 0; !(queued && queued.attempts === 1 && queued.status === 'pending'); waited += 50) {
      assert.ok(waited < 10_000, `the first try fails and the mail waits for its retry: ${JSON.stringify(queued)}`);
      await sleep(50);
      queued = await cluster.database.db.selectFrom('outbox').select(['status', 'attempts', 'next_attempt_at']).executeTakeFirst();
    }
    await smtp.up();

    // PostgreSQL goes away: every backend ends, then nothing answers on its port.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()`.execute(cluster.database.db);
    await database.down();

    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', reason: 'database_unreachable' });
    const alive = await fetch(`${url}/healthz`);
    assert.deepEqual([alive.status, await alive.json()], [200, { status: 'ok' }], 'alive: a restart would not help');

    const answers = {
      'GET /login': await browser.get('/login'),
      'GET /login (ru)': await russian.get('/login', { 'accept-language': 'ru' }),
      'POST /login': await browser.post('/login', { identifier: SHOPPER.email, password: SHOPPER.password }),
      'GET /api/v1/whoami': await browser.raw('GET', '/api/v1/whoami', { headers: { authorization: `Bearer ${'n'.repeat(43)}` } }),
      'POST /api/v1/app/sessions': await browser.raw('POST', '/api/v1/app/sessions', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: SHOPPER.email, password: SHOPPER.password }),
      }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      assert.equal(answer.status, 503, `${what}: ${answer.text.slice(0, 200)}`);
      assert.ok(Number(answer.headers.get('retry-after')) > 0, `${what}: Retry-After ${answer.headers.get('retry-after')}`);
      if (what.includes('/api/')) {
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, what);
        assert.equal(JSON.parse(answer.text).error.code, 'request.unavailable', what);
      } else {
        assert.match(answer.headers.get('content-type') ?? '', /^text\/html/, what);
        assert.match(answer.text, what.includes('(ru)') ? RU_PAGE : EN_PAGE, what);
        assert.match(answer.text, /<link rel="stylesheet" href="\/static\//, `${what}: in the site layout`);
      }
    }

    // The mail falls due while the database is away: the dispatcher's passes fail, and go on.
    while (Date.now() < queued.next_attempt_at + 2000) await sleep(100);
    assert.equal(mail.messages().filter((m) => m.to.includes(SHOPPER.email)).length, 0, 'nothing could be sent while the database was away');
    const upAt = new Date();
    await database.up();

    const backAt = performance.now();
    for (;;) {
      const again = await fetch(`${url}/readyz`);
      if (again.status === 200) break;
      assert.equal(again.status, 503);
      assert.ok(performance.now() - backAt < 5000, 'ready again within 5 s of the database’s return');
      await sleep(50);
    }
    const readyAfterMs = Math.round(performance.now() - backAt);
    const delivered = await mail.waitFor((m) => m.to.includes(SHOPPER.email), 10_000);
    assert.ok(delivered.receivedAt >= upAt, 'delivered after the database came back');
    assert.match(delivered.text, /\b\d{6}\b/, 'the recovery code mail, with its code');

    const signedIn = await browser.post('/login', { identifier: SHOPPER.email, password: SHOPPER.password });
    assert.equal(signedIn.status, 303, `sign-in works again (${signedIn.status})`);
    assert.equal((await browser.get('/account')).status, 200);

    assert.equal(node.exitCode, null, 'the node never exited');
    assert.equal(node.signalCode, null);
    assert.equal(cluster.nodes.length, 1, 'the same process: no node was started again');
    const log = cluster.output(0);
    assert.doesNotMatch(log, /unexpected error|unhandled|uncaught/i, 'no unexpected or unhandled error in the node’s log');
    const lines = log.split('\n').filter(Boolean);
    t.diagnostic(`ready again ${readyAfterMs} ms after the database returned; mail delivered ${delivered.receivedAt.getTime() - upAt.getTime()} ms after; node log ${lines.length} lines (${lines.filter((l) => l.includes('database unavailable')).length} × "database unavailable", ${lines.filter((l) => l.includes('outbox pass failed')).length} × "outbox pass failed")`);
  });
}
