// Two Gatehouse processes on one PostgreSQL, as behind a load balancer: every step of sign-up and
// sign-in may land on either node (DESIGN.md §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { freePort } from '../harness/free-port.ts';
import { createClient } from '../harness/http-client.ts';
import { codeIn, TEST_SECRET } from '../harness/test-app.ts';
import { startMailCatcher, type MailCatcher } from '../../src/courier/mail-catcher.ts';

const PASSWORD = 'plum orbit velvet canyon 42';

async function startNode(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Gatehouse is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)));
  });
  return child;
}

if (testDialects.includes('postgres')) {
  let database: TestDatabase;
  let mail: MailCatcher;
  const nodes: ChildProcess[] = [];
  const urls: string[] = [];

  before(async () => {
    database = await openTestDatabase('postgres');
    mail = await startMailCatcher({ port: 0 });
    const ports = [await freePort(), await freePort()];
    const publicUrl = `http://localhost:${ports[0]}`;
    for (const port of ports) {
      nodes.push(
        await startNode({
          DATABASE_URL: database.config.kind === 'postgres' ? database.config.url : '',
          GATEHOUSE_SECRET: TEST_SECRET,
          SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
          PORT: String(port),
          PUBLIC_URL: publicUrl,
        }),
      );
      urls.push(`http://localhost:${port}`);
    }
  });

  after(async () => {
    for (const node of nodes) {
      node.kill('SIGTERM');
      if (node.exitCode === null) await once(node, 'exit');
    }
    await mail.close();
    await database.close();
  });

  test('two nodes on one PostgreSQL: sign-up started on one is confirmed on the other, and each sees the other’s sessions', async () => {
    const [a, b] = urls as [string, string];
    const browser = createClient(a);
    await browser.get(`${a}/register`);
    const since = new Date();
    const started = await browser.post(`${a}/register`, { email: 'two.nodes@example.com', login_name: '', password: PASSWORD, password_confirmation: PASSWORD });
    assert.equal(started.status, 303);
    const flow = new URL(started.location!, a).searchParams.get('flow')!;

    // The code page renders on node B (the flow row is the truth, not node A's memory).
    const codePage = await browser.get(`${b}/register/code?flow=${flow}`);
    assert.equal(codePage.status, 200);
    const message = await mail.waitFor((m) => m.to.includes('two.nodes@example.com') && m.receivedAt >= since, 10_000);
    const confirmed = await browser.post(`${b}/register/code`, { flow, code: codeIn(message) });
    assert.equal(confirmed.status, 303);

    // The session created on B is honoured on A.
    const onA = await browser.get(`${a}/api/v1/whoami`);
    assert.equal(onA.status, 200);
    assert.equal(JSON.parse(onA.text).account.email, 'two.nodes@example.com');

    // Sign out on A, sign in on B, the account page renders on A.
    await browser.get(`${a}/account`);
    assert.equal((await browser.post(`${a}/logout`, {})).status, 303);
    assert.equal((await browser.get(`${b}/api/v1/whoami`)).status, 401);
    await browser.get(`${b}/login`);
    const signedIn = await browser.post(`${b}/login`, { identifier: 'two.nodes@example.com', password: PASSWORD });
    assert.equal(signedIn.status, 303);
    const account = await browser.get(`${a}/account`);
    assert.equal(account.status, 200);
    assert.match(account.text, /two\.nodes@example\.com/);
  });
}
