// Two sign-up confirmations for one address (or one login name) at the same moment: the unique
// indexes decide, the winner gets the account, every other gets a clear 409 page, and nothing is
// half-done — no second account, no account without the login name its owner chose, no session.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { alertText, flowIdFrom, registrationFields } from '../security/kit.ts';

const RACERS = 12;

interface Racer {
  browser: Client;
  flow: string;
  code: string;
}

/** One browser per racer, each with its own sign-up flow and its own emailed code. */
async function startRacers(app: TestGatehouse, signUps: { email: string; loginName?: string }[]): Promise<Racer[]> {
  const racers: Racer[] = [];
  for (const { email, loginName } of signUps) {
    const browser = createClient(app.url);
    await browser.get('/register');
    const since = new Date();
    const started = await browser.post('/register', registrationFields(email, undefined, loginName));
    assert.equal(started.status, 303, `sign-up for ${email} started`);
    racers.push({ browser, flow: flowIdFrom(started.location), code: await app.codeFor(email, since) });
  }
  return racers;
}

const confirmAll = (racers: Racer[]) => Promise.all(racers.map((r) => r.browser.post('/register/code', { flow: r.flow, code: r.code })));

for (const dialect of testDialects) {
  describe(`sign-up races on ${dialect}`, () => {
    // Room for a dozen sign-ups of one address from one client address within the hour.
    const app = gatehouseForSuite(dialect, { env: { CODE_SENDS_PER_HOUR: '100', CODE_SENDS_PER_DAY: '1000', CODE_SENDS_PER_CLIENT_PER_HOUR: '1000' } });
    const db = () => app.gatehouse.services.db;

    test('sign-up race: parallel confirmations for one address make one account; the others get the "already done" page (409), never a 500, and no session', async () => {
      const email = 'same.address@example.com';
      const racers = await startRacers(app, Array.from({ length: RACERS }, () => ({ email })));
      const sessionsBefore = (await db().selectFrom('sessions').select('id').execute()).length;
      const answers = await confirmAll(racers);
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [303, ...Array(RACERS - 1).fill(409)], `statuses ${statuses.join(', ')}`);
      for (const lost of answers.filter((a) => a.status === 409)) {
        assert.equal(alertText(lost.text), 'This step is already done.');
        assert.ok(!lost.headers.getSetCookie().some((line) => line.startsWith('__Host-gh_session=')), 'no session for a loser');
      }
      const accounts = await db().selectFrom('accounts').select('id').where('email', '=', email).execute();
      assert.equal(accounts.length, 1, 'one account for the address');
      const sessions = await db().selectFrom('sessions').select('account_id').execute();
      assert.equal(sessions.length, sessionsBefore + 1, 'only the winner was signed in');
    });

    test('sign-up race: parallel confirmations that chose one login name make one account with it; the others get a 409 saying so and no account, rather than an account silently without its login name', async () => {
      const racers = await startRacers(app, Array.from({ length: RACERS }, (_, i) => ({ email: `racer.${i}@example.com`, loginName: 'popular_name' })));
      const answers = await confirmAll(racers);
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [303, ...Array(RACERS - 1).fill(409)], `statuses ${statuses.join(', ')}`);
      for (const lost of answers.filter((a) => a.status === 409)) {
        assert.match(alertText(lost.text) ?? '', /someone else took the login name you chose\. No account was created/);
      }
      const accounts = await db().selectFrom('accounts').select(['email', 'login_name']).where('email', 'like', 'racer.%').execute();
      assert.equal(accounts.length, 1, `one account: ${JSON.stringify(accounts)}`);
      assert.equal(accounts[0]!.login_name, 'popular_name');
    });

    test('sign-up race: a login name taken after the sign-up started is refused at confirmation (409, in Russian too), not dropped', async () => {
      const [first, second] = await startRacers(app, [
        { email: 'early.bird@example.com', loginName: 'late_name' },
        { email: 'late.bird@example.com', loginName: 'late_name' },
      ]);
      assert.equal((await first!.browser.post('/register/code', { flow: first!.flow, code: first!.code })).status, 303);
      await second!.browser.get('/language?set=ru&return_to=/register');
      const refused = await second!.browser.post('/register/code', { flow: second!.flow, code: second!.code });
      assert.equal(refused.status, 409);
      assert.match(alertText(refused.text) ?? '', /выбранное имя для входа занял кто-то другой/);
      assert.equal(await db().selectFrom('accounts').select('id').where('email', '=', 'late.bird@example.com').executeTakeFirst(), undefined, 'no account without its login name');
    });
  });
}
