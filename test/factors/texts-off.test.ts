// A production install with real mail and no SMS provider: nothing may show codes to the public
// (/dev/mailbox is not served), and text messages are off instead of silently going nowhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import { startRecovery } from '../recovery/recovery-kit.ts';
import { signedInShopper } from './factors-kit.ts';

for (const dialect of testDialects) {
  describe(`texts off: SMTP configured, no SMS provider, DEV_MAILBOX off (${dialect})`, () => {
    test('no dev mailbox and no SMS catcher: codes are never shown to the public', async (t) => {
      const app = await startTestGatehouse(dialect, { env: { DEV_MAILBOX: 'false' } });
      t.after(() => app.close());
      assert.equal(app.gatehouse.services.smsCatcher, undefined);
      assert.equal(app.gatehouse.services.smsAvailable, false);
      const mailbox = await createClient(app.url).get('/dev/mailbox');
      assert.equal(mailbox.status, 404);
    });

    test('texts off: no phone can be added, and no flow offers a text message', async (t) => {
      const app = await startTestGatehouse(dialect, { env: { DEV_MAILBOX: 'false' } });
      t.after(() => app.close());
      const shopper = await signedInShopper(app, 'no.texts@example.com');
      const security = await shopper.browser.get('/account/security');
      assert.match(security.text, /Text messages are not available in this store/);
      assert.doesNotMatch(security.text, /href="\/account\/security\/phone"/);
      const added = await shopper.browser.post('/account/security/phone', { phone: '+447911123456' });
      assert.equal(added.status, 409, 'adding a number is refused with a clear reason');
      assert.match(added.text, /does not send text messages/);

      const stranger = createClient(app.url);
      const { flowId } = await startRecovery(app, stranger, shopper.email, shopper.email);
      const ways = await stranger.get(`/recovery/other-ways?flow=${flowId}`);
      assert.equal(ways.status, 200);
      assert.doesNotMatch(ways.text, /data-way="sms"/, 'recovery does not offer texts (the same for every account)');
      assert.match(ways.text, /data-way="totp"/);
      const send = await stranger.post('/recovery/sms/send', { flow: flowId });
      assert.equal(send.status, 409, 'sending a text anyway is refused, nothing queued');
      const queued = await app.gatehouse.services.db.selectFrom('outbox').select('id').where('channel', '=', 'sms').execute();
      assert.equal(queued.length, 0);
    });
  });
}
