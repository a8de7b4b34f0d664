// Prometheus metrics (issue 12 §2), on SQLite and PostgreSQL: off unless asked for, behind a
// bearer token or on a localhost port of its own, counting what Gatehouse does with labels from
// closed sets only.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { freePort } from '../harness/free-port.ts';
import { createClient } from '../harness/http-client.ts';
import { GOOD_PASSWORD, makeAccount, signIn } from '../security/kit.ts';
import { startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { loadConfig } from '../../src/config/config.ts';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

/** The samples of one scrape: `name{labels} value` lines, comments left out. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(app: TestGatehouse): Promise<string> {
  const response = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

for (const dialect of testDialects) {
  describe(`metrics on ${dialect}`, () => {
    test('metrics are off unless METRICS_TOKEN or METRICS_PORT is set: /metrics is not found and nothing is counted', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const response = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(response.status, 404);
        assert.equal(app.gatehouse.services.metrics, undefined);
      } finally {
        await app.close();
      }
    });

    test('/metrics needs the bearer token: none or a wrong one gets 401 with a challenge, the right one the Prometheus text', async () => {
      const app = await startTestGatehouse(dialect, { env: { METRICS_TOKEN: TOKEN } });
      try {
        for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
          const response = await fetch(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });
          assert.equal(response.status, 401, `refused: ${authorization?.slice(0, 8)}`);
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="metrics"');
          assert.doesNotMatch(await response.text(), /gatehouse_/);
        }
        const text = await scrape(app);
        assert.match(text, /^# HELP process_cpu_user_seconds_total/m, 'the default process metrics');
        assert.match(text, /^# TYPE gatehouse_http_request_duration_seconds histogram/m);
        // A scraper that names the node by its address (a pod IP) is served too: the token guards it.
        const byAddress = await fetch(`${app.url.replace('localhost', '127.0.0.1')}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, host: '10.1.2.3:3000' } });
        assert.equal(byAddress.status, 200);
      } finally {
        await app.close();
      }
    });

    test('a scrape counts requests by route pattern, sign-ins by way and result, codes sent and checked, limits hit and recovery — and no label holds an email, a number, an id or a raw URL', async () => {
      const app = await startTestGatehouse(dialect, { env: { METRICS_TOKEN: TOKEN } });
      try {
        const shopper = await makeAccount(app, { email: 'metrics.shopper@example.com', loginName: 'metrics_shopper' });
        const browser = createClient(app.url);
        assert.equal((await signIn(browser, shopper.email, 'not the password at all')).status, 401);
        assert.equal((await signIn(browser, shopper.email, GOOD_PASSWORD)).status, 303);
        const stranger = createClient(app.url);
        const { flowId, code } = await startRecovery(app, stranger, shopper.email, shopper.email);
        const wrong = await stranger.post('/recovery/code', { flow: flowId, code: wrongCode(code) });
        assert.equal(wrong.status, 422);
        const tooSoon = await stranger.post('/recovery/resend', { flow: flowId });
        assert.equal(tooSoon.status, 429);
        // Each view of /login draws a QR too; the explicit request adds one more.
        const qrBefore = valueOf(await scrape(app), 'gatehouse_qr_requests_total', { outcome: 'created' });
        assert.equal((await stranger.post('/qr/requests', {}, { headers: { accept: 'application/json' } })).status, 200);
        await app.deliverMail();

        const text = await scrape(app);
        assert.equal(valueOf(text, 'gatehouse_sign_ins_total', { way: 'password', result: 'login.invalid_credentials' }), 1);
        assert.equal(valueOf(text, 'gatehouse_sign_ins_total', { way: 'password', result: 'success' }), 1);
        assert.equal(valueOf(text, 'gatehouse_password_flows_total', { flow: 'recovery', event: 'started' }), 1);
        assert.equal(valueOf(text, 'gatehouse_password_flows_total', { flow: 'recovery', event: 'failed', reason: 'code.invalid' }), 1);
        assert.equal(valueOf(text, 'gatehouse_codes_sent_total', { channel: 'email' }), 1);
        assert.equal(valueOf(text, 'gatehouse_code_checks_total', { result: 'code.invalid' }), 1, 'one wrong code');
        assert.equal(valueOf(text, 'gatehouse_limits_hit_total', { rule: 'code.resend_too_soon' }), 1);
        assert.equal(valueOf(text, 'gatehouse_qr_requests_total', { outcome: 'created' }), qrBefore + 1);
        assert.equal(valueOf(text, 'gatehouse_http_requests_total', { route: '/login', method: 'POST', status: '401' }), 1);
        assert.equal(valueOf(text, 'gatehouse_http_requests_total', { route: '/recovery/code', method: 'POST', status: '422' }), 1);
        assert.equal(valueOf(text, 'gatehouse_http_request_duration_seconds_count', { route: '/login', method: 'POST' }), 2);
        const sent = (await app.gatehouse.services.db.selectFrom('outbox').select('id').where('status', '=', 'sent').execute()).length;
        assert.ok(sent >= 1, 'the code mail was sent');
        assert.equal(valueOf(text, 'gatehouse_outbox_deliveries_total', { channel: 'email', outcome: 'sent' }), sent);
        assert.equal(valueOf(text, 'gatehouse_outbox_delivery_latency_seconds_count', { channel: 'email' }), sent);
        assert.equal(valueOf(text, 'gatehouse_outbox_messages', { state: 'pending' }), 0, 'all delivered');

        // Closed label sets only: nothing the shopper typed, no ids, no URLs with their values.
        const values = samples(text).flatMap((s) => Object.values(s.labels));
        for (const value of values) {
          assert.doesNotMatch(value, /@|metrics[._]shopper|example\.com/, `no email or login name in a label: ${value}`);
          assert.doesNotMatch(value, /[0-9a-f]{8}-[0-9a-f]{4}-/i, `no id in a label: ${value}`);
          assert.doesNotMatch(value, /\?|\+\d{6,}/, `no query string or phone number in a label: ${value}`);
        }
        assert.ok(!values.includes(flowId) && !text.includes(flowId) && !text.includes(shopper.id));
      } finally {
        await app.close();
      }
    });

    test('the outbox gauge shows pending, retrying and parked messages at scrape time', async () => {
      // No dispatcher on this node: the message stays in the outbox for the gauge to see.
      const app = await startTestGatehouse(dialect, { env: { METRICS_TOKEN: TOKEN, RUN_DISPATCHER: 'false' } });
      try {
        const shopper = await makeAccount(app, { email: 'outbox.gauge@example.com' });
        await startRecovery(app, createClient(app.url), shopper.email);
        const { db } = app.gatehouse.services;
        assert.equal(valueOf(await scrape(app), 'gatehouse_outbox_messages', { state: 'pending' }), 1);
        await db.updateTable('outbox').set({ attempts: 2 }).execute();
        let text = await scrape(app);
        assert.equal(valueOf(text, 'gatehouse_outbox_messages', { state: 'pending' }), 0);
        assert.equal(valueOf(text, 'gatehouse_outbox_messages', { state: 'retrying' }), 1);
        await db.updateTable('outbox').set({ status: 'parked' }).execute();
        text = await scrape(app);
        assert.equal(valueOf(text, 'gatehouse_outbox_messages', { state: 'parked' }), 1);
        assert.equal(valueOf(text, 'gatehouse_outbox_messages', { state: 'retrying' }), 0);
        if (dialect === 'postgres') {
          assert.match(text, /^gatehouse_db_pool_connections\{state="open"\} [1-9]/m, 'the pool has connections open');
          assert.match(text, /^# TYPE gatehouse_db_pool_wait_seconds histogram/m);
        }
      } finally {
        await app.close();
      }
    });

    test('METRICS_PORT serves GET /metrics on 127.0.0.1 only, without a token, and nothing else', async () => {
      const port = await freePort();
      const app = await startTestGatehouse(dialect, { env: { METRICS_PORT: String(port) } });
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(response.status, 200);
        assert.match(await response.text(), /^# TYPE gatehouse_http_requests_total counter/m);
        assert.equal((await fetch(`http://127.0.0.1:${port}/login`)).status, 404);
        assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 404);
        // Without METRICS_TOKEN the main port has no /metrics.
        assert.equal((await fetch(`${app.url}/metrics`)).status, 404);
      } finally {
        await app.close();
      }
      await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the metrics port closes with Gatehouse');
    });
  });
}

test('a METRICS_TOKEN shorter than 32 characters stops start-up with one line naming it', () => {
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 32 visible ASCII characters/);
  assert.throws(() => loadConfig({ METRICS_TOKEN: `${'a'.repeat(32)} b` }), /METRICS_TOKEN/);
  assert.throws(() => loadConfig({ METRICS_PORT: '70000' }), /METRICS_PORT/);
  assert.equal(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }).metrics.token, 'a'.repeat(32));
});
