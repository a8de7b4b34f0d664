// Issue 10, item 4: "Use a passkey" among the Other ways of recovery and Change password. In
// recovery it is asked for after the identifier like every other way: discoverable-credential
// options naming no account, the page and the work the same whether or not the account has a
// passkey; one without (or another account's passkey) fails like a wrong code and spends the same
// tries. A passkey is the factor an account with an authenticator or backup codes needs besides
// the email code (DESIGN.md §2), in either order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { signIn } from '../security/kit.ts';
import { HOUR, MINUTE, NEW_PASSWORD, passwordHashOf, startPasswordChange, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { makeBackupCodes, signedInShopper } from '../factors/factors-kit.ts';
import { passkeyOwner, postAnswer, usePasskey, wrongTriesOf } from './passkey-way-kit.ts';

const STEP = '/recovery/passkey';

for (const dialect of testDialects) {
  describe(`recovery and Change password with a passkey (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;
    const email = () => `recovery.passkey.${++n}@example.com`;
    const owner = async (options: Parameters<typeof passkeyOwner>[2] = {}) => {
      clock.advance(25 * HOUR);
      const made = await passkeyOwner(app, email(), options);
      clock.advance(HOUR + MINUTE);
      return { ...made, hashBefore: await passwordHashOf(app, made.id) };
    };
    const recover = async (who: { email: string }) => {
      const browser = createClient(app.url);
      const { flowId, code } = await startRecovery(app, browser, who.email, who.email);
      return { browser, flowId, emailCode: code };
    };
    async function setsNewPassword(browser: ReturnType<typeof createClient>, flowId: string, who: { id: string; email: string; hashBefore: string | null }) {
      assert.equal((await browser.get(`/recovery/password?flow=${flowId}`)).status, 200, 'the new-password form is shown');
      const done = await browser.post('/recovery/password', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
      assert.equal(done.status, 303, `the password is set (${done.status})`);
      assert.notEqual(await passwordHashOf(app, who.id), who.hashBefore);
      assert.equal((await signIn(createClient(app.url), who.email, NEW_PASSWORD)).status, 303, 'the new password signs in');
    }

    test('email code + passkey opens the new-password form for an account with an authenticator (the passkey stands for it)', async () => {
      const who = await owner({ totp: true, twoStep: true });
      const r = await recover(who);
      const afterEmail = await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      assert.equal(afterEmail.location, `/recovery/authenticator?flow=${r.flowId}&then=1`);
      const ways = await r.browser.get(`/recovery/other-ways?flow=${r.flowId}`);
      assert.match(ways.text, new RegExp(`data-way="passkey"[\\s\\S]*href="/recovery/passkey\\?flow=${r.flowId}"`), 'Other ways offers Use a passkey');
      const { page, response } = await usePasskey(r.browser, STEP, r.flowId, who.authenticator);
      assert.match(page.text, /a passkey will do instead of them/, 'the page says what the passkey stands for');
      assert.equal(response.status, 303, `the passkey is accepted (${response.status})`);
      assert.equal(response.location, `/recovery/password?flow=${r.flowId}`);
      await setsNewPassword(r.browser, r.flowId, who);
    });

    test('passkey + email code opens the new-password form too', async () => {
      const who = await owner({ backupCodes: true });
      const r = await recover(who);
      const { response } = await usePasskey(r.browser, STEP, r.flowId, who.authenticator);
      assert.equal(response.location, `/recovery/code?flow=${r.flowId}&then=1`, 'the passkey first: the email code is still asked for');
      assert.equal((await r.browser.get(`/recovery/password?flow=${r.flowId}`)).status, 303, 'no new password with the passkey alone');
      const ways = await r.browser.get(`/recovery/other-ways?flow=${r.flowId}`);
      assert.doesNotMatch(ways.text, /data-way="(passkey|totp|backup_code)"/, 'a factor is proved: only the email or a text is offered');
      const code = await r.browser.post('/recovery/code', { flow: r.flowId, code: r.emailCode });
      assert.equal(code.location, `/recovery/password?flow=${r.flowId}`);
      await setsNewPassword(r.browser, r.flowId, who);
    });

    test('the passkey page is the same whether or not the account has a passkey (or exists): options name no account', async () => {
      const withPasskey = await owner({ totp: true });
      clock.advance(25 * HOUR);
      const without = await signedInShopper(app, email());
      const pages: string[] = [];
      for (const identifier of [withPasskey.email, without.email, 'nobody.here@example.com']) {
        const browser = createClient(app.url);
        const { flowId } = await startRecovery(app, browser, identifier);
        const page = await browser.get(`${STEP}?flow=${flowId}`);
        assert.equal(page.status, 200);
        const options = /data-options="([^"]*)"/.exec(page.text)![1]!;
        assert.doesNotMatch(options, /allowCredentials&quot;:\[\{/, 'no allowCredentials listed');
        const ways = await browser.get(`/recovery/other-ways?flow=${flowId}`);
        assert.match(ways.text, /data-way="passkey"/, 'Other ways offers a passkey to every account');
        pages.push(page.text.replaceAll(flowId, 'FLOW').replace(/challenge&quot;:&quot;[A-Za-z0-9_-]+/, 'CHALLENGE').replace(/value="[A-Za-z0-9_-]{43}"/, 'CSRF').replace(/nonce="[^"]+"/g, 'NONCE'));
      }
      assert.equal(pages[1], pages[0], 'an account without passkeys gets the same page');
      assert.equal(pages[2], pages[0], 'an unknown identifier too');
    });

    test("an account without passkeys, or another account's passkey, fails exactly like a wrong code and spends the same tries", async () => {
      const holder = await owner();
      clock.advance(25 * HOUR);
      const without = await signedInShopper(app, email());
      await makeBackupCodes(without);
      const r = await recover(without);
      const triesBefore = await wrongTriesOf(app, without.id, 'wrong_code');
      const borrowed = await usePasskey(r.browser, STEP, r.flowId, holder.authenticator, { credentialId: holder.credentialId });
      const wrongBackup = await r.browser.post('/recovery/backup-code', { flow: r.flowId, code: 'aaaa-bbbb-cccc' });
      assert.equal(borrowed.response.status, wrongBackup.status, 'the status of a wrong code');
      assert.equal(borrowed.response.status, 422);
      assert.match(borrowed.response.text, /That passkey was not accepted/);
      assert.equal(await wrongTriesOf(app, without.id, 'wrong_code'), triesBefore + 2, "one try each from the account's 24 h budget");
      const unknown = createClient(app.url);
      const { flowId } = await startRecovery(app, unknown, 'nobody.else@example.com');
      const forNobody = await usePasskey(unknown, STEP, flowId, holder.authenticator);
      assert.equal(forNobody.response.status, 422, 'an unknown account: the same answer');
      assert.equal(await passwordHashOf(app, holder.id), holder.hashBefore, "the passkey's own account is untouched");
    });

    test('the try budget is shared: wrong passkeys and wrong codes spend one budget, five passkey tries use the way up', async () => {
      const who = await owner({ totp: true });
      const other = await owner();
      const r = await recover(who);
      const before = await wrongTriesOf(app, who.id, 'wrong_code');
      assert.equal((await r.browser.post('/recovery/code', { flow: r.flowId, code: wrongCode(r.emailCode) })).status, 422);
      for (let i = 0; i < 4; i++) assert.equal((await usePasskey(r.browser, STEP, r.flowId, other.authenticator)).response.status, 422);
      assert.equal(await wrongTriesOf(app, who.id, 'wrong_code'), before + 5, 'the email code and the passkey tries count in one budget');
      assert.equal((await usePasskey(r.browser, STEP, r.flowId, other.authenticator)).response.status, 410, 'the fifth passkey try uses the way up');
      const right = await usePasskey(r.browser, STEP, r.flowId, who.authenticator);
      assert.equal(right.response.status, 410, 'and then even the right passkey is refused');
      assert.match(right.response.text, /Too many tries with a passkey/);
    });

    test('bad input gets a 400 and changes nothing; a replayed answer is refused', async () => {
      const who = await owner({ totp: true });
      const r = await recover(who);
      await r.browser.get(`${STEP}?flow=${r.flowId}`);
      const before = await wrongTriesOf(app, who.id, 'wrong_code');
      for (const bad of ['', '{"id":1}', 'null', '<xml/>']) assert.equal((await postAnswer(r.browser, STEP, r.flowId, bad)).status, 400);
      assert.equal((await r.browser.post(STEP, { flow: r.flowId, response: 'x'.repeat(40_000) })).status, 400, 'a huge answer');
      assert.equal(await wrongTriesOf(app, who.id, 'wrong_code'), before, 'no try spent');
      const used = await usePasskey(r.browser, STEP, r.flowId, who.authenticator);
      assert.equal(used.response.status, 303);
      const again = { browser: createClient(app.url), flowId: '' };
      ({ flowId: again.flowId } = await startRecovery(app, again.browser, who.email));
      await again.browser.get(`${STEP}?flow=${again.flowId}`);
      const replayed = await postAnswer(again.browser, STEP, again.flowId, used.answer);
      assert.equal(replayed.status, 422, 'the answer to another flow’s challenge is refused like a wrong code');
      assert.equal(await passwordHashOf(app, who.id), who.hashBefore, 'nothing changed');
    });

    test('Change password: Other ways offers Use a passkey, and email code + passkey opens the new password', async () => {
      clock.advance(25 * HOUR);
      const who = await passkeyOwner(app, email(), { totp: true }); // signed in just now: no "Confirm it's you" yet
      const { flowId, code } = await startPasswordChange(app, who.browser, who.email);
      const ways = await who.browser.get(`/account/password/other-ways?flow=${flowId}`);
      assert.match(ways.text, /data-way="passkey"/);
      assert.match(ways.text, /Use a passkey/);
      assert.equal((await who.browser.post('/account/password/code', { flow: flowId, code })).location, `/account/password/authenticator?flow=${flowId}&then=1`);
      const { options, response } = await usePasskey(who.browser, '/account/password/passkey', flowId, who.authenticator);
      assert.deepEqual(options.allowCredentials?.map((c) => c.id), [who.credentialId], "the shopper's own account: its passkeys are named");
      assert.equal(response.location, `/account/password/new?flow=${flowId}`);
      const done = await who.browser.post('/account/password/new', { flow: flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
      assert.equal(done.status, 303, `the new password is set (${done.status})`);
    });
  });
}
