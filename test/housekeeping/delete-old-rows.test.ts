// Housekeeping (src/housekeeping/delete-old-rows.ts): each kind of row goes only once no rule can
// read it again, the 24 h limits still hold across a prune, and courier nodes prune by themselves.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, TEST_SECRET, type TestGatehouse } from '../harness/test-app.ts';
import { deleteOldRows, startHousekeeping } from '../../src/housekeeping/delete-old-rows.ts';
import type { CodeTarget } from '../../src/verification/code-service.ts';
import { testFlow } from '../harness/test-flow.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

for (const dialect of testDialects) {
  describe(`housekeeping on ${dialect}`, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    before(async () => {
      // No courier: it would claim (and park) the test's own outbox rows before the prune sees them.
      app = await startTestGatehouse(dialect, { clock, env: { RUN_DISPATCHER: 'false' } });
    });
    after(() => app.close());

    const services = () => app.gatehouse.services;
    const db = () => app.gatehouse.services.db;
    const idsIn = async (table: 'rate_events' | 'flows' | 'outbox' | 'sessions' | 'qr_login_requests' | 'verification_codes') =>
      new Set((await db().selectFrom(table).select('id').execute()).map((row) => row.id));

    async function accountId(): Promise<string> {
      const now = clock.now();
      const account = await services().accounts.insert(db(), { email: `tidy.${randomUUID()}@example.com`, loginName: null, passwordHash: null, locale: 'en', emailVerifiedAt: now, now });
      return account.id;
    }

    async function flowAt(expiresAt: number): Promise<string> {
      const flow = await services().flows.of(testFlow).create(db(), { state: 'code_sent', browserId: 'b', accountId: null, subject: `s:${randomUUID()}`, typedIdentifier: 'x', data: {}, lifetimeSeconds: 3600 });
      await db().updateTable('flows').set({ expires_at: expiresAt }).where('id', '=', flow.id).execute();
      return flow.id;
    }

    test('housekeeping deletes each kind of row only after no rule reads it any more, and keeps every unsent message', async () => {
      clock.advance(DAY);
      const now = clock.now();
      const owner = await accountId();
      const expect: Record<string, { kept: string[]; gone: string[] }> = {};
      const note = (table: string, id: string, kept: boolean) => {
        expect[table] ??= { kept: [], gone: [] };
        expect[table][kept ? 'kept' : 'gone'].push(id);
        return id;
      };

      // Rate events: every window is at most 24 h; they are kept two days.
      for (const [age, kept] of [[47 * HOUR, true], [49 * HOUR, false]] as const) {
        const id = note('rate_events', randomUUID(), kept);
        await db().insertInto('rate_events').values({ id, bucket: 'code_wrong_account', subject: 'a', at: now - age }).execute();
      }

      // Flows a day past their expiry go, with their codes; a flow that ended an hour ago stays.
      const recentFlow = note('flows', await flowAt(now - HOUR), true);
      const oldFlow = note('flows', await flowAt(now - DAY - MINUTE), false);
      const codeOf = async (flowId: string) => services().codes.issueCode(db(), { flowId, purpose: 'test', subject: 'a' } satisfies CodeTarget, 'email');
      await codeOf(recentFlow);
      await codeOf(oldFlow);
      const codeFlows = async () => new Set((await db().selectFrom('verification_codes').select('flow_id').execute()).map((r) => r.flow_id));
      assert.ok((await codeFlows()).has(oldFlow));

      // Outbox: sent and expired after a week, parked after 30 days, pending and sending never.
      const message = (status: 'pending' | 'sending' | 'sent' | 'parked' | 'expired', age: number) => ({
        id: randomUUID(), channel: 'email' as const, template: 'test', locale: 'en', recipient_sealed: '', payload_sealed: '', status,
        attempts: 0, next_attempt_at: now - age, lease_until: null, last_error: null, created_at: now - age, sent_at: status === 'sent' ? now - age : null,
      });
      for (const [status, age, kept] of [
        ['sent', 6 * DAY, true], ['sent', 8 * DAY, false], ['expired', 6 * DAY, true], ['expired', 8 * DAY, false], ['parked', 29 * DAY, true], ['parked', 31 * DAY, false], ['pending', 90 * DAY, true], ['sending', 90 * DAY, true],
      ] as const) {
        const row = message(status, age);
        note('outbox', row.id, kept);
        await db().insertInto('outbox').values(row).execute();
      }

      // Sessions: 30 days after they expired or were signed out; a live app session stays.
      const session = (expiresAt: number, revokedAt: number | null) => ({
        id: randomUUID(), token_hash: randomUUID(), account_id: owner, kind: 'browser' as const, authenticated_via: 'password', user_agent: 'ua', client_address: '127.0.0.1',
        created_at: expiresAt - HOUR, last_seen_at: expiresAt - HOUR, expires_at: expiresAt, revoked_at: revokedAt, reverified_at: null, kept_signed_in: 0,
      });
      for (const [row, kept] of [
        [session(now + 20 * DAY, null), true], [session(now - 29 * DAY, null), true], [session(now - 31 * DAY, null), false],
        [session(now + 20 * DAY, now - 31 * DAY), false], [session(now + 20 * DAY, now - 29 * DAY), true],
      ] as const) {
        note('sessions', row.id, kept);
        await db().insertInto('sessions').values(row).execute();
      }

      // QR requests: a day after they were shown.
      for (const [age, kept] of [[23 * HOUR, true], [25 * HOUR, false]] as const) {
        const id = note('qr_login_requests', randomUUID(), kept);
        await db().insertInto('qr_login_requests').values({
          id, token_hash: randomUUID(), secret_hash: randomUUID(), state: 'pending', browser_user_agent: 'ua', browser_address: '127.0.0.1', account_id: null,
          app_session_id: null, session_id: null, created_at: now - age, scan_by: now - age + MINUTE, decide_by: null, complete_by: null, updated_at: now - age,
        }).execute();
      }

      // Sign-in throttles: a day after the last failure and once the wait is over.
      for (const [subject, lastFailure, blockedUntil] of [['fresh', now - HOUR, 0], ['old', now - 25 * HOUR, 0], ['old-but-waiting', now - 25 * HOUR, now + MINUTE]] as const) {
        await db().insertInto('login_throttles').values({ subject, failures: 9, last_failure_at: lastFailure, blocked_until: blockedUntil }).execute();
      }

      // Passkey challenges: refused 5 minutes after issue; deleted an hour after that.
      for (const [pastExpiry, kept] of [[50 * MINUTE, true], [70 * MINUTE, false]] as const) {
        const id = note('passkey_challenges', randomUUID(), kept);
        await db().insertInto('passkey_challenges').values({
          id, challenge_hash: randomUUID(), purpose: 'authenticate', browser_hash: 'b', flow_id: null, account_id: null, created_at: now - pastExpiry - 5 * MINUTE, expires_at: now - pastExpiry, used_at: null,
        }).execute();
      }

      const pruned = await deleteOldRows(db(), now);

      for (const [table, { kept, gone }] of Object.entries(expect)) {
        const left = await idsIn(table as 'flows');
        for (const id of kept) assert.ok(left.has(id), `${table}: a row some rule still reads is kept`);
        for (const id of gone) assert.ok(!left.has(id), `${table}: a row past its time is deleted`);
        assert.equal(pruned[table], gone.length, `${table}: the count reported is the rows deleted`);
      }
      const codesLeft = await codeFlows();
      assert.ok(codesLeft.has(recentFlow) && !codesLeft.has(oldFlow), 'a deleted flow takes its codes along');
      const throttles = (await db().selectFrom('login_throttles').select('subject').execute()).map((r) => r.subject).sort();
      assert.deepEqual(throttles, ['fresh', 'old-but-waiting']);
      assert.equal(pruned.login_throttles, 1);
    });

    test('the 24 h wrong-code budget still holds across housekeeping: the oldest of 20 wrong codes, 23 h 50 min old, still counts', async () => {
      clock.advance(3 * DAY);
      const subject = `account:${randomUUID()}`;
      const target = async (): Promise<CodeTarget> => ({ flowId: await flowAt(clock.now() + HOUR), purpose: 'test', subject });
      const spendWrong = async (count: number) => {
        for (let i = 0; i < count; i++) {
          const flow = await target();
          const code = await services().codes.issueCode(db(), flow, 'email');
          const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
          const result = await services().codes.consumeCode(flow, wrong);
          assert.equal(!result.ok && result.code, 'code.invalid', `wrong code ${i + 1} is counted as wrong`);
        }
      };
      await spendWrong(19);
      clock.advance(23 * HOUR + 50 * MINUTE);
      await spendWrong(1);

      await deleteOldRows(db(), clock.now());

      const flow = await target();
      const refused = await services().codes.consumeCode(flow, await services().codes.issueCode(db(), flow, 'email'));
      assert.equal(!refused.ok && refused.code, 'code.resting', 'the right code is refused: all 20 wrong codes are still counted after the prune');
    });

    test('a courier node prunes by itself on its interval, and stops when told', async () => {
      clock.advance(DAY);
      const id = randomUUID();
      await db().insertInto('rate_events').values({ id, bucket: 'code_wrong_account', subject: 'b', at: clock.now() - 3 * DAY }).execute();
      const housekeeping = startHousekeeping({ db: db(), clock, rateEvents: services().rateEvents, logger: pino({ level: 'silent' }), intervalMs: 20 });
      try {
        for (let i = 0; i < 100 && (await idsIn('rate_events')).has(id); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(!(await idsIn('rate_events')).has(id), 'the old row went without anyone asking');
      } finally {
        await housekeeping.stop();
      }
      const later = randomUUID();
      await db().insertInto('rate_events').values({ id: later, bucket: 'code_wrong_account', subject: 'b', at: clock.now() - 3 * DAY }).execute();
      await new Promise((resolve) => setTimeout(resolve, 500)); // 25 intervals
      assert.ok((await idsIn('rate_events')).has(later), 'after stop() nothing more is deleted');
    });

    test('of two courier nodes on one database, one takes each interval’s turn to prune', async () => {
      clock.advance(DAY); // the clock stands still from here: every tick falls in the same interval
      const turns = async () => (await db().selectFrom('rate_events').select('id').where('bucket', '=', 'housekeeping_turn').where('at', '=', clock.now()).execute()).length;
      const nodes = [0, 1].map(() => startHousekeeping({ db: db(), clock, rateEvents: services().rateEvents, logger: pino({ level: 'silent' }), intervalMs: 20 }));
      try {
        for (let i = 0; i < 100 && (await turns()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, 300)); // 15 more ticks of each node
      } finally {
        await Promise.all(nodes.map((node) => node.stop()));
      }
      // Counted once both have stopped: a refused claim's row lives for a moment before it is taken back.
      assert.equal(await turns(), 1, 'one prune in this interval, not one per node per tick');
    });

    test('housekeeping deletes in batches of 5000 and, told to stop, ends after the batch it is on', async () => {
      clock.advance(DAY);
      const old = clock.now() - 3 * DAY;
      const rows = Array.from({ length: 12_000 }, () => ({ id: randomUUID(), bucket: 'code_wrong_account', subject: 'backlog', at: old }));
      for (let i = 0; i < rows.length; i += 500) await db().insertInto('rate_events').values(rows.slice(i, i + 500)).execute();
      const oldRows = async () => Number((await db().selectFrom('rate_events').select((eb) => eb.fn.countAll().as('n')).where('at', '<', clock.now() - 2 * DAY).executeTakeFirstOrThrow()).n);
      const before = await oldRows(); // the backlog, and what earlier tests left behind
      let asked = 0;
      const pruned = await deleteOldRows(db(), clock.now(), () => asked++ > 0);
      assert.equal(pruned.rate_events, 5000, 'one batch, then it stopped');
      assert.equal(Object.values(pruned).reduce((sum, n) => sum + n, 0), 5000, 'and touched no other table');
      assert.equal(await oldRows(), before - 5000);
      const rest = await deleteOldRows(db(), clock.now());
      assert.equal(rest.rate_events, before - 5000, 'the next run takes the rest, in more batches');
      assert.equal(await oldRows(), 0);
    });

    test('gatehouse prune deletes old rows and prints how many per table', async () => {
      clock.advance(DAY);
      const id = randomUUID();
      // The CLI uses the real clock: make the row old by that one.
      await db().insertInto('rate_events').values({ id, bucket: 'code_wrong_account', subject: 'c', at: Date.now() - 3 * DAY }).execute();
      const config = app.database.config;
      const url = config.kind === 'postgres' ? config.url : `sqlite:${config.file}`;
      const run = spawnSync(process.execPath, ['bin/gatehouse.js', 'prune'], { env: { ...process.env, DATABASE_URL: url, GATEHOUSE_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' }, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /rate_events: [1-9]\d*, flows: \d+, outbox: \d+, sessions: \d+, qr_login_requests: \d+, login_throttles: \d+/);
      assert.ok(!(await idsIn('rate_events')).has(id));
    });
  });
}
