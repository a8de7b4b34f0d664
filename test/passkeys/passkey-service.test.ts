// The passkey rules of DESIGN.md §2, each in a named test, against src/passkeys/passkey-service.ts
// on both databases, with a software authenticator making real ES256 attestations and assertions.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { CHALLENGE_LIFETIME_MS } from '../../src/passkeys/passkey-store.ts';
import { createSoftwareAuthenticator } from '../harness/software-authenticator.ts';
import { SECOND, storeSuite } from '../stores/store-kit.ts';
import { CHROME_LINUX, ICLOUD, ORIGIN, passkeyServiceOn } from './passkey-kit.ts';

const BROWSER = 'browser-one';

storeSuite('passkey service', (s) => {
  async function enrolled(authenticator = createSoftwareAuthenticator({ origin: ORIGIN, aaguid: ICLOUD, synced: true })) {
    const { service } = passkeyServiceOn(s);
    const accountId = await s.account();
    const options = await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'shopper@example.com' });
    assert.ok(options.ok);
    const verified = await service.verifyRegistration({ accountId, browserId: BROWSER, response: authenticator.register(options.options), userAgent: CHROME_LINUX, locale: 'en' });
    assert.ok(verified.ok, JSON.stringify(verified));
    const saved = await service.register(accountId, verified.passkey);
    assert.ok(saved.ok);
    return { accountId, authenticator, passkey: saved.passkey };
  }
  async function registrationAttempt(bend: Parameters<ReturnType<typeof createSoftwareAuthenticator>['register']>[1] = {}, browserAtVerify = BROWSER) {
    const { service } = passkeyServiceOn(s);
    const accountId = await s.account();
    const options = await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'a@example.com' });
    assert.ok(options.ok);
    const response = createSoftwareAuthenticator({ origin: ORIGIN }).register(options.options, bend);
    return { accountId, options: options.options, response, result: await service.verifyRegistration({ accountId, browserId: browserAtVerify, response, userAgent: CHROME_LINUX, locale: 'en' }) };
  }
  const signIn = async (authenticator: ReturnType<typeof createSoftwareAuthenticator>, bend = {}, userVerification: 'required' | 'preferred' = 'required') => {
    const { service } = passkeyServiceOn(s);
    const { options } = await service.authenticationOptions({ browserId: BROWSER, userVerification });
    return service.verifyAuthentication({ browserId: BROWSER, response: authenticator.authenticate(options, bend), userVerification });
  };

  test('a challenge is 32 random bytes, new each time', async () => {
    const { service } = passkeyServiceOn(s);
    const a = await service.authenticationOptions({ browserId: BROWSER });
    const b = await service.authenticationOptions({ browserId: BROWSER });
    assert.equal(isoBase64URL.toBuffer(a.options.challenge).length, 32);
    assert.notEqual(a.options.challenge, b.options.challenge);
  });

  test('a challenge is stored hashed: the database never holds it', async () => {
    const { service } = passkeyServiceOn(s);
    const { options } = await service.authenticationOptions({ browserId: BROWSER });
    const rows = JSON.stringify(await s.db.selectFrom('passkey_challenges').selectAll().execute());
    assert.ok(!rows.includes(options.challenge));
    assert.ok(rows.includes(createHash('sha256').update(options.challenge).digest('hex')));
  });

  test('a new passkey is verified and saved with its name from the AAGUID, synced, and user verification required', async () => {
    const { passkey } = await enrolled();
    assert.equal(passkey.name, 'iCloud Keychain');
    assert.equal(passkey.backupEligible, true);
    assert.equal(passkey.backedUp, true);
    assert.equal(passkey.deviceType, 'multiDevice');
  });

  test('an authenticator not in the AAGUID table is named by the recognised browser and system, a device-bound one is not synced', async () => {
    const { passkey } = await enrolled(createSoftwareAuthenticator({ origin: ORIGIN }));
    assert.equal(passkey.name, 'Chrome on Linux');
    assert.equal(passkey.backedUp, false);
    assert.equal(passkey.deviceType, 'singleDevice');
  });

  test('a challenge is single use: the same registration answer twice is refused the second time', async () => {
    const attempt = await registrationAttempt();
    assert.ok(attempt.result.ok);
    const { service } = passkeyServiceOn(s);
    const again = await service.verifyRegistration({ accountId: attempt.accountId, browserId: BROWSER, response: attempt.response, userAgent: '', locale: 'en' });
    assert.equal(!again.ok && again.code, 'passkey.challenge_invalid');
  });

  test('a challenge is bound to the browser that asked: another browser cannot use it', async () => {
    const attempt = await registrationAttempt({}, 'another-browser');
    assert.equal(!attempt.result.ok && attempt.result.code, 'passkey.challenge_invalid');
  });

  test('a challenge lives 5 minutes — accepted at 4:59, refused at 5:00', async () => {
    const { service } = passkeyServiceOn(s);
    const { authenticator } = await enrolled();
    const early = await service.authenticationOptions({ browserId: BROWSER });
    const late = await service.authenticationOptions({ browserId: BROWSER });
    s.clock.advance(CHALLENGE_LIFETIME_MS - SECOND);
    assert.ok((await service.verifyAuthentication({ browserId: BROWSER, response: authenticator.authenticate(early.options) })).ok);
    s.clock.advance(SECOND);
    const refused = await service.verifyAuthentication({ browserId: BROWSER, response: authenticator.authenticate(late.options) });
    assert.equal(!refused.ok && refused.code, 'passkey.challenge_invalid');
  });

  test('a registration from another origin is refused', async () => {
    const attempt = await registrationAttempt({ origin: 'https://shop.example.com.evil.test' });
    assert.equal(!attempt.result.ok && attempt.result.code, 'passkey.not_verified');
  });

  test('a registration for another RP ID is refused', async () => {
    const attempt = await registrationAttempt({ rpId: 'evil.test' });
    assert.equal(!attempt.result.ok && attempt.result.code, 'passkey.not_verified');
  });

  test('a registration without user verification is refused', async () => {
    const attempt = await registrationAttempt({ userVerified: false });
    assert.equal(!attempt.result.ok && attempt.result.code, 'passkey.not_verified');
  });

  test('a sign-in answers with the account and moves the counter and last use', async () => {
    const { accountId, authenticator, passkey } = await enrolled();
    s.clock.advance(SECOND);
    const proof = await signIn(authenticator);
    assert.ok(proof.ok);
    assert.equal(proof.accountId, accountId);
    assert.equal(proof.passkey.id, passkey.id);
    const row = (await passkeyServiceOn(s).store.findForAccount(accountId, passkey.id))!;
    assert.equal(row.signCount, 1);
    assert.equal(row.lastUsedAt, s.clock.now());
  });

  test('a sign-in from another origin or for another RP ID is refused', async () => {
    const { authenticator } = await enrolled();
    const origin = await signIn(authenticator, { origin: 'https://evil.test' });
    const rpId = await signIn(authenticator, { rpId: 'evil.test' });
    assert.equal(!origin.ok && origin.code, 'passkey.not_accepted');
    assert.equal(!rpId.ok && rpId.code, 'passkey.not_accepted');
  });

  test('user verification is required for a password-less sign-in and only preferred for a second step', async () => {
    const { authenticator } = await enrolled();
    const required = await signIn(authenticator, { userVerified: false }, 'required');
    assert.equal(!required.ok && required.code, 'passkey.not_accepted');
    const preferred = await signIn(authenticator, { userVerified: false }, 'preferred');
    assert.ok(preferred.ok);
  });

  test('a counter that goes backwards is refused and the owner is mailed of a possibly cloned passkey', async () => {
    const { accountId, authenticator } = await enrolled();
    assert.ok((await signIn(authenticator)).ok);
    assert.ok((await signIn(authenticator)).ok);
    const before = (await s.db.selectFrom('outbox').select('id').where('template', '=', 'passkey_refused').execute()).length;
    const cloned = await signIn(authenticator, { counter: 1 });
    assert.equal(!cloned.ok && cloned.code, 'passkey.not_accepted');
    const mails = await s.db.selectFrom('outbox').selectAll().where('template', '=', 'passkey_refused').execute();
    assert.equal(mails.length, before + 1);
    const row = (await passkeyServiceOn(s).store.listForAccount(accountId))[0]!;
    assert.equal(row.signCount, 2, 'the refused sign-in does not move the counter');
  });

  test('a passkey whose counter went back stays refused — the real key too, with a higher counter — and the owner is told once', async () => {
    const { accountId, authenticator } = await enrolled();
    assert.ok((await signIn(authenticator)).ok);
    assert.ok((await signIn(authenticator)).ok);
    const mailsBefore = (await s.db.selectFrom('outbox').select('id').where('template', '=', 'passkey_refused').execute()).length;
    // The copy signed in first (counter 2); the real key's next sign-in shows 1: the passkey is marked.
    const behind = await signIn(authenticator, { counter: 1 });
    assert.equal(!behind.ok && behind.code, 'passkey.not_accepted');
    // Whichever copy comes next, with a counter that would have been fine, is refused all the same.
    const ahead = await signIn(authenticator, { counter: 50 });
    assert.equal(!ahead.ok && ahead.code, 'passkey.not_accepted');
    const again = await signIn(authenticator, { counter: 1 });
    assert.equal(!again.ok && again.code, 'passkey.not_accepted');
    const mails = (await s.db.selectFrom('outbox').select('id').where('template', '=', 'passkey_refused').execute()).length;
    assert.equal(mails, mailsBefore + 1, 'one notice, however often the copy is tried');
    const row = (await passkeyServiceOn(s).store.listForAccount(accountId))[0]!;
    assert.notEqual(row.suspectedCloneAt, null);
    assert.equal(row.signCount, 2, 'no refused sign-in moved the counter');
  });

  test('an unknown credential, a removed one and a locked account’s answer exactly alike', async () => {
    const stranger = createSoftwareAuthenticator({ origin: ORIGIN });
    const strangerOptions = await passkeyServiceOn(s).service.registrationOptions({ accountId: await s.account(), browserId: 'x', userName: 'x@example.com' });
    assert.ok(strangerOptions.ok);
    stranger.register(strangerOptions.options);
    const unknown = await signIn(stranger);
    const removed = await enrolled();
    await passkeyServiceOn(s).store.remove(s.db, removed.accountId, removed.passkey.id);
    const gone = await signIn(removed.authenticator);
    const locked = await enrolled();
    await s.db.updateTable('accounts').set({ locked_at: s.clock.now() }).where('id', '=', locked.accountId).execute();
    const lockedAnswer = await signIn(locked.authenticator);
    assert.deepEqual(unknown, { ok: false, code: 'passkey.not_accepted' });
    assert.deepEqual(gone, unknown);
    assert.deepEqual(lockedAnswer, unknown);
  });

  test('options for a named account offer only its passkeys, and another account’s passkey is refused there', async () => {
    const mine = await enrolled();
    const theirs = await enrolled();
    const { service } = passkeyServiceOn(s);
    const { options } = await service.authenticationOptions({ browserId: BROWSER, flowId: 'flow-x', accountId: mine.accountId, userVerification: 'preferred' });
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [mine.passkey.credentialId]);
    const wrong = await service.verifyAuthentication({ browserId: BROWSER, flowId: 'flow-x', accountId: mine.accountId, response: theirs.authenticator.authenticate(options), userVerification: 'preferred' });
    assert.equal(!wrong.ok && wrong.code, 'passkey.not_accepted');
  });

  test('at most 10 passkeys per account: options and saving both refuse the eleventh', async () => {
    const { service } = passkeyServiceOn(s);
    const accountId = await s.account();
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    let pending;
    for (let i = 0; i < 11; i++) {
      const options = await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'a@example.com' });
      assert.ok(options.ok);
      const verified = await service.verifyRegistration({ accountId, browserId: BROWSER, response: authenticator.register(options.options), userAgent: '', locale: 'en' });
      assert.ok(verified.ok);
      if (i === 9) {
        pending = verified.passkey;
        continue;
      }
      assert.ok((await service.register(accountId, verified.passkey)).ok);
    }
    assert.deepEqual(await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'a@example.com' }), { ok: false, code: 'passkey.limit_reached' });
    assert.deepEqual(await service.register(accountId, pending!), { ok: false, code: 'passkey.limit_reached' });
    assert.equal((await service.list(accountId)).length, 10);
  });

  test('at most 10 passkeys even when six are saved at once at 9: one is saved, the others refused with limit_reached', async () => {
    const { service } = passkeyServiceOn(s);
    const accountId = await s.account();
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const verifiedPasskeys = [];
    for (let i = 0; i < 15; i++) {
      const options = await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'a@example.com' });
      assert.ok(options.ok);
      const verified = await service.verifyRegistration({ accountId, browserId: BROWSER, response: authenticator.register(options.options), userAgent: '', locale: 'en' });
      assert.ok(verified.ok);
      verifiedPasskeys.push(verified.passkey);
    }
    for (const passkey of verifiedPasskeys.slice(0, 9)) assert.ok((await service.register(accountId, passkey)).ok);
    const raced = await Promise.all(verifiedPasskeys.slice(9).map((passkey) => service.register(accountId, passkey)));
    assert.deepEqual(raced.map((r) => (r.ok ? 'saved' : r.code)).sort(), ['passkey.limit_reached', 'passkey.limit_reached', 'passkey.limit_reached', 'passkey.limit_reached', 'passkey.limit_reached', 'saved']);
    assert.equal((await service.list(accountId)).length, 10);
  });

  test('the same credential id cannot be registered twice, to any account: the loser of a race gets a typed failure', async () => {
    const { passkey } = await enrolled();
    const { service } = passkeyServiceOn(s);
    const other = await s.account();
    const copy = { ...passkey };
    assert.deepEqual(await service.register(other, copy), { ok: false, code: 'passkey.already_registered' });
    const third = await s.account();
    const fourth = await s.account();
    const fresh = { ...passkey, credentialId: isoBase64URL.fromBuffer(new Uint8Array(16).fill(7)) };
    const results = await Promise.all([service.register(third, fresh), service.register(fourth, fresh)]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    assert.equal(results.find((r) => !r.ok)?.code, 'passkey.already_registered');
  });

  test('a registration answer for a credential already registered is refused before saving', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const { passkey } = await enrolled(authenticator);
    const attempt = await registrationAttempt({ credentialId: passkey.credentialId });
    assert.equal(!attempt.result.ok && attempt.result.code, 'passkey.already_registered');
  });

  test('bad input — not JSON, wrong types, a huge attestation, bad base64url — is refused and changes nothing', async () => {
    const { service } = passkeyServiceOn(s);
    const accountId = await s.account();
    const options = await service.registrationOptions({ accountId, browserId: BROWSER, userName: 'a@example.com' });
    assert.ok(options.ok);
    const good = createSoftwareAuthenticator({ origin: ORIGIN }).register(options.options);
    const bad: unknown[] = [
      undefined,
      'not json',
      42,
      [],
      { ...good, id: 7 },
      { ...good, type: 'password' },
      { ...good, response: 'x' },
      { ...good, response: { ...good.response, attestationObject: 'A'.repeat(100_000) } },
      { ...good, response: { ...good.response, clientDataJSON: '@@not+base64/==' } },
      { ...good, response: { ...good.response, transports: ['teleport'] } },
    ];
    for (const response of bad) {
      const result = await service.verifyRegistration({ accountId, browserId: BROWSER, response, userAgent: '', locale: 'en' });
      assert.deepEqual(result, { ok: false, code: 'passkey.response_invalid' }, JSON.stringify(response)?.slice(0, 80));
    }
    assert.equal((await service.list(accountId)).length, 0);
    // The challenge was not touched: the good answer still goes through.
    assert.ok((await service.verifyRegistration({ accountId, browserId: BROWSER, response: good, userAgent: '', locale: 'en' })).ok);
  });

  test('options from one node are verified on another (the challenge lives in the database)', async () => {
    const nodeA = passkeyServiceOn(s).service;
    const nodeB = passkeyServiceOn(s).service;
    const { authenticator } = await enrolled();
    const { options } = await nodeA.authenticationOptions({ browserId: BROWSER });
    assert.ok((await nodeB.verifyAuthentication({ browserId: BROWSER, response: authenticator.authenticate(options) })).ok);
  });
});
