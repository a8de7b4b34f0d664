// While PostgreSQL is unreachable, every route Fastify has registered answers a browser or an app
// with 503, Retry-After and a readable page or JSON error — or, for what needs no database (the
// static files), its usual answer, and the load balancer's probes their own (alive, not ready) —
// never a 500 and never a crash; once the database is back the same Gatehouse serves again by
// itself. The database is "stopped" by a TCP proxy in front of the real one that cuts every
// connection and refuses new ones.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.ts';
import { registeredRoutes } from '../harness/routes.ts';
import { makeAccount, signInOk } from '../security/kit.ts';
import { openDatabase } from '../../src/storage/database.ts';

const READABLE_PAGE = /We could not complete this just now\. Nothing was changed; please try again in a moment\./;
const sampleParams: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', token: 'x'.repeat(43), name: 'app.css' };
/** A well-formed body for each JSON route, so that it gets past its schema to the database. */
const jsonBodyFor = (path: string): unknown =>
  path === '/api/v1/app/sessions' ? { identifier: FIELDS.identifier, password: FIELDS.password }
  : path.endsWith('/second-step/sms') ? { flow: FIELDS.flow, flowToken: FIELDS.token }
  : path.endsWith('/second-step') ? { flow: FIELDS.flow, flowToken: FIELDS.token, way: 'totp', code: FIELDS.code }
  : path.startsWith('/api/v1/qr/') ? { token: FIELDS.token }
  : path === '/api/v1/app/passkeys' ? { response: {} }
  : path === '/api/v1/app/passkeys/remove' ? { id: FIELDS.flow }
  : path === '/api/v1/app/sessions/passkey' ? { signInId: FIELDS.token, response: {} }
  : {};
/** The routes that need no database: static files and the API's reference (made from the routes alone). */
const NEEDS_NO_DATABASE = ['GET /static/:name', 'GET /static/brand.css', 'GET /favicon.ico', 'GET /manifest.webmanifest', 'GET /api/openapi.json', 'GET /api/docs'];
const FIELDS = { identifier: 'outage.owner@example.com', password: 'correct horse battery staple', flow: '00000000-0000-4000-8000-000000000000', code: '123456', locale: 'ru', token: 'x'.repeat(43) };

if (testDialects.includes('postgres')) {
  describe('every route while PostgreSQL is unreachable', { timeout: 120_000 }, () => {
    let proxy: TcpProxy;
    let direct: TestDatabase;
    let app: TestGatehouse;

    before(async () => {
      const real = new URL(process.env.TEST_DATABASE_URL!);
      proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port) });
      direct = await openTestDatabase('postgres');
      const through = new URL(direct.config.kind === 'postgres' ? direct.config.url : '');
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      const config = { kind: 'postgres' as const, url: through.toString() };
      const opened = openDatabase(config);
      const database: TestDatabase = {
        ...opened,
        config,
        async close() {
          await opened.close();
          await direct.close();
        },
      };
      app = await startTestGatehouse('postgres', { database });
    });

    after(async () => {
      await proxy.up();
      await app.close();
      await proxy.close();
    });

    test('outage: with the database unreachable every registered route answers 503 with Retry-After and a readable page or JSON error (or its usual answer when it needs none), never a 500, and the app serves again by itself once it is back', async (t) => {
      const account = await makeAccount(app, { email: FIELDS.identifier });
      const browser = createClient(app.url);
      await signInOk(browser, account.email, account.password);
      await browser.get('/account');
      const csrf = browser.csrf;
      const routes = registeredRoutes(app.gatehouse.app);

      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()`.execute(direct.db);
      await proxy.down();
      const problems: string[] = [];
      let unavailable = 0;
      let probes = 0;
      const usual: string[] = [];
      for (const route of routes) {
        const path = route.url.replace(/:(\w+)/g, (_, name: string) => sampleParams[name] ?? 'x');
        const isApi = path.startsWith('/api/');
        const sendsBody = route.method === 'POST';
        // The app's calls carry a bearer token (one the database would have to look up).
        const headers: Record<string, string> = isApi ? { authorization: `Bearer ${'b'.repeat(43)}` } : {};
        if (sendsBody) headers['content-type'] = isApi ? 'application/json' : 'application/x-www-form-urlencoded';
        const body = !sendsBody ? undefined : isApi ? JSON.stringify(jsonBodyFor(path)) : new URLSearchParams({ _csrf: csrf, ...FIELDS }).toString();
        const answer = await browser.raw(route.method, path, { body, headers });
        const what = `${route.method} ${route.url}: ${answer.status}`;
        // The load balancer's probes answer in their own words (test/operations/): alive, and not ready.
        if (path === '/healthz' || path === '/readyz') {
          const expected = path === '/healthz' ? [200, { status: 'ok' }] : [503, { status: 'unavailable', reason: 'database_unreachable' }];
          if (JSON.stringify([answer.status, JSON.parse(answer.text)]) !== JSON.stringify(expected)) problems.push(`${what} ${answer.text}`);
          probes++;
          continue;
        }
        if (answer.status >= 500 && answer.status !== 503) problems.push(`${what} ${answer.text.slice(0, 200)}`);
        if (answer.status !== 503) {
          usual.push(`${route.method} ${route.url}`);
          continue;
        }
        unavailable++;
        if (!(Number(answer.headers.get('retry-after')) > 0)) problems.push(`${what} without Retry-After`);
        const type = answer.headers.get('content-type') ?? '';
        if (isApi ? JSON.parse(answer.text).error?.code !== 'request.unavailable' : !(type.startsWith('text/html') && READABLE_PAGE.test(answer.text))) problems.push(`${what} without a readable ${isApi ? 'JSON error' : 'page'}`);
      }
      assert.deepEqual(problems, []);
      assert.equal(probes, 2, '/healthz and /readyz are registered');
      // Everything but these reads the session, a token or a flow.
      assert.deepEqual(usual.sort(), [...NEEDS_NO_DATABASE].sort(), `${unavailable} of ${routes.length} routes answered 503; the others are these`);

      await proxy.up();
      const back = performance.now();
      for (;;) {
        const page = await browser.get('/account');
        if (page.status === 200) break;
        assert.equal(page.status, 503, 'unavailable until the database is back, nothing else');
        assert.ok(performance.now() - back < 10_000, 'serving again within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await browser.get('/api/v1/whoami')).status, 200, 'the session survived the outage');
      t.diagnostic(`${routes.length} routes while down: ${unavailable} × 503 with Retry-After, 0 × 500, the others (no database needed) ${usual.join(', ')}; serving again ${Math.round(performance.now() - back)} ms after the return`);
    });
  });
}
