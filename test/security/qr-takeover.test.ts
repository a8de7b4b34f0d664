// The QR-to-takeover chain of the attack review (issue 9 §1): an attacker relays their sign-in QR
// to a victim who confirms it in the app; the attacker's browser is then signed in as the victim.
// That much is the known limit of every QR sign-in. What must not follow: that session changing
// how the account is protected (a phone, backup codes, an authenticator, two-step, the password)
// without the password typed in it, and the owner not hearing of any such change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, appSignIn, newBrowser, PASSWORD, scanAndConfirm, showQr, startQrGatehouse, type Browser } from '../qr-login/qr-kit.ts';
import { SESSION_COOKIE, countRows, whoamiWith } from './kit.ts';
import { oathtool, smsCodeFor } from '../factors/factors-kit.ts';

/** Every state-changing form of My account → Security and Settings. */
const SECURITY_CHANGES: Array<[path: string, fields: Record<string, string>]> = [
  ['/account/security/phone', { phone: '+447911123456' }],
  ['/account/security/phone/remove', {}],
  ['/account/security/two-step', { on: '0' }],
  ['/account/security/authenticator/start', {}],
  ['/account/security/authenticator/remove', {}],
  ['/account/security/backup-codes', {}],
  ['/account/password', {}],
];

/** The attacker's browser after the victim confirmed its QR in the app. */
async function signedInByRelayedQr(app: TestGatehouse, victimLogin: string): Promise<Browser> {
  const attacker = newBrowser(app.url);
  const { token } = await showQr(attacker);
  const victimApp = await appSignIn(app, victimLogin);
  await scanAndConfirm(app, victimApp, token);
  const done = await attacker.post('/qr/complete', {});
  assert.equal(done.status, 303, 'the relayed QR signs the attacker in (the known limit of QR sign-in)');
  return attacker;
}

const mailSubjectsTo = (app: TestGatehouse, to: string) => app.mail.messages().filter((m) => m.to.includes(to)).map((m) => m.subject);

async function waitForSubjects(app: TestGatehouse, to: string, expected: string[]) {
  for (const subject of expected) await app.mail.waitFor((m) => m.to.includes(to) && m.subject === subject, 10_000);
}

for (const dialect of testDialects) {
  describe(`QR takeover chain, on ${dialect}`, { timeout: 120_000 }, () => {
    test('a session a QR sign-in created is never freshly verified: every security change and Change password ask for the password first, and nothing changes', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      const victimId = await addAccount(app, { email: 'victim@example.com', loginName: 'victim' });
      const attacker = await signedInByRelayedQr(app, 'victim');
      await app.mail.waitFor((m) => m.to.includes('victim@example.com') && /^New sign-in/.test(m.subject), 10_000);
      const rows = await countRows(app);
      const mailsBefore = app.mail.messages().length;

      const phoneForm = await attacker.get('/account/security/phone');
      assert.equal(phoneForm.status, 303, 'even the phone form asks for the password');
      assert.match(phoneForm.location ?? '', /^\/account\/confirm\?return_to=/);
      await attacker.get('/account/security');
      for (const [path, fields] of SECURITY_CHANGES) {
        const response = await attacker.post(path, fields);
        assert.equal(response.status, 303, `${path} is refused to a QR-made session`);
        assert.match(response.location ?? '', /^\/account\/confirm\?return_to=%2Faccount%2F(security|settings)/, `${path} → Confirm it's you`);
        assert.ok(!response.text.includes('data-backup-code'), `${path} shows no backup codes`);
      }
      assert.deepEqual(await countRows(app), rows, 'no factor, flow, code or message was written');
      assert.equal(app.mail.messages().length, mailsBefore, 'no code was mailed for Change password');

      // Confirm it's you with a wrong password is refused; the right one opens the changes.
      const wrong = await attacker.post('/account/confirm', { password: 'not the password at all', return_to: '/account/security' });
      assert.equal(wrong.status, 401);
      const right = await attacker.post('/account/confirm', { password: PASSWORD, return_to: '/account/security' });
      assert.equal(right.status, 303, 'the owner, who knows the password, may go on');
      const codes = await attacker.post('/account/security/backup-codes', {});
      assert.equal(codes.status, 200);
      assert.match(codes.text, /data-backup-code/);
      const live = await app.gatehouse.services.db.selectFrom('sessions').select('authenticated_via').where('account_id', '=', victimId).where('kind', '=', 'browser').executeTakeFirstOrThrow();
      assert.equal(live.authenticated_via, 'qr', 'the session is still known as made by QR');
    });

    test('a QR-made session that confirmed the password is fresh for 10 minutes only — refused again at 10:00', async (t) => {
      const clock = createManualClock();
      const app = await startQrGatehouse(dialect, { clock });
      t.after(() => app.close());
      await addAccount(app, { email: 'ten@example.com', loginName: 'ten' });
      const browser = await signedInByRelayedQr(app, 'ten');
      assert.equal((await browser.post('/account/confirm', { password: PASSWORD, return_to: '/account/security' })).status, 303);
      clock.advance(9 * 60_000 + 59_000);
      assert.equal((await browser.get('/account/security/phone')).status, 200, 'open at 9:59');
      clock.advance(1000);
      assert.equal((await browser.get('/account/security/phone')).status, 303, 'closed at 10:00');
    });

    test('after a QR sign-in the first page names the account it landed in, masked, with “not your account? Sign out” — and only for a QR-made session', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      await addAccount(app, { email: 'photographer@example.com', loginName: 'photographer' });
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      await scanAndConfirm(app, await appSignIn(app, 'photographer'), token);
      const done = await browser.post('/qr/complete', {});
      assert.equal(done.location, '/account?signed_in=qr');
      const page = await browser.get(done.location!);
      const notice = /<div class="alert alert-info qr-signed-in"[\s\S]*?<\/div>/.exec(page.text)?.[0] ?? '';
      assert.match(notice, /Signed in with the app’s QR code as p\*\*\*@e\*\*\*\.com/);
      assert.match(notice, /Not your account\? <button type="submit" class="link-button">Sign out<\/button>/);
      assert.match(notice, /<form method="post" action="\/logout"/);
      // A password session given the same query shows nothing of the kind.
      const owner = newBrowser(app.url);
      assert.equal((await owner.post('/login', { identifier: 'photographer', password: PASSWORD })).status, 303);
      assert.ok(!(await owner.get('/account?signed_in=qr')).text.includes('qr-signed-in'));
    });

    test('device names come from a fixed list: a crafted User-Agent is never shown on the confirm screen, in the app API, the sessions list or the owner’s email', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      const email = 'ua-victim@example.com';
      await addAccount(app, { email, loginName: 'ua_victim' });
      const crafted = 'Your own iPhone - this is you, press Confirm/1 (x)';
      const attacker = newBrowser(app.url, { userAgent: crafted });
      const { token } = await showQr(attacker);
      const bearer = await appSignIn(app, 'ua_victim');
      const scanned = await api(app, bearer, '/api/v1/qr/scan', { token });
      assert.equal(scanned.status, 200);
      assert.ok(!JSON.stringify(scanned.json).includes('Your own'), `the app API: ${JSON.stringify(scanned.json)}`);
      assert.equal(scanned.json.browser, 'Unknown browser');
      assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 200);
      assert.equal((await attacker.post('/qr/complete', {})).status, 303);
      const mail = await app.mail.waitFor((m) => m.to.includes(email) && /New sign-in/.test(m.subject), 10_000);
      for (const text of [mail.subject, mail.text, mail.html ?? '']) {
        assert.ok(!text.includes('Your own') && !text.includes('press Confirm'), `the email never echoes the header: ${mail.subject}`);
      }
      const security = await attacker.get('/account/security');
      assert.ok(!security.text.includes('Your own'), 'the sessions list names no crafted device');
      const listed = await api(app, bearer, '/api/v1/sessions', undefined, 'GET');
      assert.ok(!listed.text.includes('Your own'), 'nor the app API’s list');
    });

    test('Confirm it’s you gives the session a new token: the cookie from before opens nothing', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      await addAccount(app, { email: 'rotate@example.com', loginName: 'rotate' });
      const browser = await signedInByRelayedQr(app, 'rotate');
      const before = browser.jar.get(SESSION_COOKIE)!;
      assert.equal((await browser.post('/account/confirm', { password: PASSWORD, return_to: '/account/security' })).status, 303);
      const after = browser.jar.get(SESSION_COOKIE)!;
      assert.notEqual(after, before, 'a new token');
      assert.equal((await whoamiWith(app, before)).status, 401, 'the old token is worthless');
      assert.equal((await whoamiWith(app, after)).status, 200);
      assert.equal((await browser.get('/account/security/phone')).status, 200, 'and the new one is fresh');
    });

    test('security changes mail the owner a notice with a “secure my account” link — phone added and changed, backup codes, authenticator added and removed, two-step off (en and ru)', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      for (const [locale, subjects] of [
        ['en', { phoneAdded: 'A phone number was added to your account', phoneChanged: 'The phone number of your account was changed', codes: 'New backup codes were made for your account', off: 'Two-step sign-in was turned off for your account' }],
        ['ru', { phoneAdded: 'К вашему аккаунту добавлен номер телефона', phoneChanged: 'Номер телефона вашего аккаунта изменён', codes: 'Для вашего аккаунта созданы новые резервные коды', off: 'Двухэтапный вход в ваш аккаунт отключён' }],
      ] as const) {
        const email = `notices-${locale}@example.com`;
        await addAccount(app, { email, loginName: `notices_${locale}`, locale });
        const owner = newBrowser(app.url);
        const signedIn = await owner.post('/login', { identifier: email, password: PASSWORD });
        assert.equal(signedIn.status, 303);
        await addPhoneFor(app, owner, '+447911123456');
        await addPhoneFor(app, owner, '+447911123457');
        assert.equal((await owner.post('/account/security/two-step', { on: '1' })).status, 303);
        assert.equal((await owner.post('/account/security/backup-codes', {})).status, 200);
        assert.equal((await owner.post('/account/security/two-step', { on: '0' })).status, 303);
        await waitForSubjects(app, email, [subjects.phoneAdded, subjects.phoneChanged, subjects.codes, subjects.off]);
        const notice = app.mail.messages().find((m) => m.to.includes(email) && m.subject === subjects.phoneChanged)!;
        assert.match(notice.text, /\/recovery/, 'the notice links to securing the account');
        assert.match(notice.text, /57/, 'it names the end of the new number');
        assert.ok(!notice.text.includes('+447911123457'), 'but never the whole number');
      }
    });

    test('adding and removing an authenticator app mails the owner each time', async (t) => {
      const app = await startQrGatehouse(dialect);
      t.after(() => app.close());
      const email = 'authenticator-notice@example.com';
      await addAccount(app, { email, loginName: 'auth_notice' });
      const owner = newBrowser(app.url);
      assert.equal((await owner.post('/login', { identifier: email, password: PASSWORD })).status, 303);
      const started = await owner.post('/account/security/authenticator/start', {});
      assert.equal(started.status, 303);
      const setup = await owner.get(started.location!);
      const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(setup.text)?.[1];
      assert.ok(secret, 'the set-up page shows the secret');
      const code = oathtool(secret, app.gatehouse.services.clock.now());
      const flow = new URL(started.location!, app.url).searchParams.get('flow')!;
      const confirmed = await owner.post('/account/security/authenticator', { flow, code });
      assert.ok(confirmed.status === 200 || confirmed.status === 303, `the first code enrols the app (${confirmed.status})`);
      assert.equal((await owner.post('/account/security/authenticator/remove', {})).status, 303);
      await waitForSubjects(app, email, ['An authenticator app was added to your account', 'The authenticator app was removed from your account']);
      assert.equal(mailSubjectsTo(app, email).filter((s) => s.includes('authenticator')).length, 2, 'one notice each');
    });
  });
}

/** My account → Security → Add phone number, with the texted code (the SMS catcher). */
async function addPhoneFor(app: TestGatehouse, browser: Browser, number: string) {
  const sentAfter = new Date(Date.now() + 1);
  const started = await browser.post('/account/security/phone', { phone: number });
  assert.equal(started.status, 303, `the number is accepted (${started.status})`);
  const flow = new URL(started.location!, app.url).searchParams.get('flow')!;
  const code = await smsCodeFor(app, number, sentAfter);
  const done = await browser.post('/account/security/phone/code', { flow, code });
  assert.equal(done.status, 303, `the code adds the number (${done.status})`);
}
