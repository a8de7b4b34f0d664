// Security activity (issue 12 §4), on SQLite and PostgreSQL: what each flow records, in its own
// transaction, and what the shopper is shown under My account → Security → Recent security activity.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { GOOD_PASSWORD, makeAccount, signIn } from '../security/kit.ts';
import { addPhone, enrollAuthenticator, signedInShopper } from '../factors/factors-kit.ts';
import { finishRecovery, startRecovery } from '../recovery/recovery-kit.ts';
import { setUserLocked } from '../../src/cli/user-commands.ts';
import type { AdminServices } from '../../src/cli/admin-services.ts';

const DAY = 24 * 3600 * 1000;
const CRAFTED_UA = 'Mozilla/5.0 <b>Call +1-555-0100 to unlock your account</b> (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36';

const eventsOf = (app: TestGatehouse, accountId: string | null) =>
  app.gatehouse.services.db
    .selectFrom('security_events')
    .selectAll()
    .where('account_id', accountId === null ? 'is' : '=', accountId as any)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
const typesOf = async (app: TestGatehouse, accountId: string) => (await eventsOf(app, accountId)).map((e) => (e.way ? `${e.type}:${e.way}` : e.type));

for (const dialect of testDialects) {
  describe(`security activity on ${dialect}`, () => {
    test('sign-ins are recorded with their way, refusals with their reason — and a refusal for no account writes the same row, so the work does not tell', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const shopper = await makeAccount(app, { email: 'activity.signin@example.com' });
        const browser = createClient(app.url, { userAgent: CRAFTED_UA });
        assert.equal((await signIn(browser, shopper.email, 'not the right password')).status, 401);
        assert.equal((await signIn(browser, 'nobody.here@example.com', 'not the right password')).status, 401);
        assert.equal((await signIn(browser, shopper.email, GOOD_PASSWORD)).status, 303);
        const events = await eventsOf(app, shopper.id);
        assert.deepEqual(events.map((e) => [e.type, e.way, e.result]), [
          ['sign_in.failed', 'password', 'login.invalid_credentials'],
          ['sign_in.succeeded', 'password', null],
        ]);
        assert.equal(events[1]!.client_address, '127.0.0.1');
        const strangers = await eventsOf(app, null);
        assert.deepEqual(strangers.map((e) => [e.type, e.result]), [['sign_in.failed', 'login.invalid_credentials']]);
        assert.ok(!JSON.stringify(strangers).includes('nobody'), 'what the stranger typed is not kept');
      } finally {
        await app.close();
      }
    });

    test('recovery, the new password, factors, two-step, ending sessions and a lock are each recorded — in the same transaction as the change', async () => {
      const app = await startTestGatehouse(dialect);
      try {
        const shopper = await signedInShopper(app, 'activity.changes@example.com');
        // A second browser signs in; the first signs it out from Security.
        assert.equal((await signIn(createClient(app.url), shopper.email, shopper.password)).status, 303);
        assert.equal((await shopper.browser.post('/account/sessions/end-others', {})).status, 303);

        await addPhone(app, shopper);
        await enrollAuthenticator(app, shopper);
        const turnOn = await shopper.browser.post('/account/security/two-step', { on: '1' });
        assert.equal(turnOn.status, 303);
        // A second shopper forgets the password: recovery, then support locks the account.
        const forgetful = await makeAccount(app, { email: 'activity.recovery@example.com' });
        const stranger = createClient(app.url);
        const { flowId, code } = await startRecovery(app, stranger, forgetful.email, forgetful.email);
        await finishRecovery(stranger, flowId, code);
        await setUserLocked(app.gatehouse.services as unknown as AdminServices, forgetful.email, true);
        // Events of one moment have no order among them: compared as a set.
        assert.deepEqual((await typesOf(app, forgetful.id)).sort(), ['account.locked', 'password.changed:recovery', 'recovery.completed', 'recovery.started']);

        const types = await typesOf(app, shopper.id);
        for (const expected of [
          'sign_in.succeeded:password',
          'factor.added:phone',
          'factor.added:totp',
          'two_step.turned_on',
          'session.ended',
        ]) {
          assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
        }
        const locked = (await eventsOf(app, forgetful.id)).find((e) => e.type === 'account.locked')!;
        assert.equal(locked.actor, 'cli');

        // A change that rolls back leaves no record: the event is written through the change's own executor.
        const before = (await eventsOf(app, shopper.id)).length;
        await assert.rejects(
          app.gatehouse.services.db.transaction().execute(async (trx) => {
            await app.gatehouse.services.events.record(trx, { accountId: shopper.id, type: 'factor.removed', way: 'phone' });
            throw new Error('the change failed');
          }),
        );
        assert.equal((await eventsOf(app, shopper.id)).length, before);
      } finally {
        await app.close();
      }
    });

    test('My account → Security → Recent security activity lists the last 90 days in our words, en and ru: no raw User-Agent, only the network of an address', async () => {
      const clock = createManualClock(Date.now());
      const app = await startTestGatehouse(dialect, { clock });
      try {
        const shopper = await makeAccount(app, { email: 'activity.page@example.com' });
        const { events, db } = app.gatehouse.services;
        await events.record(db, { accountId: shopper.id, type: 'factor.added', way: 'totp', from: { clientAddress: '198.51.100.23', userAgent: CRAFTED_UA } });
        clock.advance(91 * DAY);
        await events.record(db, { accountId: shopper.id, type: 'sign_in.failed', way: 'password', result: 'login.invalid_credentials', from: { clientAddress: '203.0.113.57', userAgent: CRAFTED_UA } });
        clock.advance(1000);
        await events.record(db, { accountId: shopper.id, type: 'app.consent_given', detail: { app: 'seller', appName: 'Seller centre' } });
        clock.advance(1000);
        const browser = createClient(app.url, { userAgent: CRAFTED_UA });
        assert.equal((await signIn(browser, shopper.email, GOOD_PASSWORD)).status, 303);

        const page = await browser.get('/account/security/activity');
        assert.equal(page.status, 200);
        assert.match(page.text, /Recent security activity/);
        assert.match(page.text, /Signed in \(password\)/);
        assert.match(page.text, /Sign-in refused \(wrong password\)/);
        assert.match(page.text, /Seller centre was allowed access/);
        assert.match(page.text, /Chrome 126 on Windows 10/);
        assert.match(page.text, /network 203\.0\.113\.0\/24/);
        assert.doesNotMatch(page.text, /203\.0\.113\.57/, 'never the full address of whoever tried');
        assert.doesNotMatch(page.text, /555-0100|unlock your account/, 'never the text a client wrote');
        assert.doesNotMatch(page.text, /Authenticator app added/, 'older than 90 days');
        assert.match(page.text, /href="\/account\/settings">Change your password</);
        assert.ok(page.text.indexOf('Signed in (password)') < page.text.indexOf('Sign-in refused'), 'newest first');

        const security = await browser.get('/account/security');
        assert.match(security.text, /href="\/account\/security\/activity"/);

        await browser.get('/language?set=ru&return_to=%2Faccount%2Fsecurity');
        const ru = await browser.get('/account/security/activity');
        assert.match(ru.text, /Последние действия с аккаунтом/);
        assert.match(ru.text, /Вход отклонён \(неверный пароль\)/);

        assert.equal((await createClient(app.url).get('/account/security/activity')).status, 303, 'signed out: to sign in');
      } finally {
        await app.close();
      }
    });

    test('housekeeping keeps a whole address 30 days, then its /24 or /48 network, and the rows a year', async () => {
      const clock = createManualClock(Date.now());
      const app = await startTestGatehouse(dialect, { clock });
      try {
        const shopper = await makeAccount(app, { email: 'activity.tidy@example.com' });
        const { events, db } = app.gatehouse.services;
        await events.record(db, { accountId: shopper.id, type: 'password.changed', from: { clientAddress: '203.0.113.57' } });
        clock.advance(1);
        await events.record(db, { accountId: shopper.id, type: 'password.changed', from: { clientAddress: '2001:db8:85a3:8d3:1319:8a2e:370:7348' } });
        const { deleteOldRows } = await import('../../src/housekeeping/delete-old-rows.ts');
        const addresses = async () => (await eventsOf(app, shopper.id)).map((e) => e.client_address);
        clock.advance(30 * DAY - 1000);
        await deleteOldRows(db, clock.now());
        assert.deepEqual(await addresses(), ['203.0.113.57', '2001:db8:85a3:8d3:1319:8a2e:370:7348'], 'whole at 29 days 23:59:59');
        clock.advance(2000);
        await deleteOldRows(db, clock.now());
        assert.deepEqual(await addresses(), ['203.0.113.0/24', '2001:db8:85a3::/48'], 'the network only after 30 days');
        await events.record(db, { accountId: null, type: 'sign_in.failed', from: { clientAddress: '198.51.100.1' } });
        clock.advance(7 * DAY + 1000);
        await deleteOldRows(db, clock.now());
        assert.equal((await eventsOf(app, null)).length, 0, 'rows of no account go after a week');
        clock.advance(328 * DAY);
        await deleteOldRows(db, clock.now());
        assert.equal((await eventsOf(app, shopper.id)).length, 0, 'gone after a year');
      } finally {
        await app.close();
      }
    });
  });
}
