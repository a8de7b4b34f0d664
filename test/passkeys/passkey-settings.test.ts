// My account → Security → Passkeys through HTTP: add after "Confirm it's you", listed with name,
// dates and synced or device-bound; rename; remove; notices to the owner; the two-step rules; bad
// input refused with a 4xx that changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { passwordStep, REVERIFY_WINDOW_MS, reverify, signedInShopper, startClockedGatehouse, twoStepBadge } from '../factors/factors-kit.ts';
import { createClient } from '../harness/http-client.ts';
import { addPasskey, authenticatorFor, optionsIn, passkeyRows } from './passkey-page-kit.ts';

const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';

for (const dialect of testDialects) {
  describe(`Security → Passkeys (${dialect})`, { timeout: 90_000 }, () => {
    test('adding a passkey: listed with its name, when added, never used, synced; the owner is mailed', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'adds@example.com');
      assert.match((await shopper.browser.get('/account/security')).text, /No passkeys yet\./);
      const { response } = await addPasskey(app, shopper, authenticatorFor(app, ICLOUD));
      assert.equal(response.status, 303, response.text.slice(0, 300));
      assert.equal(response.location, '/account/security?saved=passkey_added');
      const page = await shopper.browser.get(response.location!);
      assert.match(page.text, /Your passkey is added\./);
      assert.match(page.text, /data-passkey-name="">iCloud Keychain /);
      assert.match(page.text, /Added \d/);
      assert.match(page.text, /not used yet/);
      await app.mail.waitFor((m) => m.to.includes('adds@example.com') && m.subject === 'A passkey was added to your account', 10_000);
    });

    test('a passkey not in the AAGUID table is named by the browser and system; device-bound shows "This device only"', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'names@example.com');
      await addPasskey(app, shopper);
      const page = await shopper.browser.get('/account/security');
      assert.match(page.text, /data-passkey-name="">Chrome on Linux /);
      assert.match(page.text, /This device only/);
    });

    test('adding, renaming and removing each ask "Confirm it’s you" when the last proof is older than 10 minutes', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'stale@example.com');
      await addPasskey(app, shopper);
      const [row] = await passkeyRows(app, shopper.id);
      clock.advance(REVERIFY_WINDOW_MS + 1000);
      for (const path of ['/account/security/passkeys/add', `/account/security/passkeys/rename?id=${row!.id}`, `/account/security/passkeys/remove?id=${row!.id}`]) {
        const page = await shopper.browser.get(path);
        assert.equal(page.status, 303, path);
        assert.equal(page.location, `/account/confirm?return_to=${encodeURIComponent(path)}`);
      }
      const removal = await shopper.browser.post('/account/security/passkeys/remove', { id: row!.id });
      assert.equal(removal.status, 303);
      assert.match(removal.location!, /^\/account\/confirm/);
      assert.equal((await passkeyRows(app, shopper.id)).length, 1);
      const confirmed = await reverify(shopper, shopper.password, '/account/security/passkeys/add');
      assert.equal(confirmed.location, '/account/security/passkeys/add');
      assert.equal((await addPasskey(app, shopper)).response.status, 303);
    });

    test('rename: a name of 1 to 64 characters is saved; an empty one is refused with words at the field', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'renames@example.com', 'ru');
      await addPasskey(app, shopper);
      const [row] = await passkeyRows(app, shopper.id);
      const form = await shopper.browser.get(`/account/security/passkeys/rename?id=${row!.id}`);
      assert.equal(form.status, 200);
      const empty = await shopper.browser.post('/account/security/passkeys/rename', { id: row!.id, name: '   ' });
      assert.equal(empty.status, 422);
      assert.match(empty.text, /Введите название длиной от 1 до 64 символов\./);
      const saved = await shopper.browser.post('/account/security/passkeys/rename', { id: row!.id, name: '  Рабочий   ноутбук ' });
      assert.equal(saved.location, '/account/security?saved=passkey_renamed');
      assert.equal((await passkeyRows(app, shopper.id))[0]!.name, 'Рабочий ноутбук');
      const other = await signedInShopper(app, 'other@example.com');
      const foreign = await other.browser.post('/account/security/passkeys/rename', { id: row!.id, name: 'Mine now' });
      assert.equal(foreign.status, 404);
      assert.equal((await passkeyRows(app, shopper.id))[0]!.name, 'Рабочий ноутбук');
    });

    test('remove: the passkey is gone and the owner is mailed; another account cannot remove it', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'removes@example.com');
      await addPasskey(app, shopper);
      const [row] = await passkeyRows(app, shopper.id);
      const other = await signedInShopper(app, 'thief@example.com');
      assert.equal((await other.browser.post('/account/security/passkeys/remove', { id: row!.id })).status, 404);
      assert.equal((await shopper.browser.get(`/account/security/passkeys/remove?id=${row!.id}`)).status, 200);
      const removed = await shopper.browser.post('/account/security/passkeys/remove', { id: row!.id });
      assert.equal(removed.location, '/account/security?saved=passkey_removed');
      assert.equal((await passkeyRows(app, shopper.id)).length, 0);
      await app.mail.waitFor((m) => m.to.includes('removes@example.com') && m.subject === 'A passkey was removed from your account', 10_000);
    });

    test('a passkey is a second factor: two-step can be turned on with only a passkey, and removing the last one turns it off', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'twostep@example.com');
      await addPasskey(app, shopper);
      const on = await shopper.browser.post('/account/security/two-step', { on: '1' });
      assert.equal(on.location, '/account/security?saved=on');
      assert.equal(await twoStepBadge(shopper), 'on');
      const [row] = await passkeyRows(app, shopper.id);
      const warning = await shopper.browser.get(`/account/security/passkeys/remove?id=${row!.id}`);
      assert.match(warning.text, /removing it turns two-step verification off/);
      await shopper.browser.post('/account/security/passkeys/remove', { id: row!.id });
      assert.equal(await twoStepBadge(shopper), 'off');
    });

    test('two-step that is on with only a passkey is never skipped at sign-in: the password step still asks for a second step', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'only.passkey@example.com');
      await addPasskey(app, shopper);
      assert.equal((await shopper.browser.post('/account/security/two-step', { on: '1' })).location, '/account/security?saved=on');
      const step = await passwordStep(app, createClient(app.url), shopper.email, shopper.password);
      assert.match(step.location, /^\/login\/verify\/passkey\?flow=/, 'the passkey is what is asked for (test/passkeys/passkey-two-step.test.ts)');
    });

    test('bad input — not JSON, wrong types, a huge attestation, bad base64url, a duplicate — gets a 4xx and changes nothing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'bad@example.com');
      const { answer } = await addPasskey(app, shopper);
      const before = JSON.stringify(await passkeyRows(app, shopper.id));
      const page = await shopper.browser.get('/account/security/passkeys/add');
      const good = authenticatorFor(app).register(optionsIn(page.text));
      const bodies = [
        '{not json',
        JSON.stringify({ ...good, id: 12 }),
        JSON.stringify({ ...good, response: { ...good.response, attestationObject: 'A'.repeat(20_000) } }),
        JSON.stringify({ ...good, response: { ...good.response, attestationObject: 'A'.repeat(40_000) } }),
        JSON.stringify({ ...good, response: { ...good.response, clientDataJSON: 'not base64url!' } }),
        JSON.stringify(answer),
      ];
      for (const body of bodies) {
        const refused = await shopper.browser.post('/account/security/passkeys/add', { response: body });
        assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status} for ${body.slice(0, 60)}`);
      }
      const wrongType = await shopper.browser.post('/account/security/passkeys/add', { response: ['a', 'b'] as unknown as string });
      assert.ok(wrongType.status >= 400 && wrongType.status < 500);
      assert.equal(JSON.stringify(await passkeyRows(app, shopper.id)), before);
    });

    test('with 10 passkeys the Security page says it is the most, and the add page refuses with words, not options', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'ten@example.com');
      const { passkeyStore, db } = app.gatehouse.services;
      for (let i = 0; i < 10; i++) {
        await passkeyStore.add(db, shopper.id, { credentialId: `ten-${i}`, publicKey: 'x', signCount: 0, transports: [], aaguid: '', name: `Key ${i}`, deviceType: 'singleDevice', backupEligible: false, backedUp: false });
      }
      const security = await shopper.browser.get('/account/security');
      assert.match(security.text, /You have 10 passkeys, the most an account can have\./);
      assert.doesNotMatch(security.text, /href="\/account\/security\/passkeys\/add"/);
      const add = await shopper.browser.get('/account/security/passkeys/add');
      assert.equal(add.status, 409);
      assert.match(add.text, /You already have 10 passkeys/);
      assert.match(add.text, /data-options=""/);
    });

    test('the add page loads @simplewebauthn/browser from our own static files, with no inline script, and says JavaScript is needed without it', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'static@example.com');
      const page = await shopper.browser.get('/account/security/passkeys/add');
      assert.match(page.text, /<script src="\/static\/simplewebauthn-browser\.js"/);
      assert.match(page.text, /<script src="\/static\/passkey-add\.js"/);
      assert.doesNotMatch(page.text, /<script(?![^>]*\ssrc=)[^>]*>/);
      assert.match(page.text, /<noscript>[\s\S]*Adding a passkey needs JavaScript/);
      const library = await shopper.browser.get('/static/simplewebauthn-browser.js');
      assert.equal(library.status, 200);
      assert.match(library.text, /SimpleWebAuthnBrowser/);
    });
  });
}
