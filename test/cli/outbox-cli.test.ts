// `gatehouse outbox` and `gatehouse outbox retry` (issue 9 §5), run as an operator would: the real
// command against a real database holding undelivered mail in every state.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { openTestDatabase, testDialects, type TestDatabase } from '../harness/databases.ts';
import { TEST_SECRET } from '../harness/test-app.ts';

function gatehouse(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['bin/gatehouse.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const MINUTE = 60_000;
const STORE = 'Test Store';

test('gatehouse --help lists outbox and outbox retry', () => {
  const help = gatehouse(['--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /outbox  /);
  assert.match(help.stdout, /outbox retry ID\|--parked/);
});

for (const dialect of testDialects) {
  describe(`gatehouse outbox on ${dialect}`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let dataDir: string;
    const ids: Record<string, string> = {};
    before(async () => {
      database = await openTestDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), 'gh-outbox-cli-'));
      const url = database.config.kind === 'postgres' ? database.config.url : `sqlite:${database.config.file}`;
      env = { DATABASE_URL: url, GATEHOUSE_SECRET: TEST_SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
      // The command reads the system clock: these rows are queued "now", as the app would.
      const clock = createManualClock(Date.now());
      const deps = { secrets: createSecrets(TEST_SECRET), clock };
      const queue = async (name: string, message: Parameters<typeof enqueueEmail>[2], row: Record<string, unknown>) => {
        await enqueueEmail(database.db, deps, message);
        const { id } = await database.db.selectFrom('outbox').select('id').orderBy('created_at', 'desc').orderBy('id').where('id', 'not in', ['', ...Object.values(ids)]).executeTakeFirstOrThrow();
        ids[name] = id;
        if (Object.keys(row).length) await database.db.updateTable('outbox').set(row).where('id', '=', id).execute();
        clock.advance(1);
      };
      const notice = (to: string) => ({ template: 'password_changed' as const, locale: 'en' as const, to, data: { storeName: STORE, time: 'now', secureUrl: 'https://store.test/r' } });
      const code = (to: string, code: string, expiresAt: number) => ({ template: 'recovery_code' as const, locale: 'en' as const, to, data: { code, storeName: STORE, minutes: 10 }, expiresAt });
      const now = clock.now();
      await queue('pending', notice('fresh.notice@example.com'), {});
      await queue('retrying', code('retried.code@example.com', '404142', now + 5 * MINUTE), { attempts: 2, last_error: 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:2525', next_attempt_at: now + 30_000 });
      await queue('parked', notice('refused.notice@example.com'), { status: 'parked', attempts: 1, last_error: 'SMTP EENVELOPE RCPT TO 550 5.1.1' });
      await queue('expired', code('dead.code@example.com', '505152', now - MINUTE), { status: 'expired', payload_sealed: '', attempts: 22, last_error: 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:2525' });
      await queue('parkedDeadCode', code('refused.code@example.com', '606162', now - MINUTE), { status: 'parked', attempts: 1, last_error: 'SMTP EENVELOPE DATA 554' });
      await queue('sent', notice('delivered@example.com'), { status: 'sent', sent_at: now, payload_sealed: '' });
    });
    after(async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('gatehouse outbox lists pending, retrying, parked and expired mail with tries, next try and reason — addresses masked, no code', () => {
      const run = gatehouse(['outbox'], env);
      assert.equal(run.code, 0, run.stderr);
      const out = run.stdout;
      assert.match(out, /1 pending, 1 retrying, 0 sending, 2 parked, 1 expired/);
      const line = (name: string) => out.split('\n').find((l) => l.startsWith(ids[name]!)) ?? '';
      assert.match(line('pending'), /\bpending\b.*notice email.*password_changed.*f\*\*\*@e\*\*\*\.com\s+0\s/);
      assert.match(line('retrying'), /\bretrying\b.*code email.*recovery_code.*r\*\*\*@e\*\*\*\.com\s+2\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ.*ECONNREFUSED/);
      assert.match(line('parked'), /\bparked\b.*RCPT TO 550 5\.1\.1/);
      assert.match(line('expired'), /\bexpired\b.*22.*the code expired; last error: ECONNECTION/);
      assert.equal(line('sent'), '', 'delivered mail is not listed');
      for (const secret of ['fresh.notice', 'retried.code', 'refused.notice', 'dead.code', 'refused.code', '404142', '505152', '606162']) {
        assert.equal(out.includes(secret), false, `the listing shows ${secret}`);
      }
    });

    test('gatehouse outbox retry ID re-queues a parked notice; an expired code mail is refused and the output says why', async () => {
      const retried = gatehouse(['outbox', 'retry', ids.parked!], env);
      assert.equal(retried.code, 0, retried.stderr);
      assert.match(retried.stdout, /re-queued/);
      const row = await database.db.selectFrom('outbox').selectAll().where('id', '=', ids.parked!).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.ok(Number(row.retry_until) > Date.now() + 2 * 24 * 3_600_000, 'a fresh 3 days of retries');

      for (const name of ['expired', 'parkedDeadCode']) {
        const refused = gatehouse(['outbox', 'retry', ids[name]!], env);
        assert.equal(refused.code, 2, name);
        assert.match(refused.stderr, /not re-queued: this mail carries a verification code that has expired/);
      }
      assert.equal((await database.db.selectFrom('outbox').select('status').where('id', '=', ids.expired!).executeTakeFirstOrThrow()).status, 'expired');

      assert.match(gatehouse(['outbox', 'retry', 'no-such-id'], env).stderr, /no outbox message has this id/);
      assert.equal(gatehouse(['outbox', 'retry'], env).code, 2);
    });

    test('gatehouse outbox retry --parked re-queues every parked message but no code mail whose code is dead', async () => {
      await database.db.updateTable('outbox').set({ status: 'parked' }).where('id', '=', ids.parked!).execute();
      const run = gatehouse(['outbox', 'retry', '--parked'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /re-queued 1 parked message\(s\); 1 parked code mail\(s\) not re-queued: their codes have expired/);
      const status = async (name: string) => (await database.db.selectFrom('outbox').select('status').where('id', '=', ids[name]!).executeTakeFirstOrThrow()).status;
      assert.equal(await status('parked'), 'pending');
      assert.equal(await status('parkedDeadCode'), 'parked');
    });
  });
}
