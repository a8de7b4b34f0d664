// /api/v1/admin/outbox (issue 12 §6) and bad input on every admin route, on SQLite and
// PostgreSQL: the outbox as `gatehouse outbox` shows it, re-queueing a parked message, and input
// of any wrong shape refused with a clear 4xx JSON error that changes nothing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { makeAccount } from '../security/kit.ts';
import { adminToken, call, UNKNOWN_ID } from './admin-kit.ts';

const MINUTE = 60_000;

for (const dialect of testDialects) {
  describe(`admin outbox and bad input on ${dialect}`, () => {
    // No courier in this process: a re-queued message stays pending for the test to see.
    const app = gatehouseForSuite(dialect, { env: { RUN_DISPATCHER: 'false' } });

    const queue = async (to: string, row: Record<string, unknown>, code?: { code: string; expiresAt: number }) => {
      const { db, secrets, clock } = app.gatehouse.services;
      const message: Parameters<typeof enqueueEmail>[2] = code
        ? { template: 'recovery_code' as const, locale: 'en' as const, to, data: { code: code.code, storeName: 'Test Store', minutes: 10 }, expiresAt: code.expiresAt }
        : { template: 'password_changed' as const, locale: 'en' as const, to, data: { storeName: 'Test Store', time: 'now', secureUrl: 'https://store.test/r' } };
      await enqueueEmail(db, { secrets, clock }, message);
      const { id } = await db.selectFrom('outbox').select('id').where('template', '=', message.template).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
      await db.updateTable('outbox').set(row).where('id', '=', id).execute();
      return id;
    };
    const statusOf = async (id: string) => (await app.gatehouse.services.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    test('GET /outbox gives counts by state and the undelivered messages with masked recipients and no code; retry re-queues a parked notice and refuses an expired code mail (409) or an unknown id (404)', async () => {
      const token = await adminToken(app, 'outbox-desk');
      const now = app.gatehouse.services.clock.now();
      const parked = await queue('parked.notice@example.com', { status: 'parked', attempts: 1, last_error: 'SMTP EENVELOPE RCPT TO 550 5.1.1' });
      const deadCode = await queue('dead.code@example.com', { status: 'parked', attempts: 1 }, { code: '606162', expiresAt: now - MINUTE });

      const listed = await call(app, 'GET', '/api/v1/admin/outbox', { token });
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.json.counts.parked, 2);
      const entry = listed.json.messages.find((m: any) => m.id === parked);
      assert.deepEqual([entry.state, entry.kind, entry.channel, entry.template, entry.to, entry.attempts], ['parked', 'notice', 'email', 'password_changed', 'p***@e***.com', 1]);
      assert.match(entry.reason, /RCPT TO 550/);
      assert.match(entry.queuedAt, /^\d{4}-\d\d-\d\dT/);
      for (const secret of ['parked.notice', 'dead.code', '606162']) assert.equal(listed.text.includes(secret), false, `the listing shows ${secret}`);

      const retried = await call(app, 'POST', `/api/v1/admin/outbox/${parked}/retry`, { token });
      assert.equal(retried.status, 200, retried.text);
      assert.deepEqual(retried.json, { id: parked, state: 'pending' });
      assert.equal(await statusOf(parked), 'pending');

      const dead = await call(app, 'POST', `/api/v1/admin/outbox/${deadCode}/retry`, { token });
      assert.equal(dead.status, 409);
      assert.equal(dead.json.error.code, 'admin.outbox_code_expired');
      assert.equal(await statusOf(deadCode), 'parked');
      const unknown = await call(app, 'POST', `/api/v1/admin/outbox/${UNKNOWN_ID}/retry`, { token });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json.error.code, 'admin.outbox_not_found');
    });

    test('bad input of any shape gets a clear 4xx JSON error, never a 500, and changes nothing', async () => {
      const token = await adminToken(app, 'input-checker');
      const shopper = await makeAccount(app, { email: 'admin.input@example.com' });
      const accounts = `/api/v1/admin/accounts`;
      const cases: Array<[string, 'GET' | 'POST', string, number, string, string?]> = [
        ['no lookup key', 'GET', accounts, 400, 'admin.lookup_invalid'],
        ['two lookup keys', 'GET', `${accounts}?email=a%40example.com&id=${shopper.id}`, 400, 'admin.lookup_invalid'],
        ['an email that is not one', 'GET', `${accounts}?email=not-an-email`, 400, 'admin.lookup_invalid'],
        ['a login name that cannot be one', 'GET', `${accounts}?login_name=%21%21`, 400, 'admin.lookup_invalid'],
        ['an id that is not a UUID', 'GET', `${accounts}?id=1%20OR%201%3D1`, 400, 'admin.lookup_invalid'],
        ['an unknown query field', 'GET', `${accounts}?name=x`, 400, 'request.malformed'],
        ['a key sent twice', 'GET', `${accounts}?email=a%40example.com&email=b%40example.com`, 400, 'request.malformed'],
        ['an empty key', 'GET', `${accounts}?email=`, 400, 'request.malformed'],
        ['a huge email', 'GET', `${accounts}?email=${'a'.repeat(400)}%40example.com`, 400, 'request.malformed'],
        ['a control character', 'GET', `${accounts}?email=a%00%40example.com`, 400, 'request.control_character'],
        ['a malformed account id', 'GET', `${accounts}/not-a-uuid`, 400, 'request.malformed'],
        ['an unknown account id', 'GET', `${accounts}/${UNKNOWN_ID}`, 404, 'admin.account_not_found'],
        ['lock with a malformed id', 'POST', `${accounts}/12345/lock`, 400, 'request.malformed'],
        ['lock an unknown account', 'POST', `${accounts}/${UNKNOWN_ID}/lock`, 404, 'admin.account_not_found'],
        ['reset-factors of an unknown account', 'POST', `${accounts}/${UNKNOWN_ID}/reset-factors`, 404, 'admin.account_not_found'],
        ['an action that does not exist', 'POST', `${accounts}/${shopper.id}/delete`, 404, 'request.not_found'],
        ['lock with broken JSON', 'POST', `${accounts}/${shopper.id}/lock`, 400, 'request.malformed', '{"reason": '],
        ['lock with a huge body', 'POST', `${accounts}/${shopper.id}/lock`, 413, 'request.too_large', JSON.stringify({ reason: 'x'.repeat(100_000) })],
        ['retry a malformed outbox id', 'POST', '/api/v1/admin/outbox/..%2F..%2Fetc/retry', 400, 'request.malformed'],
        ['GET on an action', 'GET', `${accounts}/${shopper.id}/lock`, 404, 'request.not_found'],
      ];
      const db = app.gatehouse.services.db;
      const snapshot = async () => JSON.stringify([await db.selectFrom('accounts').selectAll().orderBy('id').execute(), await db.selectFrom('security_events').select('id').orderBy('id').execute(), await db.selectFrom('outbox').select(['id', 'status']).orderBy('id').execute()]);
      const before = await snapshot();
      for (const [name, method, url, status, code, body] of cases) {
        const answer = await call(app, method, url, { token, body });
        assert.equal(answer.status, status, `${name}: ${answer.text.slice(0, 300)}`);
        assert.equal(answer.json?.error?.code, code, name);
        assert.ok(answer.json.error.message.length > 10, `${name} says why`);
      }
      assert.equal(await snapshot(), before, 'nothing changed');
    });
  });
}
