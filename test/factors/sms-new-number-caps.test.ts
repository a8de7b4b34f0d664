// Issue 9 §3 "SMS-pumping caps starve real shoppers": the per-country cap was one bucket for
// everyone and "Add a phone number" texts any number typed — 10 throw-away accounts spent France's
// hour in 6 s, and another shopper's SMS sign-in then got no code. Texts to numbers being added
// have caps of their own (per account, per client address, per number, per country) and never
// spend what texts to verified numbers need.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { fieldError } from '../security/kit.ts';
import { addPhone, afterNow, passwordStep, signedInShopper, smsCodeFor, startClockedGatehouse, turnOnTwoStep } from './factors-kit.ts';

const VICTIM_PHONE = '+33612345678';
const frenchNumber = (i: number) => `+336123456${String(10 + i)}`;

for (const dialect of testDialects) {
  describe(`SMS caps for numbers being added (${dialect})`, { timeout: 120_000 }, () => {
    test('sms caps: 10 throw-away accounts adding French numbers spend only the new-number cap; a shopper’s SMS sign-in in France still gets its code', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect, { TRUST_PROXY: '1', SMS_PER_COUNTRY_PER_HOUR: '5', SMS_NEW_NUMBER_PER_COUNTRY_PER_HOUR: '5' });
      t.after(() => app.close());
      const victim = await signedInShopper(app, 'french.shopper@example.com');
      await addPhone(app, victim, VICTIM_PHONE);
      await turnOnTwoStep(victim);
      clock.advance(61_000);

      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const throwAway = await signedInShopper(app, `throw.away${i}@example.com`);
        const added = await throwAway.browser.post('/account/security/phone', { phone: frenchNumber(i) }, { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
        statuses.push(added.status);
        if (added.status === 429) assert.match(fieldError(added.text, 'phone') ?? '', /^We are sending too many text messages to this country right now\. Try again in (\d+ minutes?|1 hour), or use another way\.$/);
      }
      assert.deepEqual(statuses, [303, 303, 303, 303, 429, 429, 429, 429, 429, 429], 'the victim’s own set-up took the first of 5');

      // The verified number's texts have their own hour: the sign-in code goes out.
      for (let i = 0; i < 5; i++) {
        const browser = createClient(app.url);
        const sentAfter = afterNow();
        const step = await passwordStep(app, browser, victim.email, victim.password);
        assert.match(step.location, /^\/login\/verify\/sms/);
        const code = await smsCodeFor(app, VICTIM_PHONE, sentAfter);
        assert.equal((await browser.post('/login/verify/sms', { flow: step.flowId, code })).status, 303, `SMS sign-in ${i + 1}`);
        clock.advance(61_000);
      }
    });

    test('sms caps: numbers being added are capped per client address and per account', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect, { TRUST_PROXY: '1' });
      t.after(() => app.close());
      // One address, many accounts: 10 an hour (SMS_NEW_NUMBER_PER_CLIENT_PER_HOUR).
      const fromOneAddress: number[] = [];
      for (let i = 0; i < 12; i++) {
        const shopper = await signedInShopper(app, `one.address${i}@example.com`);
        const added = await shopper.browser.post('/account/security/phone', { phone: `+447911123${String(400 + i)}` }, { headers: { 'x-forwarded-for': '203.0.113.50' } });
        fromOneAddress.push(added.status);
        if (added.status === 429) assert.match(fieldError(added.text, 'phone') ?? '', /^We have sent too many codes to new phone numbers from here\. Try again in (\d+ minutes?|1 hour)\.$/);
      }
      assert.deepEqual(fromOneAddress, [...Array(10).fill(303), 429, 429]);

      // One account, many numbers and addresses: 3 an hour (SMS_NEW_NUMBER_PER_ACCOUNT_PER_HOUR).
      const shopper = await signedInShopper(app, 'many.numbers@example.com');
      const fromOneAccount: number[] = [];
      for (let i = 0; i < 4; i++) {
        const added = await shopper.browser.post('/account/security/phone', { phone: `+447911123${String(500 + i)}` }, { headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
        fromOneAccount.push(added.status);
        clock.advance(61_000);
      }
      assert.deepEqual(fromOneAccount, [303, 303, 303, 429]);
      const buckets = await app.gatehouse.services.db.selectFrom('rate_events').select('bucket').distinct().where('bucket', 'like', 'sms_%').execute();
      assert.deepEqual(buckets.map((row) => row.bucket).sort(), ['sms_new_account_hour', 'sms_new_client_hour', 'sms_new_country_hour', 'sms_new_number_hour'], 'nothing counted in the verified numbers’ buckets');
    });
  });
}
