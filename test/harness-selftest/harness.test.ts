// Checks the test harness itself: real databases per dialect, isolation, clean-up, and a real
// Chromium that keeps a Secure __Host- cookie on http://localhost.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { openTestDatabase, testDialects } from '../harness/databases.ts';
import { launchBrowser, newDesktopPage, newPhonePage, screenshot } from '../harness/browser.ts';
import { freePort } from '../harness/free-port.ts';

async function tableNames(database: Awaited<ReturnType<typeof openTestDatabase>>): Promise<string[]> {
  const tables = await database.db.introspection.getTables();
  return tables.map((table) => table.name);
}

for (const kind of testDialects) {
  describe(`test databases (${kind})`, () => {
    test('open gives a migrated database with the accounts table', async (t) => {
      const database = await openTestDatabase(kind);
      t.after(() => database.close());
      assert.equal(database.kind, kind);
      assert.equal(database.config.kind, kind);
      assert.ok((await tableNames(database)).includes('accounts'));
      const count = await database.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0);
    });

    test('two opens are isolated from each other', async (t) => {
      const [a, b] = await Promise.all([openTestDatabase(kind), openTestDatabase(kind)]);
      t.after(() => Promise.all([a.close(), b.close()]));
      assert.notDeepEqual(a.config, b.config);
      const now = Date.now();
      await a.db
        .insertInto('accounts')
        .values({ id: 'acc_1', email: 'only-in-a@example.com', login_name: null, password_hash: null, locale: 'en', email_verified_at: null, locked_at: null, created_at: now, updated_at: now })
        .execute();
      const inA = await a.db.selectFrom('accounts').select('email').execute();
      const inB = await b.db.selectFrom('accounts').select('email').execute();
      assert.deepEqual(inA.map((row) => row.email), ['only-in-a@example.com']);
      assert.deepEqual(inB, []);
      // bigint columns come back as numbers on both dialects
      const row = await a.db.selectFrom('accounts').select('created_at').executeTakeFirstOrThrow();
      assert.equal(row.created_at, now);
    });

    test('close() removes the database', async () => {
      const database = await openTestDatabase(kind);
      await sql`select 1`.execute(database.db);
      await database.close();
      await database.close(); // a second close is harmless
      if (database.config.kind === 'sqlite') {
        assert.equal(existsSync(database.config.file), false);
        assert.equal(existsSync(dirname(database.config.file)), false);
      } else {
        const name = new URL(database.config.url).pathname.slice(1);
        const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
          assert.equal(rows.length, 0, `database ${name} still exists`);
        } finally {
          await client.end();
        }
      }
    });
  });
}

test('freePort gives a port that can be listened on', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

describe('browser', () => {
  test('Chromium keeps a Secure __Host- cookie on http://localhost', async (t) => {
    const seen: Array<string | undefined> = []; // Cookie header of each page request (not favicon)
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/favicon.ico') {
        response.statusCode = 404;
        response.end();
        return;
      }
      seen.push(request.headers.cookie);
      if (request.url === '/') {
        response.setHeader('Set-Cookie', '__Host-x=1; Secure; HttpOnly; SameSite=Lax; Path=/');
        response.setHeader('Content-Type', 'text/html; charset=utf-8');
        response.end('<!doctype html><title>harness</title><h1>Привет, harness</h1><a href="/next">next</a>');
      } else {
        response.setHeader('Content-Type', 'text/html; charset=utf-8');
        response.end(`<!doctype html><title>next</title><p id="cookie">${request.headers.cookie ?? 'none'}</p>`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as { port: number };

    const browser = await launchBrowser();
    t.after(() => browser.close());

    const page = await newDesktopPage(browser);
    await page.goto(`http://localhost:${port}/`);
    assert.equal(await page.locator('h1').textContent(), 'Привет, harness');
    await page.click('a');
    await page.waitForURL(`http://localhost:${port}/next`);
    assert.equal(await page.locator('#cookie').textContent(), '__Host-x=1');
    assert.equal(seen.at(-1), '__Host-x=1');
    const cookies = await page.context().cookies();
    assert.deepEqual(
      cookies.map(({ name, secure, httpOnly, sameSite }) => ({ name, secure, httpOnly, sameSite })),
      [{ name: '__Host-x', secure: true, httpOnly: true, sameSite: 'Lax' }],
    );
    const desktopShot = await screenshot(page, 'harness-selftest-desktop');
    assert.ok(statSync(desktopShot).size > 0);
    await page.close();

    const phone = await newPhonePage(browser);
    const before = seen.length;
    await phone.goto(`http://localhost:${port}/`);
    assert.deepEqual(phone.viewportSize(), { width: 390, height: 844 });
    assert.equal(await phone.evaluate(() => navigator.maxTouchPoints > 0), true);
    // a separate context: the desktop page's cookie is not here before the first response
    assert.deepEqual(seen.slice(before), [undefined]);
    await screenshot(phone, 'harness-selftest-phone');
    await phone.close();
  });
});
