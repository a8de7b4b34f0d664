// The store conformance suite (DESIGN.md §3): every store's functions, called directly on a
// fresh database of each dialect, below HTTP. A store that behaves differently on SQLite and
// PostgreSQL fails here, next to the query that differs, instead of somewhere in a flow test.
//
//   storeSuite('session store', (s) => {
//     test('…', async () => { …s.db… s.clock.advance(…) });
//   });
import { after, before, describe } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createManualClock } from '../../src/shared/clock.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import type { Database } from '../../src/storage/database.ts';
import { openTestDatabase, testDialects, type TestDatabase, type TestDialect } from '../harness/databases.ts';

// Not the app harness's (importing it loads the whole server); any 32+ character secret will do.
const STORE_TEST_SECRET = 'store-test-secret-0123456789abcdef0123456789';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface StoreSuite {
  dialect: TestDialect;
  /** The suite's own database (opened before its first test). */
  readonly db: Database;
  clock: ReturnType<typeof createManualClock>;
  secrets: ReturnType<typeof createSecrets>;
  /** An account row to hang rows on (sessions, flows, factors reference accounts). */
  account(fields?: { email?: string; loginName?: string | null; locale?: string }): Promise<string>;
  /** Every row of a table, for "changes nothing" checks. */
  rows(table: 'accounts' | 'sessions' | 'flows' | 'outbox' | 'rate_events' | 'login_throttles' | 'send_cooldowns' | 'verification_codes' | 'qr_login_requests' | 'backup_codes'): Promise<unknown[]>;
}

export function storeSuite(name: string, body: (suite: StoreSuite) => void) {
  for (const dialect of testDialects) {
    describe(`${name} (${dialect})`, { timeout: 60_000 }, () => {
      let database: TestDatabase | undefined;
      const clock = createManualClock();
      const suite: StoreSuite = {
        dialect,
        get db() {
          if (!database) throw new Error('the suite database is opened in before()');
          return database.db;
        },
        clock,
        secrets: createSecrets(STORE_TEST_SECRET),
        async account(fields = {}) {
          const id = randomUUID();
          const now = clock.now();
          await suite.db
            .insertInto('accounts')
            .values({
              id,
              email: fields.email ?? `shopper.${id}@example.com`,
              email_verified_at: now,
              login_name: fields.loginName ?? null,
              password_hash: null,
              locale: fields.locale ?? 'en',
              locked_at: null,
              created_at: now,
              updated_at: now,
              two_step_enabled_at: null,
            })
            .execute();
          return id;
        },
        rows: (table) => suite.db.selectFrom(table).selectAll().orderBy(table === 'login_throttles' || table === 'send_cooldowns' ? 'subject' : 'id').execute(),
      };
      before(async () => {
        database = await openTestDatabase(dialect);
      });
      after(() => database?.close());
      body(suite);
    });
  }
}
