// DESIGN.md §2 "client address": TRUST_PROXY names the proxies (a hop count or addresses/CIDRs);
// the client is the right-most X-Forwarded-For entry they did not add, never one the client wrote.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { gatehouseForSuite, type TestGatehouse } from '../harness/test-app.ts';
import { makeAccount, signIn } from '../security/kit.ts';

let n = 0;
/** Signs in with this X-Forwarded-For from loopback; returns the address the session recorded. */
async function addressSeen(app: TestGatehouse, forwardedFor: string | undefined): Promise<string> {
  const account = await makeAccount(app, { email: `proxy.shopper${++n}@example.com` });
  // A real socket: the client address is what this file is about.
  const browser = createClient(app.url, { network: true });
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  await browser.get('/login', headers);
  const response = await browser.post('/login', { identifier: account.email, password: account.password }, { headers });
  assert.equal(response.status, 303, `signed in (${response.status})`);
  const row = await app.gatehouse.services.db.selectFrom('sessions').select('client_address').where('account_id', '=', account.id).executeTakeFirstOrThrow();
  return row.client_address.replace(/^::ffff:/, '');
}

test('TRUST_PROXY=true is refused at start-up with one line saying what to write instead', () => {
  for (const value of ['true', 'TRUE', 'yes', 'on']) {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: value }),
      (error: Error) => error instanceof ConfigError && /^TRUST_PROXY=\w+ would believe any X-Forwarded-For a client writes; name your proxies instead: TRUST_PROXY=1 .*TRUST_PROXY=127\.0\.0\.1,10\.0\.0\.0\/8$/.test(error.message) && !error.message.includes('\n'),
      value,
    );
  }
});

test('TRUST_PROXY takes a hop count or a list of addresses and CIDR ranges, and names a bad entry', () => {
  assert.deepEqual(loadConfig({}).trustProxy, { kind: 'none' });
  assert.deepEqual(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, { kind: 'none' });
  assert.deepEqual(loadConfig({ TRUST_PROXY: '0' }).trustProxy, { kind: 'none' });
  assert.deepEqual(loadConfig({ TRUST_PROXY: '2' }).trustProxy, { kind: 'hops', hops: 2 });
  assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32, 192.0.2.7' }).trustProxy, {
    kind: 'addresses',
    addresses: ['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
  });
  for (const [value, named] of [['10.0.0.0/33', '10.0.0.0/33'], ['127.0.0.1,proxy.local', 'proxy.local'], ['11', 'from 0 to 10'], ['10.0.0.1/8/2', '10.0.0.1/8/2'], ['1.2.3', '1.2.3']]) {
    assert.throws(() => loadConfig({ TRUST_PROXY: value }), (error: Error) => error instanceof ConfigError && error.message.startsWith('TRUST_PROXY') && error.message.includes(named!), value);
  }
});

for (const dialect of testDialects) {
  describe(`client address behind proxies (${dialect})`, { timeout: 60_000 }, () => {
    const oneHop = gatehouseForSuite(dialect, { env: { TRUST_PROXY: '1' } });
    const byAddress = gatehouseForSuite(dialect, { env: { TRUST_PROXY: 'loopback,10.0.0.0/8' } });
    const noProxy = gatehouseForSuite(dialect);

    test('TRUST_PROXY=1: the entry our one proxy appended is the client (6.6.6.6, 10.0.0.5 from loopback → 10.0.0.5)', async () => {
      assert.equal(await addressSeen(oneHop, '6.6.6.6, 10.0.0.5'), '10.0.0.5');
      assert.equal(await addressSeen(oneHop, '203.0.113.9'), '203.0.113.9');
      assert.equal(await addressSeen(oneHop, undefined), '127.0.0.1', 'no header: the peer itself');
    });

    test('TRUST_PROXY as a CIDR list: the right-most address not in it is the client (… 10.0.0.5 → 6.6.6.6)', async () => {
      assert.equal(await addressSeen(byAddress, '6.6.6.6, 10.0.0.5'), '6.6.6.6');
      assert.equal(await addressSeen(byAddress, '6.6.6.6, 10.1.2.3, 10.0.0.5'), '6.6.6.6', 'through two of our proxies');
    });

    test('a spoofed left-most X-Forwarded-For never wins, and without TRUST_PROXY the header is ignored', async () => {
      // A client that writes its own header in front of what our proxies append.
      assert.equal(await addressSeen(oneHop, '1.1.1.1, 6.6.6.6, 10.0.0.5'), '10.0.0.5');
      assert.equal(await addressSeen(byAddress, '1.1.1.1, 6.6.6.6, 10.0.0.5'), '6.6.6.6');
      assert.equal(await addressSeen(noProxy, '1.1.1.1, 10.0.0.5'), '127.0.0.1');
    });
  });
}
