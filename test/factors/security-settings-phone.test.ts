// My account → Security → phone number: validation, the SMS code that must come before anything is
// stored (with the email code's rules), and the number kept unreadable in the database.
// Fresh verification ("Confirm it's you") for every change is in security-settings-reverify.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { countRows, fieldError, alertText } from '../security/kit.ts';
import {
  addPhone,
  afterNow,
  dumpAllTables,
  factorState,
  otherCode,
  PHONE,
  PHONE_MASKED_END,
  reverify,
  signedInShopper,
  smsCodeFor,
  smsCount,
  startClockedGatehouse,
  startPhone,
} from './factors-kit.ts';

const MINUTE = 60_000;

for (const dialect of testDialects) {
  describe(`Security settings: phone number (${dialect})`, { timeout: 60_000 }, () => {
    test('phone: a bad, premium-rate, landline-only or garbage number is refused with a clear 422 message, the typed value kept, nothing sent', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'bad-numbers@example.com');
      const before = await factorState(app, shopper.id);
      const rows = await countRows(app);
      const texts = smsCount(app);
      for (const typed of ['+44 12', '+44 909 879 0879', '+44 20 7946 0958', 'call me maybe', '07911 123456', '+44 800 123 4567']) {
        await shopper.browser.get('/account/security/phone');
        const response = await shopper.browser.post('/account/security/phone', { phone: typed });
        assert.equal(response.status, 422, `${typed} is refused`);
        assert.match(fieldError(response.text, 'phone') ?? '', /mobile number with the country code/, `${typed}: the message says what is wanted`);
        assert.ok(response.text.includes(`value="${typed}"`), `${typed}: the typed value is kept in the field`);
      }
      const empty = await shopper.browser.post('/account/security/phone', { phone: '   ' });
      assert.equal(empty.status, 422);
      assert.equal(fieldError(empty.text, 'phone'), 'Enter your mobile number.');
      assert.equal(await factorState(app, shopper.id), before, 'no number stored');
      assert.deepEqual(await countRows(app), rows, 'no flow, code or outbox row');
      assert.equal(smsCount(app), texts, 'no text message sent');
    });

    test('phone: the number is stored only after the right SMS code', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'store-after-code@example.com');
      const before = await factorState(app, shopper.id);
      const { flowId, code } = await startPhone(app, shopper, '+44 7911 123456'.replace(/ /g, ''));
      const page = await shopper.browser.get(`/account/security/phone/code?flow=${flowId}`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(PHONE_MASKED_END) && !page.text.includes('7911'), 'the code page names the number masked');
      assert.equal(await factorState(app, shopper.id), before, 'nothing stored while the code is pending');
      assert.match((await shopper.browser.get('/account/security')).text, /data-factor="phone"[\s\S]*?Not set up/);

      const confirmed = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, '/account/security?saved=phone');
      assert.equal((await app.gatehouse.services.factors.findPhone(shopper.id))?.e164, PHONE);
      const security = await shopper.browser.get(confirmed.location!);
      assert.match(security.text, /Your phone number is confirmed\./);
      const shown = /data-factor="phone">[\s\S]*?<p class="factor-state">([^<]*)<\/p>/.exec(security.text)?.[1] ?? '';
      assert.ok(shown.startsWith('+44') && shown.endsWith(PHONE_MASKED_END) && shown.includes('*'), `masked on the page: ${shown}`);

      const again = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(again.status, 409, 'the same code cannot be used twice');
    });

    test('phone: a wrong SMS code is refused with 422 and stores nothing', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'wrong-sms@example.com');
      const before = await factorState(app, shopper.id);
      const { flowId, code } = await startPhone(app, shopper);
      const wrong = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: otherCode(code) });
      assert.equal(wrong.status, 422);
      assert.equal(fieldError(wrong.text, 'code'), 'That code is not right. Check it and try again.');
      const letters = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: 'abcdef' });
      assert.equal(letters.status, 422);
      const empty = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: '' });
      assert.equal(empty.status, 422);
      assert.equal(fieldError(empty.text, 'code'), 'Enter the 6-digit code.');
      assert.equal(await factorState(app, shopper.id), before);
      const right = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(right.status, 303, 'the right code still works after a few wrong ones');
    });

    test('phone: five wrong SMS codes and the code is dead, even the right one is then refused', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'five-wrong-sms@example.com');
      const before = await factorState(app, shopper.id);
      const { flowId, code } = await startPhone(app, shopper);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: otherCode(code) })).status);
      assert.deepEqual(statuses, [422, 422, 422, 422, 410]);
      const right = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(right.status, 410);
      assert.match(fieldError(right.text, 'code') ?? '', /can no longer be used/);
      assert.equal(await factorState(app, shopper.id), before);
    });

    test('phone: the SMS code expires after 10 minutes', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'expired-sms@example.com');
      const before = await factorState(app, shopper.id);
      const { flowId, code } = await startPhone(app, shopper);
      clock.advance(10 * MINUTE);
      // The password again (the 10-minute window has closed too), so what is left to refuse is the code.
      await reverify(shopper, shopper.password);
      const late = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(late.status, 410, 'the code is expired at 10 minutes');
      assert.equal(await factorState(app, shopper.id), before);
    });

    test('phone: a code sent again lives its own 10 minutes', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'resent-lifetime@example.com');
      const { flowId } = await startPhone(app, shopper);
      clock.advance(8 * MINUTE);
      const sentAfter = afterNow();
      const resent = await shopper.browser.post('/account/security/phone/resend', { flow: flowId });
      assert.equal(resent.status, 303);
      const code = await smsCodeFor(app, PHONE, sentAfter);
      clock.advance(9 * MINUTE);
      // Past the 10-minute window every step of a set-up asks for the password again.
      const stale = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.match(stale.location ?? '', /^\/account\/confirm/);
      await reverify(shopper, shopper.password);
      const confirmed = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(confirmed.status, 303, `a code 9 minutes old works, whenever the set-up began (${confirmed.status})`);
      assert.equal((await app.gatehouse.services.factors.findPhone(shopper.id))?.e164, PHONE);
    });

    test('phone: Get code again is refused for 60 s with the seconds left, then a new code voids the old one', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'resend-sms@example.com');
      const { flowId, code: oldCode } = await startPhone(app, shopper);
      const page = await shopper.browser.get(`/account/security/phone/code?flow=${flowId}`);
      assert.match(page.text, /data-countdown="60"/, 'the page counts down from 60 s');
      const texts = smsCount(app);

      const tooSoon = await shopper.browser.post('/account/security/phone/resend', { flow: flowId });
      assert.equal(tooSoon.status, 429);
      assert.equal(tooSoon.headers.get('retry-after'), '60');
      assert.equal(alertText(tooSoon.text), 'You can get a new code in 60 seconds.');
      clock.advance(45_000);
      const stillSoon = await shopper.browser.post('/account/security/phone/resend', { flow: flowId });
      assert.equal(stillSoon.status, 429);
      assert.equal(stillSoon.headers.get('retry-after'), '15');
      assert.equal(smsCount(app), texts, 'nothing sent while waiting');

      clock.advance(15_000);
      const sentAfter = afterNow();
      const resent = await shopper.browser.post('/account/security/phone/resend', { flow: flowId });
      assert.equal(resent.status, 303);
      assert.equal(resent.location, `/account/security/phone/code?flow=${flowId}&sent=1`);
      const newCode = await smsCodeFor(app, PHONE, sentAfter);
      if (newCode !== oldCode) {
        const old = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: oldCode });
        assert.equal(old.status, 422, 'the old code no longer works');
      }
      const fresh = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code: newCode });
      assert.equal(fresh.status, 303, 'the new code works');
    });

    test('phone: changing the number needs the new number’s SMS code; the old number stays until then', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'change-number@example.com');
      await addPhone(app, shopper);
      clock.advance(61_000); // one text a minute to numbers being added, per account
      const newNumber = '+79123456712';
      const { flowId, code } = await startPhone(app, shopper, newNumber);
      assert.equal((await app.gatehouse.services.factors.findPhone(shopper.id))?.e164, PHONE, 'the old number is kept while the new one is unconfirmed');
      const confirmed = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      assert.equal(confirmed.status, 303);
      assert.equal((await app.gatehouse.services.factors.findPhone(shopper.id))?.e164, newNumber);
      const rows = await app.gatehouse.services.db.selectFrom('account_phones').selectAll().where('account_id', '=', shopper.id).execute();
      assert.equal(rows.length, 1, 'one number per account');
    });

    test('phone: the number is not readable in the database', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'sealed-number@example.com');
      const digits = ['447911123456', '7911123456', '7911 123456', '07911'];
      const { flowId, code } = await startPhone(app, shopper);
      const pending = await dumpAllTables(app);
      for (const d of digits) assert.ok(!pending.includes(d), `pending set-up: "${d}" is not in the database`);
      await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
      const dump = await dumpAllTables(app);
      assert.match(dump, /account_phones: \[\{/, 'the number is stored');
      for (const d of digits) assert.ok(!dump.includes(d), `"${d}" is not in the database`);
      assert.ok(!dump.includes(code), 'nor the SMS code');
    });
  });
}
