import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';

const PASSWORD = 'correct horse battery staple';

for (const dialect of testDialects) {
  describe(`registration on ${dialect}`, () => {
    let app: TestGatehouse;
    before(async () => {
      app = await startTestGatehouse(dialect);
    });
    after(() => app.close());

    test('register, confirm the emailed code, and land signed in on My account', async () => {
      const browser = createClient(app.url);
      const started = new Date();
      const form = await browser.get('/register');
      assert.match(form.text, /<input type="checkbox" id="field-keep_signed_in" name="keep_signed_in" value="1" checked/, 'the form offers "Keep me signed in", ticked');
      const posted = await browser.post('/register', { email: 'Jane.Doe@Example.com', login_name: 'jane_doe', password: PASSWORD, password_confirmation: PASSWORD, keep_signed_in: '1' });
      assert.equal(posted.status, 303);
      assert.match(posted.location!, /^\/register\/code\?flow=/);
      const page = await browser.get(posted.location!);
      assert.match(page.text, /Jane\.Doe@Example\.com/);
      const code = await app.codeFor('jane.doe@example.com', started);
      const confirmed = await browser.post('/register/code', { flow: new URL(posted.location!, app.url).searchParams.get('flow')!, code });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, '/account?welcome=1');
      const whoami = await browser.get('/api/v1/whoami');
      assert.equal(whoami.status, 200);
      const body = JSON.parse(whoami.text);
      assert.equal(body.account.email, 'jane.doe@example.com');
      assert.equal(body.account.emailVerified, true);
      assert.equal(body.session.authenticatedVia, 'email_code');
      // The ticked box rode in the sign-up flow to the session the code made.
      assert.equal(body.session.keptSignedIn, true, 'the first session is kept, as ticked');
      assert.match(confirmed.headers.getSetCookie().find((line) => line.startsWith('__Host-gh_session='))!, /Max-Age=259(1999|2000);/, 'a 30-day cookie');
    });

    test('sign-up with "Keep me signed in" unticked gives a short first session with a browser-session cookie', async () => {
      const browser = createClient(app.url);
      await browser.get('/register');
      const started = new Date();
      const posted = await browser.post('/register', { email: 'short.signup@example.com', password: PASSWORD, password_confirmation: PASSWORD });
      assert.equal(posted.status, 303);
      const code = await app.codeFor('short.signup@example.com', started);
      const confirmed = await browser.post('/register/code', { flow: new URL(posted.location!, app.url).searchParams.get('flow')!, code });
      assert.equal(confirmed.status, 303);
      const cookie = confirmed.headers.getSetCookie().find((line) => line.startsWith('__Host-gh_session='))!;
      assert.doesNotMatch(cookie, /Max-Age|Expires/i);
      assert.equal(JSON.parse((await browser.get('/api/v1/whoami')).text).session.keptSignedIn, false);
    });
  });
}
