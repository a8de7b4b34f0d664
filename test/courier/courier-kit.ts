// Shared set-up for the courier tests: a fresh database of the given dialect, a manual clock,
// secrets, a real SMTP mail catcher, and a logger that records every call so tests can search
// what would have been written to the log.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import { createManualClock } from '../../src/shared/clock.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { createDispatcher, type CourierLogger, type DispatcherOptions } from '../../src/courier/dispatcher.ts';
import { startMailCatcher, type MailCatcher } from '../../src/courier/mail-catcher.ts';
import { createSmtpSender, type MailSender } from '../../src/courier/smtp-transport.ts';
import { startSmsCatcher, type SmsCatcher, type SmsCatcherOptions } from '../../src/courier/sms-catcher.ts';
import { createTwilioSmsSender, type SmsSender } from '../../src/courier/sms-transport.ts';
import type { Database } from '../../src/storage/database.ts';
import { openTestDatabase, type TestDatabase, type TestDialect } from '../harness/databases.ts';

export const FROM = 'Test Store <no-reply@store.test>';
/** PUBLIC_URL's host in these tests: the right-hand side of every Message-ID. */
export const MESSAGE_ID_DOMAIN = 'store.test';
export const STORE = 'Test Store';

export interface LogCall {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

export function captureLogger(): CourierLogger & { calls: LogCall[]; text(): string } {
  const calls: LogCall[] = [];
  const record = (level: LogCall['level']) => (obj: object, msg?: string) => {
    calls.push({ level, obj, msg });
  };
  return {
    calls,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    // Everything a log line could contain, as one string to search.
    text: () => calls.map((c) => JSON.stringify({ level: c.level, ...c.obj, msg: c.msg })).join('\n'),
  };
}

export function senderFor(port: number): MailSender {
  // Short timeouts: a refused connection fails in milliseconds anyway; this only bounds surprises.
  return createSmtpSender({ url: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 3000 });
}

export const SMS_FROM = '+15005550006';

/** The ordinary Twilio sender pointed at a catcher; a short timeout keeps "hang" tests quick. */
export function smsSenderFor(catcher: Pick<SmsCatcher, 'url' | 'accountSid' | 'authToken'>, timeoutMs = 3000): SmsSender {
  return createTwilioSmsSender({ baseUrl: catcher.url, accountSid: catcher.accountSid, authToken: catcher.authToken, from: SMS_FROM, timeoutMs });
}

export interface Kit {
  database: TestDatabase;
  db: Database;
  clock: ReturnType<typeof createManualClock>;
  secrets: ReturnType<typeof createSecrets>;
  logger: ReturnType<typeof captureLogger>;
  deps: { secrets: ReturnType<typeof createSecrets>; clock: ReturnType<typeof createManualClock> };
  /** A real SMTP mail catcher, on a random port unless one is given; closed after the test. */
  catcher(port?: number): Promise<MailCatcher>;
  /** A real HTTP server playing Twilio's Messages API; closed after the test. */
  smsCatcher(options?: SmsCatcherOptions): Promise<SmsCatcher>;
  /** Runs after the test, before the database is closed. */
  onCleanup(fn: () => Promise<unknown> | void): void;
  dispatcher(options: Partial<DispatcherOptions> & { sender: MailSender }): ReturnType<typeof createDispatcher>;
  rows(): Promise<Record<string, unknown>[]>;
}

export async function courierKit(t: TestContext, kind: TestDialect): Promise<Kit> {
  const database = await openTestDatabase(kind);
  const clock = createManualClock();
  const secrets = createSecrets('courier-test-secret-0123456789abcdef');
  const logger = captureLogger();
  // node:test runs t.after hooks first-in first-out; we want dispatchers and catchers gone before
  // the database, so clean-ups are collected here and run last-in first-out.
  const cleanups: Array<() => Promise<unknown>> = [() => database.close()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return {
    database,
    db: database.db,
    clock,
    secrets,
    logger,
    deps: { secrets, clock },
    onCleanup(fn) {
      cleanups.push(async () => fn());
    },
    async catcher(port) {
      const catcher = await startMailCatcher({ port });
      cleanups.push(() => catcher.close());
      return catcher;
    },
    async smsCatcher(options) {
      const catcher = await startSmsCatcher(options);
      cleanups.push(() => catcher.close());
      return catcher;
    },
    dispatcher(options) {
      const dispatcher = createDispatcher({ db: database.db, secrets, clock, logger, storeName: STORE, messageIdDomain: MESSAGE_ID_DOMAIN, ...options });
      cleanups.push(() => dispatcher.stop());
      return dispatcher;
    },
    // Raw SQL rather than Kysely's typed select: we want exactly what sits in the table.
    async rows() {
      const result = await sql<Record<string, unknown>>`select * from outbox order by created_at, id`.execute(database.db);
      return result.rows;
    },
  };
}

/**
 * For the one queued message that can only fail: tries it whenever it is due (moving the clock to
 * its next attempt) until it stops being pending; checks nothing was delivered and, a day later,
 * that a stopped message is not tried again. Returns the row as it stopped, and the attempts.
 */
export async function failUntilStopped(kit: Kit, dispatcher: ReturnType<Kit['dispatcher']>): Promise<Record<string, unknown>> {
  for (let pass = 0; pass < 1000; pass++) {
    assert.equal(await dispatcher.deliverDueMessages(), 0);
    const [row] = await kit.rows();
    if (row.status !== 'pending') {
      const attempts = Number(row.attempts);
      kit.clock.advance(24 * 3_600_000);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(Number((await kit.rows())[0].attempts), attempts, 'a stopped message is not tried again');
      return row;
    }
    kit.clock.set(Math.max(kit.clock.now(), Number(row.next_attempt_at)));
  }
  throw new Error('the message never stopped retrying');
}
