// The README's relying party ("Sign in with Gatehouse from another app") is run as it is written,
// against a real Gatehouse: only its two addresses are changed to this test's ports. A shopper
// signs in through it and the app greets them by the ID token's claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { freePort } from '../harness/free-port.ts';
import { makeAccount } from '../security/kit.ts';
import { browse } from './oidc-kit.ts';

test('the README’s relying party, run as written, signs a shopper in and greets them by the ID token', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Sign in with Gatehouse from another app'));
  const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(example?.includes("import * as oidc from 'openid-client'"), 'the README has the example');

  const app = await startTestGatehouse(testDialects[0]!);
  t.after(() => app.close());
  const port = await freePort();
  const rpOrigin = `http://127.0.0.1:${port}`;
  const { client, clientSecret } = await app.gatehouse.services.oidc.clients.create({ name: 'Forum', redirectUris: [`${rpOrigin}/cb`], postLogoutRedirectUris: [], public: false, firstParty: true });
  // In this folder, so that it finds openid-client in node_modules as an app of its own would.
  const file = join('test', 'oidc', `.readme-example-${process.pid}.tmp.mjs`);
  writeFileSync(file, example!.replaceAll('http://localhost:3000', app.url).replaceAll('127.0.0.1:3001', `127.0.0.1:${port}`).replace('.listen(3001)', `.listen(${port})`));
  t.after(() => rmSync(file, { force: true }));
  const rp = spawn(process.execPath, [file], { env: { ...process.env, CLIENT_ID: client.clientId, CLIENT_SECRET: clientSecret! }, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  rp.stderr.on('data', (chunk) => (errors += chunk));
  t.after(() => rp.kill());
  // It is listening once its first page answers.
  let start: Response | undefined;
  for (let i = 0; i < 100 && !start; i++) {
    start = await fetch(`${rpOrigin}/`, { redirect: 'manual' }).catch(() => undefined);
    if (!start) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(start, `the example listens: ${errors}`);
  assert.equal(start.status, 303);

  const account = await makeAccount(app, { email: 'readme.reader@example.com' });
  const walked = await browse(createClient(app.url), start.headers.get('location')!, { signIn: { identifier: account.email, password: account.password }, appOrigin: rpOrigin });
  assert.ok(walked.back, walked.seen.join(' → '));
  const greeting = await (await fetch(walked.back)).text();
  assert.equal(greeting, `Hello ${account.email} (${account.id}), signed in with pwd`, errors);
});
