// My account → Security: the authenticator app (enrolment, activation, the secret sealed at rest),
// backup codes (shown once, downloadable, hashes only, count, single use, regenerating) and the
// two-step switch. Phone: security-settings-phone.test.ts; fresh verification:
// security-settings-reverify.test.ts; malformed requests: security-settings-input.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import QRCode from 'qrcode';
import { Secret } from 'otpauth';
import { otpauthUri } from '../../src/factors/totp.ts';
import { testDialects } from '../harness/databases.ts';
import { sessionSetCookie } from '../security/kit.ts';
import {
  addPhone,
  appNow,
  backupCodesIn,
  dumpAllTables,
  enrollAuthenticator,
  factorState,
  oathtool,
  otherCode,
  REVERIFY_WINDOW_MS,
  reverify,
  sessionCount,
  signedInShopper,
  signInWithSecondStep,
  startClockedGatehouse,
  STEP_MS,
  turnOnTwoStep,
  twoStepBadge,
  twoStepShopper,
} from './factors-kit.ts';

const backupLeft = async (browser: { get(path: string): Promise<{ text: string }> }) =>
  /data-backup-left="(\d+)"/.exec((await browser.get('/account/security')).text)?.[1];

for (const dialect of testDialects) {
  describe(`Security settings: authenticator app (${dialect})`, { timeout: 60_000 }, () => {
    test('authenticator: enrolment shows an otpauth:// QR code and the 32-character base32 secret for typing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'enrol@example.com');
      await shopper.browser.get('/account/security');
      const started = await shopper.browser.post('/account/security/authenticator/start', {});
      assert.equal(started.status, 303);
      const page = await shopper.browser.get(started.location!);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store', 'a page with the secret is never cached');
      const secret = /data-totp-secret="([^"]*)"/.exec(page.text)?.[1] ?? '';
      assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits as 32 base32 characters');
      assert.equal(Secret.fromBase32(secret).bytes.length, 20);
      const grouped = secret.match(/.{4}/g)!.join(' ');
      assert.ok(page.text.includes(`<code>${grouped}</code>`), 'the secret is shown in groups of 4 for typing');
      assert.match(page.text, /<div class="qr-code totp-qr"[^>]*><svg[^>]*>[\s\S]*<\/svg>/, 'an SVG QR code');
      const uri = otpauthUri({ secret, issuer: 'Gatehouse Store', accountName: shopper.email });
      assert.match(uri, /^otpauth:\/\/totp\/Gatehouse%20Store:enrol%40example\.com\?/);
      const expected = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      assert.ok(page.text.includes(expected), 'the QR code carries the otpauth:// URI of this secret');
      const other = await shopper.browser.post('/account/security/authenticator/start', {});
      const otherSecret = /data-totp-secret="([^"]*)"/.exec((await shopper.browser.get(other.location!)).text)?.[1];
      assert.notEqual(otherSecret, secret, 'every enrolment gets a new secret');
    });

    test('authenticator: a wrong code is refused with 422 and the account stays without an authenticator', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'enrol-wrong@example.com');
      const before = await factorState(app, shopper.id);
      const started = await shopper.browser.post('/account/security/authenticator/start', {});
      const flow = new URL(started.location!, 'http://x').searchParams.get('flow')!;
      const secret = /data-totp-secret="([^"]*)"/.exec((await shopper.browser.get(started.location!)).text)![1]!;
      for (const code of [otherCode(oathtool(secret, appNow(app))), oathtool(secret, appNow(app) - 2 * STEP_MS), oathtool(secret, appNow(app) + STEP_MS), 'abcdef', '']) {
        const wrong = await shopper.browser.post('/account/security/authenticator', { flow, code });
        assert.equal(wrong.status, 422, `"${code}" is refused`);
        assert.ok(wrong.text.includes(`data-totp-secret="${secret}"`), 'the same secret is shown again');
        assert.ok(!wrong.text.includes('data-backup-code'), 'no backup codes');
      }
      assert.equal(await factorState(app, shopper.id), before, 'no authenticator, no backup codes');
      assert.match((await shopper.browser.get('/account/security')).text, /data-factor="totp">[\s\S]*?Not set up/);
      clock.advance(STEP_MS);
      const right = await shopper.browser.post('/account/security/authenticator', { flow, code: oathtool(secret, appNow(app)) });
      assert.equal(right.status, 200, 'the right code still turns it on');
    });

    test('authenticator: oathtool’s code turns it on, and the Security page says so', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'enrol-right@example.com');
      const { secret } = await enrollAuthenticator(app, shopper);
      assert.equal(await app.gatehouse.services.factors.findTotpSecret(shopper.id), secret);
      const security = await shopper.browser.get('/account/security');
      assert.match(security.text, /data-factor="totp">[\s\S]*?<p class="factor-state">Set up<\/p>/);
      assert.match(security.text, /action="\/account\/security\/authenticator\/remove"/);
    });

    test('authenticator: the secret is encrypted at rest, and a sealed secret copied to another account does not work', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const alice = await twoStepShopper(app, clock, 'alice-sealed@example.com');
      const bob = await twoStepShopper(app, clock, 'bob-sealed@example.com');
      const dump = await dumpAllTables(app);
      for (const secret of [alice.secret, bob.secret]) {
        assert.ok(!dump.includes(secret) && !dump.includes(secret.toLowerCase()), 'no base32 secret in the database');
        assert.ok(!dump.includes(Buffer.from(Secret.fromBase32(secret).bytes).toString('hex')), 'nor its bytes in hex');
        assert.ok(!dump.includes(Buffer.from(Secret.fromBase32(secret).bytes).toString('base64')), 'nor in base64');
      }
      // Someone who can write the database copies Alice's sealed secret into Bob's row.
      const db = app.gatehouse.services.db;
      const sealed = await db.selectFrom('totp_credentials').select('secret_sealed').where('account_id', '=', alice.id).executeTakeFirstOrThrow();
      await db.updateTable('totp_credentials').set({ secret_sealed: sealed.secret_sealed }).where('account_id', '=', bob.id).execute();
      const sessions = await sessionCount(app, bob.id);
      const { response } = await signInWithSecondStep(app, bob, 'totp', oathtool(alice.secret, appNow(app)));
      assert.ok(response.status >= 400 && response.status < 500, `refused, and not with a crash (${response.status})`);
      assert.equal(sessionSetCookie(response), undefined);
      assert.equal(await sessionCount(app, bob.id), sessions);
    });

    test('authenticator: removing it needs a fresh verification', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'remove-totp@example.com');
      await enrollAuthenticator(app, shopper);
      clock.advance(REVERIFY_WINDOW_MS);
      const refused = await shopper.browser.post('/account/security/authenticator/remove', {});
      assert.match(refused.location ?? '', /^\/account\/confirm/);
      assert.ok(await app.gatehouse.services.factors.findTotpSecret(shopper.id), 'still there');
      assert.equal((await reverify(shopper, shopper.password)).status, 303);
      const removed = await shopper.browser.post('/account/security/authenticator/remove', {});
      assert.equal(removed.location, '/account/security?saved=removed');
      assert.equal(await app.gatehouse.services.factors.findTotpSecret(shopper.id), undefined);
    });
  });

  describe(`Security settings: backup codes (${dialect})`, { timeout: 60_000 }, () => {
    test('backup codes: 10 are shown once with the authenticator’s first confirmation, with a download link carrying every code', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'codes-once@example.com');
      const started = await shopper.browser.post('/account/security/authenticator/start', {});
      const flow = new URL(started.location!, 'http://x').searchParams.get('flow')!;
      const secret = /data-totp-secret="([^"]*)"/.exec((await shopper.browser.get(started.location!)).text)![1]!;
      const shown = await shopper.browser.post('/account/security/authenticator', { flow, code: oathtool(secret, appNow(app)) });
      assert.equal(shown.status, 200);
      assert.equal(shown.headers.get('cache-control'), 'no-store');
      const codes = backupCodesIn(shown.text);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      const link = /<a [^>]*href="(data:text\/plain;charset=utf-8,[^"]*)"[^>]*download="([^"]+)"/.exec(shown.text);
      assert.ok(link, 'a download link with a data: URL');
      assert.match(link[2]!, /backup-codes\.txt$/);
      const file = decodeURIComponent(link[1]!.replace(/&amp;/g, '&').slice('data:text/plain;charset=utf-8,'.length));
      for (const code of codes) assert.ok(file.split('\n').includes(code), `the file has ${code} on its own line`);

      // Never shown again: not on the Security page, not when the authenticator is set up again.
      const security = await shopper.browser.get('/account/security');
      for (const code of codes) assert.ok(!security.text.includes(code));
      const again = await shopper.browser.post('/account/security/authenticator/start', {});
      const secret2 = /data-totp-secret="([^"]*)"/.exec((await shopper.browser.get(again.location!)).text)![1]!;
      clock.advance(STEP_MS);
      const reenrolled = await shopper.browser.post('/account/security/authenticator', { flow: new URL(again.location!, 'http://x').searchParams.get('flow')!, code: oathtool(secret2, appNow(app)) });
      assert.equal(reenrolled.status, 303);
      assert.equal(reenrolled.location, '/account/security?saved=totp');
      assert.deepEqual(backupCodesIn(reenrolled.text), []);
      assert.equal(await backupLeft(shopper.browser), '10', 'the first set is kept');
    });

    test('backup codes: stored only as hashes', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'codes-hashed@example.com');
      const { backupCodes } = await enrollAuthenticator(app, shopper);
      const dump = await dumpAllTables(app);
      assert.match(dump, /backup_codes: \[\{/);
      for (const code of backupCodes) {
        assert.ok(!dump.includes(code) && !dump.includes(code.replace('-', '')), `${code} is not in the database`);
      }
    });

    test('backup codes: the Security page shows how many are left and never the codes; a used code is refused the second time', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'codes-used@example.com');
      assert.equal(await backupLeft(shopper.browser), '10');
      const first = await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[3]!.toUpperCase());
      assert.equal(first.response.status, 303, 'a backup code signs in (case does not matter)');
      const security = await shopper.browser.get('/account/security');
      assert.equal(/data-backup-left="(\d+)"/.exec(security.text)?.[1], '9');
      assert.match(security.text, /9 of 10 left/);
      for (const code of shopper.backupCodes) assert.ok(!security.text.includes(code), 'no code on the page');

      const sessions = await sessionCount(app, shopper.id);
      const second = await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[3]!);
      assert.equal(second.response.status, 422, 'the used code is refused');
      assert.equal(sessionSetCookie(second.response), undefined);
      assert.equal(await sessionCount(app, shopper.id), sessions);
      assert.equal(await backupLeft(shopper.browser), '9');
    });

    test('backup codes: regenerating voids every old code (old refused, new works) and the count goes back to 10', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'codes-new@example.com');
      assert.equal((await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[0]!)).response.status, 303);
      assert.equal(await backupLeft(shopper.browser), '9');
      const regenerated = await shopper.browser.post('/account/security/backup-codes', {});
      assert.equal(regenerated.status, 200);
      assert.match(regenerated.text, /Any codes you had before no longer work\./);
      const fresh = backupCodesIn(regenerated.text);
      assert.equal(fresh.length, 10);
      assert.equal(fresh.filter((code) => shopper.backupCodes.includes(code)).length, 0);
      assert.equal(await backupLeft(shopper.browser), '10');
      const old = await signInWithSecondStep(app, shopper, 'backup_code', shopper.backupCodes[1]!);
      assert.equal(old.response.status, 422, 'an unused code of the old set is refused');
      const ok = await signInWithSecondStep(app, shopper, 'backup_code', fresh[0]!);
      assert.equal(ok.response.status, 303, 'a new code works');
      assert.equal(await backupLeft(shopper.browser), '9');
    });
  });

  describe(`Security settings: the two-step switch (${dialect})`, { timeout: 60_000 }, () => {
    test('two-step: cannot be turned on without a phone or an authenticator (409, nothing changed)', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'no-factor@example.com');
      const page = await shopper.browser.get('/account/security');
      assert.match(page.text, /Add a phone number, an authenticator app or a passkey first\./);
      assert.ok(!page.text.includes('name="on" value="1"'), 'no switch to press');
      const before = await factorState(app, shopper.id);
      const response = await shopper.browser.post('/account/security/two-step', { on: '1' });
      assert.equal(response.status, 409);
      assert.match(response.text, /Add a phone number, an authenticator app or a passkey before turning on two-step verification\./);
      assert.equal(await factorState(app, shopper.id), before);
      assert.equal(await twoStepBadge(shopper), 'off');
    });

    test('two-step: turns itself off when the last of phone and authenticator is removed', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'last-factor@example.com');
      await addPhone(app, shopper);
      await enrollAuthenticator(app, shopper);
      await turnOnTwoStep(shopper);
      assert.equal((await shopper.browser.post('/account/security/phone/remove', {})).status, 303);
      assert.equal(await twoStepBadge(shopper), 'on', 'the authenticator is still there');
      assert.equal((await shopper.browser.post('/account/security/authenticator/remove', {})).status, 303);
      assert.equal(await twoStepBadge(shopper), 'off', 'nothing left to ask for');
      const row = await app.gatehouse.services.db.selectFrom('accounts').select('two_step_enabled_at').where('id', '=', shopper.id).executeTakeFirstOrThrow();
      assert.equal(row.two_step_enabled_at, null);
      // Adding a factor later does not switch it back on by itself.
      clock.advance(61_000); // one text a minute to numbers being added, per account
      await addPhone(app, shopper);
      assert.equal(await twoStepBadge(shopper), 'off');

      // The other order: the authenticator first, then the phone.
      const other = await signedInShopper(app, 'last-factor-2@example.com');
      await addPhone(app, other);
      await enrollAuthenticator(app, other);
      await turnOnTwoStep(other);
      await other.browser.post('/account/security/authenticator/remove', {});
      assert.equal(await twoStepBadge(other), 'on');
      await other.browser.post('/account/security/phone/remove', {});
      assert.equal(await twoStepBadge(other), 'off');
    });

    test('two-step: turning it off is allowed and sign-in asks for the password only again', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'switch-off@example.com');
      const off = await shopper.browser.post('/account/security/two-step', { on: '0' });
      assert.equal(off.location, '/account/security?saved=off');
      assert.equal(await twoStepBadge(shopper), 'off');
      const { createClient } = await import('../harness/http-client.ts');
      const { signIn } = await import('../security/kit.ts');
      const plain = await signIn(createClient(app.url), shopper.email, shopper.password);
      assert.equal(plain.status, 303);
      assert.ok(sessionSetCookie(plain), 'the password alone signs in');
    });
  });
}
