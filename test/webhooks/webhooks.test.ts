// Signed events for the store's other systems (issue 12 §5), on SQLite and PostgreSQL, with a
// real HTTP receiver on this machine that checks each delivery the way the Standard Webhooks
// scheme tells receivers to (its own HMAC, written here from the spec), fails on purpose and
// comes back.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, TEST_SECRET, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { GOOD_PASSWORD, makeAccount, signIn } from '../security/kit.ts';
import { setUserLocked } from '../../src/cli/user-commands.ts';
import type { AdminServices } from '../../src/cli/admin-services.ts';
import { retryDelayMs } from '../../src/courier/retry-schedule.ts';
import { parseEventList, urlProblem } from '../../src/webhooks/webhook-endpoints.ts';

interface Received { headers: IncomingHttpHeaders; body: string }

/** A receiver that answers each POST with the next status of `answers` (then 204). */
async function startReceiver(answers: number[] = []) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/gatehouse`, received, answers, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The receiver's check, from the Standard Webhooks spec: HMAC-SHA256 of "id.timestamp.body", base64, "v1," first. */
function verifiedBody(delivery: Received, secret: string, nowSeconds: number): any {
  const id = String(delivery.headers['webhook-id']);
  const timestamp = Number(delivery.headers['webhook-timestamp']);
  assert.ok(Math.abs(nowSeconds - timestamp) <= 300, 'a timestamp within 5 minutes (replay window)');
  const expected = createHmac('sha256', Buffer.from(secret.split('_')[1]!, 'base64')).update(`${id}.${timestamp}.${delivery.body}`).digest();
  const signatures = String(delivery.headers['webhook-signature']).split(' ').map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'));
  assert.ok(signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected)), 'the signature verifies');
  return JSON.parse(delivery.body);
}

const outboxWebhooks = (app: TestGatehouse) => app.gatehouse.services.db.selectFrom('outbox').selectAll().where('channel', '=', 'webhook').execute();

for (const dialect of testDialects) {
  describe(`webhooks on ${dialect}`, () => {
    // No courier of its own: each test runs the dispatcher when it means to.
    const start = (clock = createManualClock(Date.now())) => startTestGatehouse(dialect, { clock, env: { RUN_DISPATCHER: 'false' } });

    test('each subscribed event is queued with its change and delivered signed per Standard Webhooks, with a stable body and no personal data', async () => {
      const app = await start();
      const receiver = await startReceiver();
      try {
        const added = await app.gatehouse.services.webhookEndpoints.add({ url: receiver.url, events: 'sign_in.succeeded,account.locked' });
        assert.ok(added.ok);
        assert.match(added.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
        const shopper = await makeAccount(app, { email: 'hooked.shopper@example.com' });
        const browser = createClient(app.url);
        assert.equal((await signIn(browser, shopper.email, 'not the password at all')).status, 401, 'sign_in.failed: not subscribed');
        assert.equal((await signIn(browser, shopper.email, GOOD_PASSWORD)).status, 303);
        await setUserLocked(app.gatehouse.services as unknown as AdminServices, shopper.email, true);
        assert.equal((await outboxWebhooks(app)).length, 2, 'queued in the outbox, not sent from the request');
        assert.equal(receiver.received.length, 0);

        await app.deliverMail();
        assert.equal(receiver.received.length, 2);
        const now = Math.floor(app.gatehouse.services.clock.now() / 1000);
        const bodies = receiver.received.map((d) => verifiedBody(d, added.secret, now));
        assert.deepEqual(bodies.map((b) => b.type).sort(), ['account.locked', 'sign_in.succeeded']);
        for (const [i, body] of bodies.entries()) {
          assert.deepEqual(Object.keys(body).sort(), ['data', 'id', 'occurred_at', 'type']);
          assert.equal(body.data.account_id, shopper.id);
          assert.match(body.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.equal(receiver.received[i]!.headers['content-type'], 'application/json');
          assert.doesNotMatch(receiver.received[i]!.body, /hooked|example\.com|127\.0\.0\.1|Mozilla/, 'no email, address or browser in the body');
        }
        assert.equal(bodies.find((b) => b.type === 'sign_in.succeeded').data.way, 'password');
        assert.equal(bodies.find((b) => b.type === 'account.locked').data.actor, 'cli');
        const ids = receiver.received.map((d) => d.headers['webhook-id']);
        assert.deepEqual(ids.sort(), (await outboxWebhooks(app)).map((row) => row.id).sort(), 'webhook-id is the outbox message id');
        assert.ok((await outboxWebhooks(app)).every((row) => row.status === 'sent' && row.payload_sealed === ''));
      } finally {
        await receiver.close();
        await app.close();
      }
    });

    test('a receiver that fails is retried with backoff under the same webhook-id; after the last try the delivery is parked, never dropped', async () => {
      const clock = createManualClock(Date.now());
      const app = await start(clock);
      const receiver = await startReceiver([503, 500]);
      try {
        const added = await app.gatehouse.services.webhookEndpoints.add({ url: receiver.url, events: '*' });
        assert.ok(added.ok);
        const shopper = await makeAccount(app, { email: 'retry.hook@example.com' });
        await setUserLocked(app.gatehouse.services as unknown as AdminServices, shopper.email, true);
        const [row] = (await outboxWebhooks(app)).filter((r) => r.template === 'account.locked');
        assert.ok(row);

        await app.deliverMail();
        let now = (await outboxWebhooks(app)).find((r) => r.id === row.id)!;
        assert.deepEqual([now.status, now.attempts, now.last_error], ['pending', 1, 'webhook endpoint answered 503']);
        clock.advance(retryDelayMs(1) - 1000);
        await app.deliverMail();
        assert.equal(receiver.received.filter((d) => d.headers['webhook-id'] === row.id).length, 1, 'not before its backoff');
        clock.advance(1000);
        await app.deliverMail();
        clock.advance(retryDelayMs(2));
        await app.deliverMail();
        const tries = receiver.received.filter((d) => d.headers['webhook-id'] === row.id);
        assert.equal(tries.length, 3, '503, 500, then 204');
        now = (await outboxWebhooks(app)).find((r) => r.id === row.id)!;
        assert.equal(now.status, 'sent');
        for (const attempt of tries) verifiedBody(attempt, added.secret, Number(attempt.headers['webhook-timestamp']));

        // A receiver that never comes back: parked once retrying ends (3 days), still in the outbox.
        receiver.answers.push(...Array(50).fill(500));
        await setUserLocked(app.gatehouse.services as unknown as AdminServices, shopper.email, false);
        const unlocked = (await outboxWebhooks(app)).find((r) => r.template === 'account.unlocked')!;
        for (let i = 0; i < 40 && (await outboxWebhooks(app)).find((r) => r.id === unlocked.id)!.status === 'pending'; i++) {
          await app.deliverMail();
          clock.advance(6 * 3600_000);
        }
        const parked = (await outboxWebhooks(app)).find((r) => r.id === unlocked.id)!;
        assert.equal(parked.status, 'parked');
        assert.notEqual(parked.payload_sealed, '', 'the body is kept, so an operator can queue it again');
      } finally {
        await receiver.close();
        await app.close();
      }
    });

    test('an event whose change rolls back queues nothing; a removed endpoint is sent nothing more and its queued delivery is parked', async () => {
      const app = await start();
      const receiver = await startReceiver();
      try {
        const { webhookEndpoints, events, db } = app.gatehouse.services;
        const added = await webhookEndpoints.add({ url: receiver.url, events: 'password.changed' });
        assert.ok(added.ok);
        const shopper = await makeAccount(app, { email: 'rollback.hook@example.com' });
        await assert.rejects(
          db.transaction().execute(async (trx) => {
            await events.record(trx, { accountId: shopper.id, type: 'password.changed' });
            throw new Error('the change failed');
          }),
        );
        assert.equal((await outboxWebhooks(app)).length, 0);

        // An event of no account costs the same lookup and insert, and goes to nobody.
        await events.record(db, { accountId: null, type: 'password.changed' });
        const decoys = await outboxWebhooks(app);
        assert.deepEqual(decoys.map((r) => [r.status, r.payload_sealed, r.recipient_sealed]), [['sent', '', '']], 'a decoy: born sent, empty');
        await db.deleteFrom('outbox').execute();

        await events.record(db, { accountId: shopper.id, type: 'password.changed' });
        assert.equal(await webhookEndpoints.remove(added.endpoint.id), true);
        await events.record(db, { accountId: shopper.id, type: 'password.changed' });
        await app.deliverMail();
        const rows = await outboxWebhooks(app);
        assert.equal(rows.length, 1, 'nothing queued after removal');
        assert.deepEqual([rows[0]!.status, rows[0]!.last_error], ['parked', 'the webhook endpoint was removed']);
        assert.equal(receiver.received.length, 0);
      } finally {
        await receiver.close();
        await app.close();
      }
    });
  });
}

test('an endpoint URL is https (http only to this machine), without credentials; event types are known ones or *', () => {
  assert.equal(urlProblem('https://orders.example/hooks'), undefined);
  assert.equal(urlProblem('http://localhost:9000/hooks'), undefined);
  assert.match(urlProblem('http://orders.example/hooks')!, /https/);
  assert.match(urlProblem('https://user:pw@orders.example/hooks')!, /user name or password/);
  assert.match(urlProblem('not a url')!, /valid absolute URL/);
  assert.match(urlProblem(`https://orders.example/${'a'.repeat(2100)}`)!, /2048/);
  assert.deepEqual(parseEventList('password.changed, account.locked,password.changed'), { ok: true, events: ['password.changed', 'account.locked'] });
  assert.deepEqual(parseEventList('*'), { ok: true, events: ['*'] });
  assert.equal(parseEventList('password.stolen').ok, false);
  assert.equal(parseEventList(' , ').ok, false);
});

for (const dialect of testDialects) {
  test(`gatehouse webhook add prints the secret once, list never shows it, test sends a signed webhook.test, remove ends it (${dialect})`, async () => {
    const app = await startTestGatehouse(dialect, { env: { RUN_DISPATCHER: 'false' } });
    const receiver = await startReceiver();
    try {
      const config = app.database.config;
      const env = { ...process.env, DATABASE_URL: config.kind === 'postgres' ? config.url : `sqlite:${config.file}`, GATEHOUSE_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' };
      // Not spawnSync: the receiver answers from this process's event loop.
      const cli = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['bin/gatehouse.js', 'webhook', ...args], { env, encoding: 'utf8' }).then(
          ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
          (error: { code?: number; stdout: string; stderr: string }) => ({ status: error.code ?? 1, stdout: error.stdout, stderr: error.stderr }),
        );
      const added = await cli('add', '--url', receiver.url, '--events', 'password.changed,account.locked');
      assert.equal(added.status, 0, added.stderr);
      const endpoint = JSON.parse(added.stdout);
      assert.match(endpoint.secret, /^whsec_/);
      assert.deepEqual(endpoint.events, ['password.changed', 'account.locked']);
      const listed = await cli('list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.ok(!listed.stdout.includes(endpoint.secret) && !listed.stdout.includes('whsec_'), 'never the secret again');
      assert.equal(JSON.parse(listed.stdout)[0].id, endpoint.id);
      const tested = await cli('test', endpoint.id);
      assert.equal(tested.status, 0, tested.stderr);
      assert.equal(JSON.parse(tested.stdout).delivered, true, tested.stdout);
      assert.equal(verifiedBody(receiver.received[0]!, endpoint.secret, Math.floor(Date.now() / 1000)).type, 'webhook.test');
      const refused = await cli('add', '--url', 'http://orders.example/hooks', '--events', 'password.changed');
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /https/);
      assert.equal((await cli('remove', endpoint.id)).status, 0);
      assert.equal(JSON.parse((await cli('list')).stdout).length, 0);
    } finally {
      await receiver.close();
      await app.close();
    }
  });
}
