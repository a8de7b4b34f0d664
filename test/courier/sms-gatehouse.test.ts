// The SMS channel as Gatehouse wires it: configuration, the dev catcher standing in for Twilio when
// no provider is set, a real provider URL when one is, and /dev/mailbox listing caught texts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { enqueueSms } from '../../src/courier/outbox.ts';
import { startSmsCatcher } from '../../src/courier/sms-catcher.ts';
import { testDialects } from '../harness/databases.ts';
import { createClient } from '../harness/http-client.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';

const dialect = testDialects[0]!;

async function queueText(app: TestGatehouse, to: string, code: string) {
  const { db, secrets, clock, dispatcher } = app.gatehouse.services;
  await enqueueSms(db, { secrets, clock }, { template: 'verification_code', locale: 'en', to, data: { code, minutes: 10 }, expiresAt: clock.now() + 600_000 });
  dispatcher.wake();
}

describe('SMS settings', () => {
  test('defaults: Twilio’s URL, no account (the dev catcher), 3 texts per number and 50 per country per hour', () => {
    assert.deepEqual(loadConfig({}).sms, {
      providerUrl: 'https://api.twilio.com',
      accountSid: undefined,
      authToken: undefined,
      from: undefined,
      perNumberPerHour: 3,
      perCountryPerHour: 50,
    });
  });

  test('SMS_ACCOUNT_SID and SMS_AUTH_TOKEN go together, and SMS_FROM is required with them', () => {
    const refuses = (env: Record<string, string>, name: string) =>
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && error.message.startsWith(name), JSON.stringify(env));
    refuses({ SMS_ACCOUNT_SID: 'AC1' }, 'SMS_ACCOUNT_SID');
    refuses({ SMS_AUTH_TOKEN: 'token' }, 'SMS_ACCOUNT_SID');
    refuses({ SMS_ACCOUNT_SID: 'AC1', SMS_AUTH_TOKEN: 'token' }, 'SMS_FROM');
    refuses({ SMS_ACCOUNT_SID: 'AC1', SMS_AUTH_TOKEN: 'token', SMS_FROM: 'not a sender!' }, 'SMS_FROM');
    refuses({ SMS_PROVIDER_URL: 'ftp://gateway' }, 'SMS_PROVIDER_URL');
    refuses({ SMS_PER_NUMBER_PER_HOUR: 'many' }, 'SMS_PER_NUMBER_PER_HOUR');
    refuses({ SMS_PER_COUNTRY_PER_HOUR: '0' }, 'SMS_PER_COUNTRY_PER_HOUR');
    for (const from of ['+15005550006', 'GateShop', 'MG0123456789abcdef0123456789abcdef']) {
      const sms = loadConfig({ SMS_ACCOUNT_SID: 'AC1', SMS_AUTH_TOKEN: 'token', SMS_FROM: from, SMS_PROVIDER_URL: 'http://10.0.0.5:8080/' }).sms;
      assert.equal(sms.from, from);
      assert.equal(sms.providerUrl, 'http://10.0.0.5:8080', 'http: allowed for a self-hosted gateway');
    }
  });
});

describe(`SMS in a running Gatehouse (${dialect})`, () => {
  test('without SMS_ACCOUNT_SID, texts reach the built-in catcher through the ordinary Twilio sender', async (t) => {
    const app = await startTestGatehouse(dialect);
    t.after(() => app.close());
    const catcher = app.gatehouse.services.smsCatcher;
    assert.ok(catcher, 'the dev catcher runs');
    await queueText(app, '+79123456712', '481516');
    const text = await catcher.waitFor((m) => m.to === '+79123456712', 5000);
    assert.equal(text.body, `481516 is your ${app.config.storeName} code. Valid 10 min. Never share it.`);
  });

  test('/dev/mailbox lists a caught SMS with its full number, time and body, in English and Russian', async (t) => {
    const app = await startTestGatehouse(dialect);
    t.after(() => app.close());
    await queueText(app, '+447911123456', '271828');
    const text = await app.gatehouse.services.smsCatcher!.waitFor((m) => m.to === '+447911123456', 5000);
    const client = createClient(app.url);
    const page = await client.get('/dev/mailbox');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2>Text messages<\/h2>/);
    assert.ok(page.text.includes('+447911123456'));
    assert.ok(page.text.includes(text.receivedAt.toISOString()));
    assert.ok(page.text.includes(`271828 is your ${app.config.storeName} code.`));
    assert.ok(!page.text.includes('data-part="mail"'), 'with SMTP_URL set there is no mail list');
    const ru = await client.get('/dev/mailbox', { 'accept-language': 'ru' });
    assert.match(ru.text, /SMS-сообщения/);
  });

  test('with SMS_ACCOUNT_SID set, no catcher starts and texts go to SMS_PROVIDER_URL with those credentials', async (t) => {
    const provider = await startSmsCatcher({ accountSid: 'ACprovider', authToken: 'provider-token' });
    t.after(() => provider.close());
    const app = await startTestGatehouse(dialect, {
      env: { SMS_PROVIDER_URL: provider.url, SMS_ACCOUNT_SID: 'ACprovider', SMS_AUTH_TOKEN: 'provider-token', SMS_FROM: 'GateShop' },
    });
    t.after(() => app.close());
    assert.equal(app.gatehouse.services.smsCatcher, undefined);
    assert.equal((await createClient(app.url).get('/dev/mailbox')).status, 404, 'no catcher at all: no dev mailbox');
    await queueText(app, '+4915123456789', '314159');
    const text = await provider.waitFor((m) => m.to === '+4915123456789', 5000);
    assert.equal(text.from, 'GateShop');
  });
});
