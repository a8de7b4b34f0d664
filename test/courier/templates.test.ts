// Email templates, escaping and masking: pure functions, no database or network.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeDeliveryError } from '../../src/courier/delivery-errors.ts';
import { escapeHtml } from '../../src/courier/templates/escape-html.ts';
import { maskEmail, scrubSecrets } from '../../src/courier/mask.ts';
import { emailMessages } from '../../src/courier/templates/email-messages.ts';
import { emailTemplateNames, renderEmailTemplate, TemplateDataError } from '../../src/courier/templates/email-templates.ts';
import { locales } from '../../src/shared/i18n.ts';

const sampleData = {
  code: '048213',
  storeName: 'Corner Shop',
  minutes: 10,
  signInUrl: 'https://shop.test/login',
  recoveryUrl: 'https://shop.test/recovery',
  secureUrl: 'https://shop.test/recovery',
  time: '15 January 2026, 12:00 UTC',
  device: 'Chrome 126, Windows 10',
  place: '203.0.113.7',
  change: 'phone_added',
  detail: '+44 •••• ••••56',
  name: 'iCloud Keychain',
};

describe('email templates', () => {
  test('passkey notices name the passkey; a refused possibly cloned passkey says so in both languages', () => {
    const added = renderEmailTemplate('security_changed', 'en', { ...sampleData, change: 'passkey_added', detail: 'Work laptop' });
    assert.equal(added.subject, 'A passkey was added to your account');
    assert.match(added.text, /The passkey: Work laptop/);
    const removed = renderEmailTemplate('security_changed', 'ru', { ...sampleData, change: 'passkey_removed', detail: 'Work laptop' });
    assert.equal(removed.subject, 'Из вашего аккаунта удалён ключ доступа');
    const refusedEn = renderEmailTemplate('passkey_refused', 'en', sampleData);
    assert.equal(refusedEn.subject, 'A possibly cloned passkey was refused');
    assert.match(refusedEn.text, /iCloud Keychain/);
    assert.match(refusedEn.text, /https:\/\/shop\.test\/recovery/);
    assert.equal(renderEmailTemplate('passkey_refused', 'ru', sampleData).subject, 'Отклонён ключ доступа, который мог быть скопирован');
  });

  test('every template renders in every locale with subject, HTML and text, no placeholder left', () => {
    for (const name of emailTemplateNames) {
      for (const locale of locales) {
        const mail = renderEmailTemplate(name, locale, sampleData);
        assert.ok(mail.subject.length > 0);
        assert.ok(mail.html.startsWith('<!DOCTYPE html>'));
        assert.ok(mail.text.length > 50);
        for (const part of [mail.subject, mail.html, mail.text]) {
          assert.doesNotMatch(part, /\{\w+\}/, `${name}/${locale} has an unfilled placeholder`);
        }
        assert.ok(mail.html.includes('Corner Shop') && mail.text.includes('Corner Shop'));
        assert.doesNotMatch(mail.html, /<table|<style|<script/i, 'simple inline-styled layout');
      }
    }
  });

  test('the message catalog is complete in both languages', () => {
    for (const [id, wording] of Object.entries(emailMessages)) {
      assert.match(id, /^email\./);
      for (const locale of locales) assert.ok(wording[locale]?.trim(), `${id} lacks ${locale}`);
      assert.notEqual(wording.en, wording.ru, `${id} is not translated`);
    }
  });

  test('codes are large, monospaced, letter-spaced and alone in their block', () => {
    for (const name of ['registration_code', 'recovery_code'] as const) {
      const mail = renderEmailTemplate(name, 'en', sampleData);
      const block = mail.html.match(/<div style="([^"]*)">048213<\/div>/);
      assert.ok(block, `${name}: the code sits alone in its own block`);
      assert.match(block[1], /monospace/);
      assert.match(block[1], /letter-spacing:\s*\d+px/);
      assert.match(block[1], /font-size:\s*(2\d|3\d|4\d)px/);
      assert.match(mail.text, /^\s*048213$/m, 'the text part has the code on a line of its own');
    }
  });

  test('lifetime and "ignore this" wording, in English and in Russian', () => {
    const en = renderEmailTemplate('registration_code', 'en', sampleData);
    assert.match(en.text, /valid for 10 minutes/);
    assert.match(en.text, /If you didn't create an account, ignore this email/);
    const ru = renderEmailTemplate('registration_code', 'ru', { ...sampleData, minutes: 1 });
    assert.match(ru.text, /Код действует 1 минуту/);
    assert.match(ru.text, /Если вы не создавали аккаунт/);
    const recoveryEn = renderEmailTemplate('recovery_code', 'en', sampleData);
    assert.match(recoveryEn.text, /your password is unchanged/);
    const recoveryRu = renderEmailTemplate('recovery_code', 'ru', { ...sampleData, minutes: 3 });
    assert.match(recoveryRu.text, /3 минуты/);
    assert.match(recoveryRu.text, /ваш пароль не изменился/);
    const existing = renderEmailTemplate('registration_attempt_existing', 'en', sampleData);
    assert.match(existing.text, /your account is safe/);
    assert.match(existing.html, /href="https:\/\/shop\.test\/login"/);
    assert.match(existing.html, /href="https:\/\/shop\.test\/recovery"/);
    const changed = renderEmailTemplate('password_changed', 'ru', sampleData);
    assert.match(changed.html, /Защитить аккаунт/);
    assert.match(changed.text, /Защитить аккаунт: https:\/\/shop\.test\/recovery/);
  });

  test('values are escaped in HTML and links other than http(s) are not rendered', () => {
    const hostile = { ...sampleData, storeName: '<img src=x onerror=alert(1)> & "Co"', secureUrl: 'javascript:alert(1)', time: '<b>now</b>' };
    const mail = renderEmailTemplate('password_changed', 'en', hostile);
    assert.ok(!mail.html.includes('<img'));
    assert.ok(!mail.html.includes('<b>now'));
    assert.ok(mail.html.includes('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;'));
    assert.ok(!mail.html.includes('javascript:'));
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('a message missing its data fails loudly instead of sending a broken email', () => {
    assert.throws(() => renderEmailTemplate('recovery_code', 'en', { storeName: 'S', minutes: 10 }), TemplateDataError);
    assert.throws(() => renderEmailTemplate('registration_code', 'en', { code: '1', storeName: 'S', minutes: 'soon' }), TemplateDataError);
  });
});

describe('masking', () => {
  test('maskEmail keeps only first letters and the top-level domain', () => {
    assert.equal(maskEmail('john@example.com'), 'j***@e***.com');
    assert.equal(maskEmail('Anna.Petrova@mail.example.ru'), 'A***@m***.ru');
    assert.equal(maskEmail('root@localhost'), 'r***@l***');
    assert.equal(maskEmail('not an address'), '***');
    assert.equal(maskEmail('@example.com'), '***');
    assert.equal(maskEmail(''), '***');
  });

  test('scrubSecrets removes addresses and codes but keeps ports and reply codes', () => {
    const scrubbed = scrubSecrets('550 5.1.1 <ann.lee@example.com> unknown, code 123456, at 127.0.0.1:2525');
    assert.equal(scrubbed, '550 5.1.1 <a***@e***.com> unknown, code [digits], at 127.0.0.1:2525');
  });

  test('delivery errors keep the structure and lose the address', () => {
    const smtp = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <ann@example.com>: no such user"), {
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
      response: '550 5.1.1 <ann@example.com>: no such user',
    });
    assert.deepEqual(describeDeliveryError(smtp, ['ann@example.com']), { description: 'SMTP EENVELOPE RCPT TO 550 5.1.1', permanent: true });
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET', command: 'CONN' });
    assert.deepEqual(describeDeliveryError(network), { description: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:2525', permanent: false });
    const auth = Object.assign(new Error('Invalid login: 535 bad credentials'), { code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 });
    assert.equal(describeDeliveryError(auth).permanent, false, 'a configuration problem is retried, not parked');
    const quoted = Object.assign(new Error('Invalid recipient "weird mailbox@x"'), { code: 'EENVELOPE', command: 'API' });
    const described = describeDeliveryError(quoted, ['weird mailbox@x']);
    assert.equal(described.permanent, true);
    assert.ok(!described.description.includes('weird mailbox'));
  });
});
