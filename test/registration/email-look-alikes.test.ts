// Issue 9 §6: an address is one mailbox however its domain is spelled (Unicode or punycode), and
// characters a person cannot see are refused instead of making a second, look-alike account.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { checkEmail, parseIdentifier } from '../../src/identity/identifiers.ts';
import { emailDomains } from '../../src/storage/email-domains-migration.ts';
import { alertText, countRows, fieldError, flowIdFrom, GOOD_PASSWORD, makeAccount, registrationFields, signIn } from '../security/kit.ts';
import { afterNow, startRecovery } from '../recovery/recovery-kit.ts';

const INVISIBLE = {
  'soft hyphen U+00AD': '\u00AD',
  'zero-width space U+200B': '\u200B',
  'zero-width non-joiner U+200C': '\u200C',
  'zero-width joiner U+200D': '\u200D',
  'word joiner U+2060': '\u2060',
  'byte order mark U+FEFF': '\uFEFF',
  'left-to-right mark U+200E': '\u200E',
  'right-to-left mark U+200F': '\u200F',
  'embedding/override U+202A': '\u202A',
  'right-to-left override U+202E': '\u202E',
  'isolate U+2066': '\u2066',
  'pop isolate U+2069': '\u2069',
  'Arabic letter mark U+061C': '\u061C',
};

describe('email addresses in one form', () => {
  test('every invisible or direction-changing character is refused, in the local part and in the domain', () => {
    for (const [name, ch] of Object.entries(INVISIBLE)) {
      for (const address of [`ja${ch}ne@example.test`, `jane@exa${ch}mple.test`, `${ch}jane@example.test`]) {
        const checked = checkEmail(address);
        assert.equal(checked.ok, false, `${name} in ${JSON.stringify(address)}`);
        assert.equal(!checked.ok && checked.code, 'identity.invisible_character', name);
        const parsed = parseIdentifier(address);
        assert.equal(!parsed.ok && parsed.code, 'identity.invisible_character', `${name} (sign-in field)`);
      }
    }
  });

  test('a Unicode domain is stored as its UTS #46 punycode form, which is itself unchanged; broken punycode is refused', () => {
    assert.deepEqual(checkEmail('Jane@Exämple.test'), { ok: true, email: 'jane@xn--exmple-cua.test' });
    assert.deepEqual(checkEmail('jane@XN--EXMPLE-CUA.test'), { ok: true, email: 'jane@xn--exmple-cua.test' });
    assert.deepEqual(checkEmail('иван@пример.рф'), { ok: true, email: 'иван@xn--e1afmkfd.xn--p1ai' });
    for (const bad of ['jane@xn--zz.test', 'jane@xn--a.test', 'jane@1.2.3.4', 'jane@under_score.test', 'jane@-dash.test', 'jane@example']) {
      assert.equal(checkEmail(bad).ok, false, bad);
    }
  });
});

for (const dialect of testDialects) {
  describe(`one mailbox is one account on ${dialect}`, () => {
    // A manual clock: the wait between codes is per mailbox, so the second spelling comes a minute later.
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    const stored = 'jane@xn--exmple-cua.test';
    // The SMTP catcher (smtp-server) shows a recipient's punycode domain decoded to Unicode.
    const caught = 'jane@exämple.test';

    test('sign-up with exämple.test and then with xn--exmple-cua.test: the second is the already-registered path, one account', async () => {
      const first = createClient(app.url);
      await first.get('/register');
      let sentAfter = afterNow();
      const posted = await first.post('/register', registrationFields('jane@exämple.test'));
      assert.equal(posted.status, 303);
      const code = await app.codeFor(caught, sentAfter);
      const confirmed = await first.post('/register/code', { flow: flowIdFrom(posted.location), code });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, '/account?welcome=1');
      const before = await countRows(app);

      clock.advance(60_000);
      const second = createClient(app.url);
      await second.get('/register');
      await app.deliverMail();
      sentAfter = afterNow();
      const again = await second.post('/register', registrationFields('jane@xn--exmple-cua.test'));
      assert.equal(again.status, 303, 'the same answer as for a new address (no enumeration)');
      const notice = await app.mail.waitFor((m) => m.to.includes(caught) && m.receivedAt >= sentAfter, 10_000);
      assert.equal(notice.subject, 'Someone tried to create an account with your address');
      const accounts = await app.gatehouse.services.db.selectFrom('accounts').select('email').where('email', 'like', 'jane@%').execute();
      assert.deepEqual(accounts, [{ email: stored }]);
      assert.equal((await countRows(app)).accounts, before.accounts);
    });

    test('sign-in finds the account with either spelling of its domain', async () => {
      await makeAccount(app, { email: 'ann@xn--exmple-cua.test' });
      for (const identifier of ['ann@exämple.test', 'ann@xn--exmple-cua.test', 'ANN@EXÄMPLE.TEST']) {
        const response = await signIn(createClient(app.url), identifier, GOOD_PASSWORD);
        assert.equal(response.status, 303, identifier);
      }
    });

    test('recovery finds the account with either spelling of its domain', async () => {
      await makeAccount(app, { email: 'rita@xn--exmple-cua.test' });
      for (const identifier of ['rita@exämple.test', 'rita@xn--exmple-cua.test']) {
        clock.advance(60_000);
        const { code } = await startRecovery(app, createClient(app.url), identifier, 'rita@exämple.test');
        assert.match(code, /^\d{6}$/, identifier);
      }
    });

    test('an invisible character in sign-up, sign-in or recovery gets a clear 422 and changes nothing', async () => {
      const before = await countRows(app);
      const browser = createClient(app.url);
      await browser.get('/register');
      const signUp = await browser.post('/register', registrationFields('ja\u200Bne@example.test'));
      assert.equal(signUp.status, 422);
      assert.match(fieldError(signUp.text, 'email') ?? '', /invisible character/);
      const login = await signIn(browser, 'ann@ex\u00ADämple.test', GOOD_PASSWORD);
      assert.equal(login.status, 422);
      assert.match(alertText(login.text) ?? '', /invisible character/);
      await browser.get('/recovery');
      const recovery = await browser.post('/recovery', { identifier: 'rita@exämple.test\u202E' });
      assert.equal(recovery.status, 422);
      assert.match(alertText(recovery.text) ?? '', /invisible character/);
      const after = await countRows(app);
      assert.equal(after.accounts, before.accounts);
      assert.equal(after.outbox, before.outbox);
    });

    test('migration 0008 rewrites a stored Unicode domain to punycode, and leaves both rows when that address is already an account', async () => {
      const { db, accounts, clock } = app.gatehouse.services;
      const now = clock.now();
      const make = (email: string) => accounts.insert(db, { email, loginName: null, passwordHash: null, locale: 'en', emailVerifiedAt: now, now });
      const lone = await make('old@bücher.test');
      const twinUnicode = await make('twin@bücher.test');
      const twinAscii = await make('twin@xn--bcher-kva.test');
      await emailDomains.up(db);
      const emailOf = async (id: string) => (await db.selectFrom('accounts').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
      assert.equal(await emailOf(lone.id), 'old@xn--bcher-kva.test');
      assert.equal(await emailOf(twinUnicode.id), 'twin@bücher.test');
      assert.equal(await emailOf(twinAscii.id), 'twin@xn--bcher-kva.test');
    });
  });
}
