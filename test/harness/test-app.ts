// Starts a real Gatehouse (same composition as production) on a fresh test database, with a real
// SMTP mail catcher as its mail server and an injectable clock.
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createGatehouse } from '../../src/server/compose.ts';
import { startMailCatcher, type CaughtMessage, type MailCatcher } from '../../src/courier/mail-catcher.ts';
import { createManualClock, type Clock } from '../../src/shared/clock.ts';
import { after, before } from 'node:test';
import pino, { type Logger } from 'pino';
import { freePort } from './free-port.ts';
import { openTestDatabase, type TestDialect, type TestDatabase } from './databases.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface TestGatehouse {
  url: string;
  config: Config;
  database: TestDatabase;
  mail: MailCatcher;
  gatehouse: Awaited<ReturnType<typeof createGatehouse>>;
  /** The newest mail to this address whose text holds a 6-digit code; returns the code. */
  codeFor(address: string, after?: Date): Promise<string>;
  close(): Promise<void>;
}

export function codeIn(message: CaughtMessage): string {
  const match = /\b(\d{6})\b/.exec(message.text);
  if (!match) throw new Error(`no code in mail "${message.subject}"`);
  return match[1]!;
}

export async function startTestGatehouse(
  dialect: TestDialect,
  /** logger: the Gatehouse logger to use instead of a plain pino at LOG_LEVEL (e.g. one writing to a stream the test reads). */
  options: { clock?: Clock; env?: Record<string, string>; database?: TestDatabase; port?: number; logger?: Logger } = {},
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
    ...options.env,
  });
  config.database = database.config;
  const gatehouse = await createGatehouse(config, {
    clock: options.clock,
    database,
    logger: options.logger ?? pino({ level: config.logLevel }),
  });
  const address = await gatehouse.listen();
  const url = address.replace('127.0.0.1', 'localhost');
  const handedOut = new Set<string>();
  // Pages compare the Origin header with PUBLIC_URL; tests talk to the real port.
  return {
    url,
    config,
    database,
    mail,
    gatehouse,
    async codeFor(to, after = new Date(0)) {
      // A mail already handed out is never handed out again: two mails can share a millisecond.
      const message = await mail.waitFor((m) => !handedOut.has(m.id) && m.to.includes(to) && m.receivedAt >= after && /\b\d{6}\b/.test(m.text), 10_000);
      handedOut.add(message.id);
      return codeIn(message);
    },
    async close() {
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
