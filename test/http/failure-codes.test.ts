// The run-time backstop of the type checks in src/failure-codes.ts, shared/i18n.ts `catalog` and
// http/error-statuses.ts: every failure code a shopper can meet has an HTTP status and a text in
// both languages, and no translation drops or invents a placeholder the page fills in.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { failureCodes } from '../../src/failure-codes.ts';
import { statusFor } from '../../src/http/error-statuses.ts';
import { locales, type Catalog } from '../../src/shared/i18n.ts';
import { commonMessages } from '../../src/http/common-messages.ts';
import { accountMessages } from '../../src/account/account-messages.ts';
import { registrationMessages } from '../../src/registration/registration-messages.ts';
import { loginMessages } from '../../src/login/login-messages.ts';
import { codeMessages } from '../../src/verification/code-messages.ts';
import { factorMessages } from '../../src/factors/factor-messages.ts';
import { recoveryMessages } from '../../src/recovery/recovery-messages.ts';
import { securitySettingsMessages } from '../../src/settings/security-settings-messages.ts';
import { qrLoginMessages } from '../../src/qr-login/qr-login-messages.ts';
import { passkeyMessages } from '../../src/passkeys/passkey-messages.ts';
import { adminMessages } from '../../src/admin/admin-messages.ts';

const shopperCatalogs: Catalog[] = [commonMessages, accountMessages, registrationMessages, loginMessages, codeMessages, factorMessages, recoveryMessages, securitySettingsMessages, qrLoginMessages, passkeyMessages, adminMessages];

/** Every <name>-messages.<locale>.json under src/, as { file: texts }. */
function messageFiles(): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/-messages\.\w+\.json$/.test(entry.name)) found.set(path, JSON.parse(readFileSync(path, 'utf8')));
    }
  };
  walk(resolve(import.meta.dirname, '../../src'));
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('failure codes and the words for them', () => {
  test('no failure code is listed twice, in one folder or in two', () => {
    assert.equal(new Set(failureCodes).size, failureCodes.length);
  });

  test('every failure code has an HTTP status, a 4xx or a 5xx', () => {
    for (const code of failureCodes) {
      const status = statusFor(code);
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`);
    }
  });

  test('every failure code has a text in English and in Russian in a catalog a page can show', () => {
    for (const code of failureCodes) {
      const wording = shopperCatalogs.find((catalog) => code in catalog)?.[code];
      assert.ok(wording, `${code} has no text`);
      for (const locale of locales) assert.ok(wording[locale]?.trim(), `${code} has no ${locale} text`);
    }
  });

  test('each Russian message file has exactly the English one’s keys, none empty', () => {
    const files = messageFiles();
    const english = [...files.keys()].filter((file) => file.endsWith('.en.json'));
    assert.ok(english.length >= 12, `found ${english.length} catalogs`);
    assert.equal(files.size, english.length * 2, 'every .en.json has its .ru.json and there is no third language file');
    for (const file of english) {
      const en = files.get(file)!;
      const ru = files.get(file.replace(/\.en\.json$/, '.ru.json'));
      assert.ok(ru, `${file} has no Russian file`);
      assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort(), file);
      for (const [key, text] of [...Object.entries(en), ...Object.entries(ru)]) assert.ok(typeof text === 'string' && text.trim() !== '', `${file} ${key} is empty`);
    }
  });

  test('a Russian text has the same placeholders as the English one ({wait} in both, not {wait} in one and none in the other)', () => {
    for (const [file, en] of messageFiles()) {
      if (!file.endsWith('.en.json')) continue;
      const ru = JSON.parse(readFileSync(file.replace(/\.en\.json$/, '.ru.json'), 'utf8')) as Record<string, string>;
      for (const key of Object.keys(en)) assert.deepEqual(placeholders(ru[key]), placeholders(en[key]), `${file} ${key}`);
    }
  });
});
