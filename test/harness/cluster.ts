// Several real Gatehouse processes on one PostgreSQL database, as behind a load balancer: the
// same PUBLIC_URL, the same secret, one mail catcher.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { startMailCatcher, type MailCatcher } from '../../src/courier/mail-catcher.ts';
import { createAccountStore } from '../../src/identity/account-store.ts';
import { createPasswordHasher } from '../../src/identity/password-hasher.ts';
import { openTestDatabase, type TestDatabase } from './databases.ts';
import { freePort } from './free-port.ts';
import { TEST_SECRET } from './test-app.ts';

export interface Cluster {
  database: TestDatabase;
  mail: MailCatcher;
  /** Base URLs of the nodes, e.g. http://localhost:4301. */
  urls: string[];
  /** The node processes, to see that none exited. */
  nodes: ChildProcess[];
  /** What a node has written to stdout and stderr so far (its log at LOG_LEVEL=warn). */
  output(node: number): string;
  /** Starts one more node on the same database, sending to the cluster's own catcher; returns its index. */
  addNode(): Promise<number>;
  close(): Promise<void>;
}

/**
 * How a node is started: as `npm start` runs it (dist/main.js with the start script's node flags)
 * when test/run-all.mjs has just built dist/ from this tree and says so in GATEHOUSE_TEST_DIST,
 * otherwise the sources through tsx (a test file run by hand). The built node starts in about a
 * quarter of the time, and is what production runs.
 */
function nodeArguments(): string[] {
  if (process.env.GATEHOUSE_TEST_DIST !== '1') return ['--import', 'tsx', 'src/main.ts'];
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  return [...start.split(/\s+/).filter((argument) => argument.startsWith('--')), 'dist/main.js'];
}

async function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, nodeArguments(), { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Gatehouse is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${output}`)));
  });
  return { child, output: () => output };
}

/**
 * databaseUrl: what the nodes connect to instead of the database's own URL (e.g. through a proxy);
 * smtpUrl: where they send mail instead of the cluster's catcher (e.g. a server that stalls).
 */
export async function startCluster(size = 2, options: { databaseUrl?: (url: string) => string; smtpUrl?: string } = {}): Promise<Cluster> {
  const database = await openTestDatabase('postgres');
  const url = database.config.kind === 'postgres' ? database.config.url : '';
  const mail = await startMailCatcher({ port: 0 });
  const ports: number[] = [];
  for (let i = 0; i < size; i++) ports.push(await freePort());
  /** One node's configuration: the shared database, secret and PUBLIC_URL, its own port. */
  const nodeEnv = (port: number, smtpUrl = `smtp://127.0.0.1:${mail.port}`) => ({
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(url) : url,
    GATEHOUSE_SECRET: TEST_SECRET,
    SMTP_URL: smtpUrl,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${ports[0]}`,
  });
  const nodes: ChildProcess[] = [];
  const outputs: (() => string)[] = [];
  const add = ({ child, output }: Awaited<ReturnType<typeof startNode>>) => {
    nodes.push(child);
    outputs.push(output);
  };
  for (const port of ports) add(await startNode(nodeEnv(port, options.smtpUrl)));
  const urls = ports.map((port) => `http://localhost:${port}`);
  return {
    database,
    mail,
    urls,
    nodes,
    output: (node) => outputs[node]!(),
    async addNode() {
      const port = await freePort();
      add(await startNode(nodeEnv(port)));
      urls.push(`http://localhost:${port}`);
      return nodes.length - 1;
    },
    async close() {
      for (const node of nodes) {
        if (node.exitCode !== null || node.signalCode !== null) continue;
        node.kill('SIGTERM');
        await once(node, 'exit');
      }
      await mail.close();
      await database.close();
    },
  };
}

/**
 * A shopper written straight into the cluster's database: a confirmed email and the password
 * hashed at the cost the nodes run with (the production default), so no node rehashes it.
 */
export async function addShopper(cluster: Cluster, shopper: { email: string; password: string; loginName?: string }): Promise<void> {
  const hasher = createPasswordHasher({ argon2MemoryKib: 19456, argon2Iterations: 2, argon2Parallelism: 1 });
  const now = Date.now();
  await createAccountStore(cluster.database.db).insert(cluster.database.db, {
    email: shopper.email, loginName: shopper.loginName ?? null, passwordHash: await hasher.hash(shopper.password), locale: 'en', emailVerifiedAt: now, now,
  });
}
