// Text message wording: the code first, whose code it is, how long it lasts, never share it; short
// enough to arrive as one message in English and at most two in Russian.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TemplateDataError } from '../../src/courier/templates/email-templates.ts';
import { smsMessages } from '../../src/courier/templates/sms-messages.ts';
import { isSmsTemplateName, renderSms, smsSize, smsTemplateNames } from '../../src/courier/templates/sms-templates.ts';
import { locales } from '../../src/shared/i18n.ts';

const data = { code: '123456', storeName: 'Test Store', minutes: 10 };

describe('SMS templates', () => {
  test('the English text is the code first, then the store, the validity and "never share it"', () => {
    assert.equal(renderSms('verification_code', 'en', data), '123456 is your Test Store code. Valid 10 min. Never share it.');
  });

  test('the Russian text is the code first, then the store, the validity and "never share it"', () => {
    assert.equal(renderSms('verification_code', 'ru', data), '123456 — ваш код Test Store. Действует 10 мин. Никому не сообщайте.');
  });

  test('English fits one GSM-7 segment even with a long store name and the origin line', () => {
    const text = renderSms('verification_code', 'en', { ...data, storeName: 'The Very Long Named Marketplace', host: 'accounts.marketplace.example.com' });
    assert.deepEqual(smsSize(text), { encoding: 'GSM-7', units: text.length, segments: 1 });
    assert.ok(text.length <= 160);
  });

  test('Russian fits one UCS-2 segment without the origin line and at most two with it', () => {
    const plain = renderSms('verification_code', 'ru', data);
    assert.equal(smsSize(plain).encoding, 'UCS-2');
    assert.ok(plain.length <= 70, `${plain.length} characters`);
    const bound = renderSms('verification_code', 'ru', { ...data, storeName: 'Длинное название магазина', host: 'accounts.marketplace.example.com' });
    assert.ok(smsSize(bound).segments <= 2, JSON.stringify(smsSize(bound)));
  });

  test('the WebOTP origin line "@host #code" is alone on the last line', () => {
    for (const locale of locales) {
      const lines = renderSms('verification_code', locale, { ...data, host: 'Shop.Example.com' }).split('\n');
      assert.equal(lines.length, 2);
      assert.equal(lines[1], '@shop.example.com #123456');
      assert.ok(lines[0].startsWith('123456'));
    }
  });

  test('a host with a port gets no origin line (the format has no port)', () => {
    assert.ok(!renderSms('verification_code', 'en', { ...data, host: 'localhost:3000' }).includes('@'));
  });

  test('a line break in a value cannot forge an origin line', () => {
    const text = renderSms('verification_code', 'en', { ...data, storeName: 'Shop\n@evil.example #123456' });
    assert.equal(text.split('\n').length, 1);
  });

  test('a message missing its data or with a malformed code or host fails loudly', () => {
    assert.throws(() => renderSms('verification_code', 'en', { storeName: 'S', minutes: 10 }), TemplateDataError);
    assert.throws(() => renderSms('verification_code', 'en', { ...data, minutes: 'soon' }), TemplateDataError);
    assert.throws(() => renderSms('verification_code', 'en', { ...data, code: '12 34' }), TemplateDataError);
    assert.throws(() => renderSms('verification_code', 'en', { ...data, host: 'evil.example/#' }), TemplateDataError);
  });

  test('the SMS catalog is complete in both languages and English stays in the GSM alphabet', () => {
    for (const [id, wording] of Object.entries(smsMessages)) {
      for (const locale of locales) assert.ok(wording[locale]?.trim(), `${id} lacks ${locale}`);
      assert.equal(smsSize(wording.en).encoding, 'GSM-7', `${id} (en) would be sent as UCS-2`);
    }
  });

  test('isSmsTemplateName knows the SMS templates and nothing else', () => {
    for (const name of smsTemplateNames) assert.ok(isSmsTemplateName(name));
    assert.ok(!isSmsTemplateName('recovery_code'));
    assert.ok(!isSmsTemplateName(undefined));
  });

  test('smsSize counts GSM extension characters twice and splits long texts into 153/67-unit parts', () => {
    assert.deepEqual(smsSize('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 });
    assert.deepEqual(smsSize('a'.repeat(161)), { encoding: 'GSM-7', units: 161, segments: 2 });
    assert.deepEqual(smsSize('€'.repeat(80)), { encoding: 'GSM-7', units: 160, segments: 1 });
    assert.deepEqual(smsSize('я'.repeat(70)), { encoding: 'UCS-2', units: 70, segments: 1 });
    assert.deepEqual(smsSize('я'.repeat(71)), { encoding: 'UCS-2', units: 71, segments: 2 });
  });
});
