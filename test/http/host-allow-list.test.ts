// Issue 9 §6: a DNS-rebinding page (its own name re-pointed at this server) could read
// /dev/mailbox's codes, because every Host was answered. Now only PUBLIC_URL's host is (plus
// loopback names in development), and an https PUBLIC_URL brings HSTS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, type TestGatehouse } from '../harness/test-app.ts';
import { hostAllowList } from '../../src/http/host-guard.ts';

/** A GET with a Host header of our choosing (fetch would write the URL's own). */
function getWithHost(app: TestGatehouse, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const port = new URL(app.url).port;
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

test('the Host allow-list: PUBLIC_URL host with its port (default port written or not), loopback names only in development', () => {
  const production = hostAllowList('https://Shop.Example.test', false);
  for (const host of ['shop.example.test', 'SHOP.example.test', 'shop.example.test:443']) assert.equal(production(host), true, host);
  for (const host of ['shop.example.test:8443', 'evil.example', 'shop.example.test.evil.example', 'localhost:3000', '127.0.0.1', '[::1]:3000', '', undefined]) {
    assert.equal(production(host), false, String(host));
  }
  const local = hostAllowList('http://localhost:3000', false);
  for (const host of ['localhost:3000', 'localhost:4999', '127.0.0.1:3000', '127.0.0.1', '[::1]:3000']) assert.equal(local(host), true, host);
  for (const host of ['evil.example:3000', 'localhost.evil.example:3000', '127.0.0.1.nip.io:3000']) assert.equal(local(host), false, host);
  const devMailbox = hostAllowList('https://shop.example.test', true);
  assert.equal(devMailbox('localhost:4000'), true, 'DEV_MAILBOX on: development, loopback accepted');
  assert.equal(devMailbox('evil.example:4000'), false);
});

for (const dialect of testDialects) {
  describe(`Host allow-list in development (DEV_MAILBOX on) on ${dialect}`, () => {
    const app = gatehouseForSuite(dialect);

    test('a DNS-rebinding request (Host: another name) for /dev/mailbox is refused 421 with readable text, and shows no mail', async () => {
      const port = new URL(app.url).port;
      const rebound = await getWithHost(app, '/dev/mailbox', `rebind.attacker.example:${port}`);
      assert.equal(rebound.status, 421);
      assert.match(String(rebound.headers['content-type']), /^text\/plain/);
      assert.match(rebound.text, /This server does not answer for that address/);
      assert.doesNotMatch(rebound.text, /\d{6}|mailbox/i);
      const russian = await getWithHost(app, '/login', `rebind.attacker.example:${port}`, { 'accept-language': 'ru' });
      assert.equal(russian.status, 421);
      assert.match(russian.text, /Этот сервер не отвечает по такому адресу/);
    });

    test('localhost, 127.0.0.1 and [::1] on any port are answered in development', async () => {
      const port = new URL(app.url).port;
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '127.0.0.1:1', `[::1]:${port}`]) {
        assert.equal((await getWithHost(app, '/dev/mailbox', host)).status, 200, host);
      }
    });

    test('no HSTS when PUBLIC_URL is http', async () => {
      const port = new URL(app.url).port;
      assert.equal((await getWithHost(app, '/login', `localhost:${port}`)).headers['strict-transport-security'], undefined);
    });
  });

  describe(`Host allow-list in production (https PUBLIC_URL, DEV_MAILBOX off) on ${dialect}`, () => {
    const app = gatehouseForSuite(dialect, { env: { PUBLIC_URL: 'https://shop.example.test', DEV_MAILBOX: 'false' } });

    test('only PUBLIC_URL’s host is answered: localhost and other names get 421', async () => {
      const port = new URL(app.url).port;
      assert.equal((await getWithHost(app, '/login', 'shop.example.test')).status, 200);
      assert.equal((await getWithHost(app, '/login', 'shop.example.test:443')).status, 200);
      for (const host of [`localhost:${port}`, '127.0.0.1', 'shop.example.test:8443', 'evil.example']) {
        assert.equal((await getWithHost(app, '/login', host)).status, 421, host);
      }
    });

    test('an https PUBLIC_URL sends Strict-Transport-Security: max-age=31536000; includeSubDomains on every answer', async () => {
      for (const [host, status] of [['shop.example.test', 200], ['evil.example', 421]] as const) {
        const response = await getWithHost(app, '/login', host);
        assert.equal(response.status, status);
        assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', host);
      }
    });
  });
}
