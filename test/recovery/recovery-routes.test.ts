import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient, type Client } from '../harness/http-client.ts';

const OLD = 'amber kettle drizzle 1984';
const NEW = 'violet harbor compass 2026';

async function createAccount(app: TestGatehouse, email: string, loginName: string | null) {
  const { services } = app.gatehouse;
  const now = services.clock.now();
  return services.accounts.insert(services.db, { email, loginName, passwordHash: await services.hasher.hash(OLD), locale: 'en', emailVerifiedAt: now, now });
}

async function signIn(app: TestGatehouse, identifier: string, password: string): Promise<{ client: Client; status: number }> {
  const client = createClient(app.url);
  await client.get('/login');
  const response = await client.post('/login', { identifier, password });
  return { client, status: response.status };
}

const flowOf = (location: string | null) => new URL(location!, 'http://x').searchParams.get('flow')!;

for (const dialect of testDialects) {
  describe(`password recovery and change on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startTestGatehouse(dialect);
    });
    after(() => app.close());

    test('recovery: email code → wrong code → right code → mismatch kept inline → new password; other sessions end; old password fails', async () => {
      await createAccount(app, 'rita@example.com', 'rita');
      const other = await signIn(app, 'rita@example.com', OLD);
      assert.equal(other.status, 303);

      const browser = createClient(app.url);
      await browser.get('/recovery');
      const since = new Date();
      const started = await browser.post('/recovery', { identifier: 'rita' });
      assert.equal(started.status, 303);
      const flow = flowOf(started.location);
      const codePage = await browser.get(started.location!);
      assert.match(codePage.text, /If rita belongs to an account/);
      assert.match(codePage.text, /Other ways to verify/);
      const code = await app.codeFor('rita@example.com', since);

      const wrong = await browser.post('/recovery/code', { flow, code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 422);
      const right = await browser.post('/recovery/code', { flow, code });
      assert.equal(right.status, 303);
      assert.equal(right.location, `/recovery/password?flow=${flow}`);

      const form = await browser.get(right.location!);
      assert.match(form.text, /name="sign_out_others" value="1" checked/);
      const mismatch = await browser.post('/recovery/password', { flow, password: NEW, password_confirmation: NEW + 'x', sign_out_others: '1' });
      assert.equal(mismatch.status, 422);
      assert.match(mismatch.text, /do not match/);
      assert.ok(mismatch.text.includes(`value="${NEW}x"`), 'typed values are kept');

      const changedAt = new Date();
      const done = await browser.post('/recovery/password', { flow, password: NEW, password_confirmation: NEW, sign_out_others: '1' });
      assert.equal(done.status, 303);
      assert.equal(done.location, `/recovery/done?flow=${flow}`);
      assert.match((await browser.get(done.location!)).text, /Your password has been changed/);
      assert.equal((await createClient(app.url).get(done.location!)).status, 404, 'only this browser sees its success page');
      assert.equal((await browser.get('/api/v1/whoami')).status, 401, 'no automatic sign-in after recovery');

      assert.equal((await other.client.get('/api/v1/whoami')).status, 401, 'the other session was ended');
      assert.equal((await signIn(app, 'rita', OLD)).status, 401);
      assert.equal((await signIn(app, 'rita', NEW)).status, 303);
      await app.mail.waitFor((m) => m.to.includes('rita@example.com') && m.receivedAt >= changedAt && /password was changed/i.test(m.subject), 10_000);

      const replay = await browser.post('/recovery/password', { flow, password: NEW, password_confirmation: NEW, sign_out_others: '1' });
      assert.equal(replay.status, 409, 'a finished flow cannot set the password again');
    });

    test('change password: code to the email on file, this session survives, others end unless unticked', async () => {
      await createAccount(app, 'carl@example.com', null);
      const phone = await signIn(app, 'carl@example.com', OLD);
      const laptop = await signIn(app, 'carl@example.com', OLD);
      const settings = await laptop.client.get('/account/settings');
      assert.match(settings.text, /action="\/account\/password"/);
      const since = new Date();
      const started = await laptop.client.post('/account/password', {});
      assert.equal(started.status, 303);
      const flow = flowOf(started.location);
      const page = await laptop.client.get(started.location!);
      assert.match(page.text, /We have sent a 6-digit code to carl@example\.com/);
      assert.equal((await phone.client.get(started.location!)).status, 404, 'another session cannot use this flow');
      const code = await app.codeFor('carl@example.com', since);
      assert.equal((await laptop.client.post('/account/password/code', { flow, code })).status, 303);
      const done = await laptop.client.post('/account/password/new', { flow, password: NEW, password_confirmation: NEW });
      assert.equal(done.status, 303, 'sign_out_others unticked (absent)');
      assert.equal((await laptop.client.get('/api/v1/whoami')).status, 200, 'this session survives');
      assert.equal((await phone.client.get('/api/v1/whoami')).status, 200, 'unticked: the phone stays signed in');
      assert.equal((await signIn(app, 'carl@example.com', NEW)).status, 303);
    });

    test('recovery: an unknown identifier answers exactly like a known one and sends no mail', async () => {
      await createAccount(app, 'known@example.com', null);
      const pages: string[] = [];
      for (const identifier of ['known@example.com', 'unknown@example.com']) {
        const browser = createClient(app.url);
        await browser.get('/recovery');
        const started = await browser.post('/recovery', { identifier });
        assert.equal(started.status, 303);
        assert.match(started.location!, /^\/recovery\/code\?flow=[0-9a-f-]{36}$/);
        const page = await browser.get(started.location!);
        pages.push(page.text.replace(/flow(=|%3D)[0-9a-f-]{36}|value="[0-9a-f-]{36}"|nonce="[^"]+"|name="_csrf" value="[^"]+"/g, '').replaceAll(identifier, 'X'));
      }
      assert.equal(pages[0], pages[1]);
      // One dispatcher pass delivers everything queued so far: a mail for the unknown address would be caught by now.
      await app.deliverMail();
      assert.ok(!app.mail.messages().some((m) => m.to.includes('unknown@example.com')));
    });
  });
}
