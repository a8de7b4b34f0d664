// Starts a real Gatehouse (same composition as production) on a fresh test database, with a real
// SMTP mail catcher as its mail server and an injectable clock. It listens on a real port (for
// Chromium, event streams and the network tests), and createClient(app.url) reaches it in-process
// through Fastify's inject (http-client.ts). Codes are read from the outbox (outbox-codes.ts).
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createGatehouse } from '../../src/server/compose.ts';
import { startMailCatcher, type MailCatcher } from '../../src/courier/mail-catcher.ts';
import { createManualClock, type Clock } from '../../src/shared/clock.ts';
import { after, before } from 'node:test';
import pino, { type Logger } from 'pino';
import { freePort } from './free-port.ts';
import { openTestDatabase, type TestDialect, type TestDatabase } from './databases.ts';
import { serveInProcess } from './http-client.ts';
import { codeIn, createCodeReaders } from './outbox-codes.ts';

export { codeIn };

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/**
 * Test-only: passwords are hashed at argon2id's floor that config accepts (8 MiB, 1 pass), about
 * a third of the work of production's m=19456,t=2 here. Only the tests about the hashing itself
 * (rehash on sign-in, the same work for unknown accounts) run with PRODUCTION_ARGON2.
 */
const TEST_ARGON2 = { ARGON2_MEMORY_KIB: '8192', ARGON2_ITERATIONS: '1' };
export const PRODUCTION_ARGON2 = { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2' };

export interface TestGatehouse {
  url: string;
  config: Config;
  database: TestDatabase;
  mail: MailCatcher;
  gatehouse: Awaited<ReturnType<typeof createGatehouse>>;
  /**
   * The newest code queued for this address (after `after`, never one handed out before), read
   * from the outbox: for tests where the code is the way in, not the mail.
   */
  codeFor(address: string, after?: Date): Promise<string>;
  /** The newest mail to this address whose text holds a 6-digit code, over real SMTP; returns the code. */
  mailedCodeFor(address: string, after?: Date): Promise<string>;
  /**
   * Runs the dispatcher once now: resolves when every message due so far (mail and texts) has
   * been handed to its catcher (or failed), so "nothing was sent" can be checked without a sleep. A test that waits for "a mail after T" takes T after this, so a
   * code mail codeFor did not wait for cannot arrive after T and be taken for the one awaited.
   */
  deliverMail(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestGatehouse(
  dialect: TestDialect,
  /** logger: the Gatehouse logger to use instead of a plain pino at LOG_LEVEL (e.g. one writing to a stream the test reads). */
  options: { clock?: Clock; env?: Record<string, string>; database?: TestDatabase; port?: number; logger?: Logger; shutdownGraceMs?: number } = {},
): Promise<TestGatehouse> {
  const database = options.database ?? (await openTestDatabase(dialect));
  const mail = await startMailCatcher({ port: 0 });
  // A real port from the start, so PUBLIC_URL (links in mail and in QR codes) points at it.
  const port = options.port ?? (await freePort());
  const config = loadConfig({
    GATEHOUSE_SECRET: TEST_SECRET,
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: '/nonexistent-gatehouse-data',
    PORT: String(port),
    // The embedded SMS catcher (and /dev/mailbox) next to the test's own mail catcher.
    DEV_MAILBOX: 'true',
    ...TEST_ARGON2,
    ...options.env,
  });
  config.database = database.config;
  const gatehouse = await createGatehouse(config, {
    clock: options.clock,
    database,
    logger: options.logger ?? pino({ level: config.logLevel }),
    shutdownGraceMs: options.shutdownGraceMs,
  });
  const address = await gatehouse.listen();
  const url = address.replace('127.0.0.1', 'localhost');
  // Pages compare the Origin header with PUBLIC_URL; tests talk to the real port, or in-process.
  const leaveProcess = serveInProcess(url, gatehouse.app);
  const codes = createCodeReaders({
    db: () => gatehouse.services.db,
    secrets: () => gatehouse.services.secrets,
    mail,
    messageIdDomain: () => new URL(config.publicUrl).hostname,
    realClock: options.clock === undefined,
  });
  return {
    url,
    config,
    database,
    mail,
    gatehouse,
    codeFor: (to, after = new Date(0)) => codes.queued(to, after),
    mailedCodeFor: (to, after = new Date(0)) => codes.mailed(to, after),
    async deliverMail() {
      await gatehouse.services.dispatcher.deliverDueMessages();
    },
    async close() {
      leaveProcess();
      await gatehouse.close();
      await mail.close();
    },
  };
}

/**
 * One Gatehouse for a whole describe block: started before its first test and closed after its
 * last. What it returns forwards to that Gatehouse, so tests read `app.url` as with a started one.
 */
export function gatehouseForSuite(dialect: TestDialect, options: Parameters<typeof startTestGatehouse>[1] = {}): TestGatehouse {
  let started: TestGatehouse | undefined;
  before(async () => {
    started = await startTestGatehouse(dialect, options);
  });
  after(() => started?.close());
  return new Proxy({} as TestGatehouse, {
    get(_, key) {
      if (!started) throw new Error('the suite’s Gatehouse starts in before(): use it inside tests and hooks');
      return Reflect.get(started, key);
    },
  });
}

export { createManualClock };
