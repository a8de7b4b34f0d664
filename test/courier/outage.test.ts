// Issue 9 §5, the proof: an SMTP outage longer than the old retry schedule (8 tries, ~10.6 min)
// loses nothing silently. Code mails expire with their codes — a visible state, never sent late —
// and notices keep retrying, reach the shopper once the server is back, or, after 3 days, park
// where `gatehouse outbox` shows them and `gatehouse outbox retry --parked` re-queues them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listUndelivered, requeue, requeueParked } from '../../src/courier/outbox-admin.ts';
import { enqueueEmail, enqueueSms, type EmailMessage } from '../../src/courier/outbox.ts';
import { testDialects } from '../harness/databases.ts';
import { freePort } from '../harness/free-port.ts';
import { courierKit, senderFor, STORE, type Kit } from './courier-kit.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function mails(kit: Kit): EmailMessage[] {
  const expiresAt = kit.clock.now() + 10 * MINUTE;
  return [
    { template: 'registration_code', locale: 'en', to: 'new.shopper@example.com', data: { code: '314159', storeName: STORE, minutes: 10 }, expiresAt },
    { template: 'recovery_code', locale: 'ru', to: 'forgot.password@example.com', data: { code: '271828', storeName: STORE, minutes: 10 }, expiresAt },
    { template: 'password_changed', locale: 'en', to: 'changed.password@example.com', data: { storeName: STORE, time: 'now', secureUrl: 'https://store.test/recovery' } },
    { template: 'new_sign_in', locale: 'ru', to: 'signed.in@example.com', data: { storeName: STORE, device: 'Firefox, Linux', place: '192.0.2.7', time: 'now', secureUrl: 'https://store.test/account/security' } },
    { template: 'registration_attempt_existing', locale: 'en', to: 'already.here@example.com', data: { storeName: STORE, signInUrl: 'https://store.test/login', recoveryUrl: 'https://store.test/recovery' } },
  ];
}
const codeMails = ['new.shopper@example.com', 'forgot.password@example.com'];
const notices = ['changed.password@example.com', 'signed.in@example.com', 'already.here@example.com'];

/** Runs the dispatcher at every moment something is due, up to `end`, without sleeping. */
async function runUntil(kit: Kit, dispatcher: ReturnType<Kit['dispatcher']>, end: number): Promise<number> {
  let delivered = 0;
  for (;;) {
    delivered += await dispatcher.deliverDueMessages();
    const next = await kit.db.selectFrom('outbox').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
    const at = next?.at === null || next?.at === undefined ? Infinity : Number(next.at);
    if (at > end) break;
    kit.clock.set(Math.max(kit.clock.now(), at));
  }
  kit.clock.set(end);
  return delivered + (await dispatcher.deliverDueMessages());
}

const byTo = async (kit: Kit) => {
  const rows = await kit.rows();
  return new Map(rows.map((row) => [kit.secrets.unseal(String(row.recipient_sealed)), row]));
};

for (const kind of testDialects) {
  describe(`SMTP outage (${kind})`, () => {
    test('a code mail queued during an outage expires with its code — state expired, code wiped — instead of parking after 8 tries, and is never sent late', async (t) => {
      const kit = await courierKit(t, kind);
      const port = await freePort(); // refuses connections
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      await enqueueEmail(kit.db, kit.deps, mails(kit)[0]);
      await runUntil(kit, dispatcher, kit.clock.now() + 9 * MINUTE);
      let [row] = await kit.rows();
      assert.equal(row.status, 'pending', 'still retrying at 9 minutes, its code still alive');
      assert.ok(Number(row.attempts) > 8, `${row.attempts} tries so far`);

      await runUntil(kit, dispatcher, kit.clock.now() + 2 * MINUTE);
      [row] = await kit.rows();
      assert.equal(row.status, 'expired');
      assert.equal(row.payload_sealed, '', 'the dead code does not stay in the database');
      assert.match(String(row.last_error), /ECONNREFUSED|ECONNECTION|ESOCKET/);

      const catcher = await kit.catcher(port); // the server comes back
      kit.clock.advance(HOUR);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(catcher.messages().length, 0, 'an expired code is never mailed');
    });

    test('a code nobody could send (no node has an SMS sender) turns expired when the code dies, not pending forever', async (t) => {
      const kit = await courierKit(t, kind);
      const dispatcher = kit.dispatcher({ sender: senderFor(await freePort()) }); // email only
      await enqueueSms(kit.db, kit.deps, { template: 'verification_code', locale: 'en', to: '+447911123456', data: { code: '161803', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 10 * MINUTE });
      kit.clock.advance(10 * MINUTE - 1);
      await dispatcher.deliverDueMessages();
      assert.equal((await kit.rows())[0].status, 'pending');
      kit.clock.advance(1);
      await dispatcher.deliverDueMessages();
      const [row] = await kit.rows();
      assert.equal(row.status, 'expired');
      assert.equal(row.payload_sealed, '');
      const { entries } = await listUndelivered(kit.db, kit.secrets);
      assert.equal(entries[0].reason, 'the code expired before it could be sent');
    });

    test('SMTP refusing connections for 6 hours: every notice arrives once it is back, every code mail is listed as expired, nothing is lost', async (t) => {
      const kit = await courierKit(t, kind);
      const port = await freePort();
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      for (const mail of mails(kit)) await enqueueEmail(kit.db, kit.deps, mail);
      const start = kit.clock.now();

      assert.equal(await runUntil(kit, dispatcher, start + 6 * HOUR), 0);
      let rows = await byTo(kit);
      for (const to of codeMails) assert.equal(rows.get(to)!.status, 'expired', to);
      for (const to of notices) assert.equal(rows.get(to)!.status, 'pending', `${to} is still being retried`);

      const listed = await listUndelivered(kit.db, kit.secrets);
      assert.deepEqual(listed.counts, { pending: 0, retrying: 3, sending: 0, parked: 0, expired: 2 });
      assert.deepEqual(listed.entries.filter((e) => e.state === 'expired').map((e) => e.template).sort(), ['recovery_code', 'registration_code']);
      assert.ok(listed.entries.every((e) => e.reason && !/@example\.com|314159|271828/.test(JSON.stringify(e))), 'reasons, masked addresses, no codes');

      const catcher = await kit.catcher(port); // the server is back
      // Notices back off to at most 15 minutes: all arrive within that.
      assert.equal(await runUntil(kit, dispatcher, kit.clock.now() + 15 * MINUTE), 3);
      assert.deepEqual(catcher.messages().map((m) => m.to).sort(), [...notices].sort());
      rows = await byTo(kit);
      for (const to of notices) assert.equal(rows.get(to)!.status, 'sent', to);
      for (const to of codeMails) assert.equal(rows.get(to)!.status, 'expired', to);
    });

    test('SMTP down longer than the notices’ 3 days: they park where gatehouse outbox shows them, retry --parked delivers them, an expired code is refused', async (t) => {
      const kit = await courierKit(t, kind);
      const port = await freePort();
      const dispatcher = kit.dispatcher({ sender: senderFor(port) });
      for (const mail of mails(kit)) await enqueueEmail(kit.db, kit.deps, mail);
      const start = kit.clock.now();

      await runUntil(kit, dispatcher, start + 3 * DAY - HOUR);
      for (const to of notices) assert.equal((await byTo(kit)).get(to)!.status, 'pending', `${to}: still retried at 3 days minus an hour`);
      await runUntil(kit, dispatcher, start + 3 * DAY + HOUR);
      const listed = await listUndelivered(kit.db, kit.secrets);
      assert.deepEqual(listed.counts, { pending: 0, retrying: 0, sending: 0, parked: 3, expired: 2 });
      for (const entry of listed.entries.filter((e) => e.state === 'parked')) {
        assert.equal(entry.kind, 'notice');
        assert.match(entry.reason ?? '', /ECONNREFUSED|ECONNECTION|ESOCKET/);
      }

      const catcher = await kit.catcher(port);
      const expiredId = listed.entries.find((e) => e.state === 'expired')!.id;
      assert.deepEqual(await requeue(kit.db, kit.clock, expiredId), { ok: false, code: 'outbox.code_expired' });
      assert.deepEqual(await requeueParked(kit.db, kit.clock), { requeued: 3, deadCodes: 0 });
      assert.equal(await dispatcher.deliverDueMessages(), 3);
      assert.deepEqual(catcher.messages().map((m) => m.to).sort(), [...notices].sort());
      const after = await listUndelivered(kit.db, kit.secrets);
      assert.deepEqual(after.counts, { pending: 0, retrying: 0, sending: 0, parked: 0, expired: 2 });
    });
  });
}
