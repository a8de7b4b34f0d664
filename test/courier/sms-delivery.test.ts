// Text messages through the outbox and the dispatcher to a real HTTP server playing Twilio: the
// same claim, retries, backoff and parking as email, and nothing readable in logs or the table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { retryDelayMs } from '../../src/courier/dispatcher.ts';
import { enqueueEmail, enqueueSms, recordDecoySms, type SmsMessage } from '../../src/courier/outbox.ts';
import { testDialects } from '../harness/databases.ts';
import { courierKit, failUntilStopped, SMS_FROM, smsSenderFor, senderFor, STORE } from './courier-kit.ts';

const NUMBER = '+79123456712';
const MASKED = '+7 *** ***-**-12';
const CODE = '730162';
const EN_BODY = `${CODE} is your ${STORE} code. Valid 10 min. Never share it.`;

const sms = (overrides: Partial<SmsMessage> = {}): SmsMessage => ({
  template: 'verification_code',
  locale: 'en',
  to: NUMBER,
  data: { code: CODE, storeName: STORE, minutes: 10 },
  expiresAt: Date.UTC(2026, 0, 15, 12, 10, 0), // the kit's clock starts at 12:00: a 10-minute code
  ...overrides,
} as SmsMessage);

for (const kind of testDialects) {
  describe(`SMS delivery (${kind})`, () => {
    test('a queued SMS is delivered through the Twilio sender in the shopper’s language, next to email', async (t) => {
      const kit = await courierKit(t, kind);
      const [mail, texts] = await Promise.all([kit.catcher(), kit.smsCatcher()]);
      await enqueueSms(kit.db, kit.deps, sms());
      await enqueueSms(kit.db, kit.deps, sms({ locale: 'ru', to: '+447911123456', data: { code: '204060', minutes: 5 } }));
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'ann@example.com', data: { code: '111222', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      const dispatcher = kit.dispatcher({ sender: senderFor(mail.port), smsSender: smsSenderFor(texts) });
      assert.equal(await dispatcher.deliverDueMessages(), 3);

      const en = await texts.waitFor((m) => m.to === NUMBER, 1000);
      assert.equal(en.body, EN_BODY);
      assert.equal(en.from, SMS_FROM);
      assert.match(en.id, /^SM[0-9a-f]{32}$/);
      const ru = await texts.waitFor((m) => m.to === '+447911123456', 1000);
      // No storeName in the data: the dispatcher's configured one fills in.
      assert.equal(ru.body, `204060 — ваш код ${STORE}. Действует 5 мин. Никому не сообщайте.`);
      assert.equal(texts.messages().length, 2);
      assert.equal(mail.messages().length, 1, 'email still goes by SMTP');

      const rows = await kit.rows();
      for (const row of rows.filter((r) => r.channel === 'sms')) {
        assert.equal(row.status, 'sent');
        assert.equal(row.payload_sealed, '', 'the code is wiped once delivered');
        assert.equal(Number(row.attempts), 1);
      }
    });

    test('the outbox row of an SMS holds no readable number or code', async (t) => {
      const kit = await courierKit(t, kind);
      await enqueueSms(kit.db, kit.deps, sms());
      const [row] = await kit.rows();
      assert.equal(row.channel, 'sms');
      assert.equal(row.template, 'verification_code');
      const raw = JSON.stringify(row);
      for (const secret of [NUMBER, NUMBER.slice(1), NUMBER.slice(-7), CODE]) assert.ok(!raw.includes(secret), `row contains ${secret}`);
      assert.equal(kit.secrets.unseal(String(row.recipient_sealed)), NUMBER);
    });

    test('provider answering 503: the row goes back to pending with backoff and is delivered later', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      texts.failNext(1, { status: 503 });
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts) });
      await enqueueSms(kit.db, kit.deps, sms());
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      let [row] = await kit.rows();
      assert.equal(row.status, 'pending');
      assert.equal(Number(row.attempts), 1);
      assert.equal(Number(row.next_attempt_at), kit.clock.now() + 5_000);
      assert.equal(row.lease_until, null);
      assert.match(String(row.last_error), /503/);

      kit.clock.advance(4_999);
      assert.equal(await dispatcher.deliverDueMessages(), 0, 'not due yet');
      kit.clock.advance(1);
      assert.equal(await dispatcher.deliverDueMessages(), 1);
      [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(Number(row.attempts), 2);
      assert.equal(texts.messages().length, 1);
      assert.equal(texts.messages()[0].body, EN_BODY);
    });

    test('hanging provider: the send times out, the row goes back to pending and is delivered later', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      texts.failNext(1, { hang: true });
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts, 200) });
      await enqueueSms(kit.db, kit.deps, sms());
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      let [row] = await kit.rows();
      assert.equal(row.status, 'pending');
      assert.match(String(row.last_error), /ETIMEDOUT/);
      kit.clock.advance(retryDelayMs(1));
      assert.equal(await dispatcher.deliverDueMessages(), 1);
      [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(texts.messages().length, 1, 'sent once: the timed-out attempt never reached the catcher');
    });

    test('a permanent 400 parks the SMS at once, and last_error keeps Twilio’s code only', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      texts.failNext(1, { status: 400, code: 21211 });
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts) });
      await enqueueSms(kit.db, kit.deps, sms());
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      const [row] = await kit.rows();
      assert.equal(row.status, 'parked');
      assert.equal(Number(row.attempts), 1);
      assert.equal(row.last_error, 'SMS_HTTP: provider answered 400, Twilio error 21211');
      kit.clock.advance(24 * 3_600_000);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(texts.messages().length, 0);
    });

    test('an SMS code that keeps failing expires with its code and is never sent after', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      // 5 s, 10 s, 20 s, then every 30 s: the 22nd try, 575 s in, is the last before the code dies.
      texts.failNext(22, { status: 503 });
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts) });
      await enqueueSms(kit.db, kit.deps, sms());
      const row = await failUntilStopped(kit, dispatcher);
      assert.equal(row.status, 'expired');
      assert.equal(Number(row.attempts), 22);
      assert.equal(row.payload_sealed, '', 'the dead code is wiped');
      assert.equal(texts.messages().length, 0, 'the provider accepts again, but an expired code is never texted');
    });

    test('SMS log lines never contain the number, the body or the code', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts) });
      // Delivered; failed then retried; parked on a permanent error.
      await enqueueSms(kit.db, kit.deps, sms());
      await dispatcher.deliverDueMessages();
      texts.failNext(1, { status: 503 });
      await enqueueSms(kit.db, kit.deps, sms());
      await dispatcher.deliverDueMessages();
      texts.failNext(1, { status: 400, code: 21211 });
      kit.clock.advance(retryDelayMs(1));
      await dispatcher.deliverDueMessages();

      const logged = kit.logger.text();
      assert.ok(kit.logger.calls.some((c) => c.level === 'info' && c.msg === 'SMS sent'));
      assert.ok(kit.logger.calls.some((c) => c.level === 'warn' && /SMS delivery failed; will retry/.test(c.msg ?? '')));
      assert.ok(kit.logger.calls.some((c) => c.level === 'error' && /SMS parked/.test(c.msg ?? '')));
      for (const secret of [NUMBER, NUMBER.slice(1), NUMBER.slice(2, -2), CODE, EN_BODY, 'Never share it']) {
        assert.equal(logged.includes(secret), false, `a log line contains "${secret}"`);
      }
      assert.ok(logged.includes(MASKED), 'the masked number is there to correlate');
      const errors = (await kit.rows()).map((row) => String(row.last_error ?? '')).join('\n');
      for (const secret of [NUMBER, NUMBER.slice(1), CODE]) assert.ok(!errors.includes(secret), errors);
    });

    test('with a real pino logger the written SMS log lines hold no number or code', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      texts.failNext(1, { status: 500 });
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts), logger });
      await enqueueSms(kit.db, kit.deps, sms({ locale: 'ru' }));
      await dispatcher.deliverDueMessages();
      kit.clock.advance(5_000);
      await dispatcher.deliverDueMessages();
      assert.equal(lines.length, 2, lines.join(''));
      const all = lines.join('');
      assert.ok(!all.includes(NUMBER.slice(1)) && !all.includes(CODE), all);
      assert.ok(all.includes(MASKED));
    });

    test('a decoy SMS is never sent', async (t) => {
      const kit = await courierKit(t, kind);
      const texts = await kit.smsCatcher();
      await recordDecoySms(kit.db, kit.deps, sms({ to: '+0' }));
      const [row] = await kit.rows();
      assert.equal(row.channel, 'sms');
      assert.equal(row.status, 'sent');
      assert.equal(row.recipient_sealed, '');
      assert.equal(row.payload_sealed, '');
      const dispatcher = kit.dispatcher({ sender: senderFor(1), smsSender: smsSenderFor(texts) });
      kit.clock.advance(3_600_000);
      assert.equal(await dispatcher.deliverDueMessages(), 0);
      assert.equal(texts.messages().length, 0);
    });

    test('a dispatcher without an SMS sender leaves texts in the outbox for one that has it', async (t) => {
      const kit = await courierKit(t, kind);
      const [mail, texts] = await Promise.all([kit.catcher(), kit.smsCatcher()]);
      await enqueueSms(kit.db, kit.deps, sms());
      await enqueueEmail(kit.db, kit.deps, { template: 'recovery_code', locale: 'en', to: 'ann@example.com', data: { code: '111222', storeName: STORE, minutes: 10 }, expiresAt: kit.clock.now() + 600_000 });
      assert.equal(await kit.dispatcher({ sender: senderFor(mail.port) }).deliverDueMessages(), 1);
      assert.equal((await kit.rows()).find((r) => r.channel === 'sms')?.status, 'pending');
      assert.equal(await kit.dispatcher({ sender: senderFor(mail.port), smsSender: smsSenderFor(texts) }).deliverDueMessages(), 1);
      assert.equal(texts.messages().length, 1);
    });
  });
}
