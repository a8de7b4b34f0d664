// "Confirm it's you" with a passkey (issue 10): the account's own passkeys are offered beside the
// password, user verification required; success re-verifies the session with a new token exactly
// as the password does; another account's passkey, a replay or no user verification are refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { REVERIFY_WINDOW_MS, signedInShopper, startClockedGatehouse } from '../factors/factors-kit.ts';
import { addPasskey } from './passkey-page-kit.ts';
import { sessionSetCookie, sessionTokenFrom, whoamiWith } from '../security/kit.ts';
import { alertIn, requestOptionsIn, sessionRows } from '../login/passkey-sign-in-kit.ts';

const CONFIRM = `/account/confirm?return_to=${encodeURIComponent('/account/security/passkeys/add')}`;

for (const dialect of testDialects) {
  describe(`Confirm it’s you with a passkey (${dialect})`, { timeout: 120_000 }, () => {
    test('Confirm it’s you offers the account’s own passkeys (user verification required) beside the password; an account without passkeys sees only the password', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const without = await signedInShopper(app, 'no.passkey@example.com');
      const plain = await without.browser.get(CONFIRM);
      assert.equal(plain.status, 200);
      assert.doesNotMatch(plain.text, /data-passkey-assertion/);
      assert.match(plain.text, /enter your password again\./);
      const shopper = await signedInShopper(app, 'has.passkey@example.com');
      const { answer } = await addPasskey(app, shopper);
      const page = await shopper.browser.get(CONFIRM);
      assert.match(page.text, /<form method="post" action="\/account\/confirm\/passkey"/);
      assert.match(page.text, /data-passkey-start="" data-way="passkey" hidden>Use a passkey</);
      assert.match(page.text, /name="password"/, 'the password stays offered');
      const options = requestOptionsIn(page.text);
      assert.equal(options.userVerification, 'required');
      assert.deepEqual(options.allowCredentials?.map((c) => c.id), [answer.id]);
    });

    test('a passkey confirms it’s you: the session is re-verified with a new token, the old cookie stops working, the change goes through', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'confirms@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const oldToken = shopper.browser.jar.get('__Host-gh_session')!;
      assert.equal((await shopper.browser.get('/account/security/passkeys/add')).status, 303, 'stale: Confirm it’s you first');
      const page = await shopper.browser.get(CONFIRM);
      const answer = authenticator.authenticate(requestOptionsIn(page.text));
      const confirmed = await shopper.browser.post('/account/confirm/passkey', { response: JSON.stringify(answer), return_to: '/account/security/passkeys/add' });
      assert.equal(confirmed.status, 303, confirmed.text.slice(0, 300));
      assert.equal(confirmed.location, '/account/security/passkeys/add');
      const newToken = sessionTokenFrom(confirmed);
      assert.notEqual(newToken, oldToken);
      assert.equal((await whoamiWith(app, oldToken)).status, 401, 'a copy of the old cookie is worthless');
      assert.equal((await whoamiWith(app, newToken)).status, 200);
      const [row] = await sessionRows(app, shopper.id);
      assert.equal(row!.reverified_at, clock.now(), 'marked re-verified just as the password does');
      assert.equal((await shopper.browser.get('/account/security/passkeys/add')).status, 200);
    });

    test('another account’s passkey is refused at Confirm it’s you, and the session stays unverified', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'mine@example.com');
      await addPasskey(app, shopper);
      const other = await signedInShopper(app, 'theirs@example.com');
      const theirs = await addPasskey(app, other);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const page = await shopper.browser.get(CONFIRM);
      const answer = theirs.authenticator.authenticate(requestOptionsIn(page.text), { credentialId: theirs.answer.id });
      const refused = await shopper.browser.post('/account/confirm/passkey', { response: JSON.stringify(answer) });
      assert.equal(refused.status, 401);
      assert.equal(alertIn(refused.text), 'That passkey was not accepted.');
      assert.equal(sessionSetCookie(refused), undefined);
      assert.equal((await sessionRows(app, shopper.id))[0]!.reverified_at, null);
    });

    test('at Confirm it’s you a replayed passkey answer and one without user verification are refused', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'replays.confirm@example.com');
      const { authenticator } = await addPasskey(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const unverified = authenticator.authenticate(requestOptionsIn((await shopper.browser.get(CONFIRM)).text), { userVerified: false });
      assert.equal((await shopper.browser.post('/account/confirm/passkey', { response: JSON.stringify(unverified) })).status, 401);
      const answer = authenticator.authenticate(requestOptionsIn((await shopper.browser.get(CONFIRM)).text));
      assert.equal((await shopper.browser.post('/account/confirm/passkey', { response: JSON.stringify(answer) })).status, 303);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      const replay = await shopper.browser.post('/account/confirm/passkey', { response: JSON.stringify(answer) });
      assert.equal(replay.status, 410);
      assert.equal((await shopper.browser.get('/account/security/passkeys/add')).status, 303, 'still stale');
    });

    test('bad input at Confirm it’s you by passkey gets a 4xx with words and changes nothing', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'bad.confirm@example.com');
      await addPasskey(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      await shopper.browser.get(CONFIRM);
      const before = JSON.stringify(await sessionRows(app));
      for (const body of ['not json', '{"id":1}', JSON.stringify({ type: 'public-key', id: '!!', rawId: '!!', response: {} })]) {
        const response = await shopper.browser.post('/account/confirm/passkey', { response: body });
        assert.equal(response.status, 400, body);
        assert.equal(alertIn(response.text), 'Your browser’s answer could not be read. Try again.');
      }
      assert.ok((await shopper.browser.post('/account/confirm/passkey', { response: 'x'.repeat(40_000) })).status < 500);
      assert.equal(JSON.stringify(await sessionRows(app)), before);
    });
  });
}
