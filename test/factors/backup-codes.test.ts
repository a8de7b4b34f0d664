// Backup codes: ten distinct single-use codes such as "7k2m-x9qp" from an alphabet without
// look-alikes, forgiving normalization of what people type, and the downloadable .txt.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKUP_CODE_ALPHABET,
  BACKUP_CODE_COUNT,
  BACKUP_CODE_LENGTH,
  backupCodesFile,
  newBackupCodes,
  normalizeBackupCode,
} from '../../src/factors/backup-codes.ts';

const CODE_SHAPE = new RegExp(`^[${BACKUP_CODE_ALPHABET}]{4}-[${BACKUP_CODE_ALPHABET}]{4}$`);

describe('backup codes', () => {
  test('a set is 10 distinct codes, each two groups of 4 from the alphabet joined by a hyphen', () => {
    assert.equal(BACKUP_CODE_COUNT, 10);
    const codes = newBackupCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, CODE_SHAPE);
    assert.equal(newBackupCodes(3).length, 3);
    assert.throws(() => newBackupCodes(0), RangeError);
    assert.throws(() => newBackupCodes(2.5), RangeError);
  });

  test('alphabet: lowercase letters and digits without the look-alikes 0 o 1 l i, about 40 bits per code', () => {
    assert.equal(new Set(BACKUP_CODE_ALPHABET).size, BACKUP_CODE_ALPHABET.length, 'no repeated symbol');
    assert.match(BACKUP_CODE_ALPHABET, /^[a-z2-9]+$/);
    for (const lookAlike of '0o1li') assert.ok(!BACKUP_CODE_ALPHABET.includes(lookAlike), lookAlike);
    assert.equal(BACKUP_CODE_ALPHABET.length, 36 - 5, 'everything else is kept');
    // 31 symbols: 8·log2(31) ≈ 39.6 bits (a 32-symbol alphabet would be needed for a full 40).
    const bits = BACKUP_CODE_LENGTH * Math.log2(BACKUP_CODE_ALPHABET.length);
    assert.ok(bits > 39.6 && bits < 40, `${bits} bits`);
  });

  test('codes are uniform over the alphabet: every symbol turns up in every position, none favoured', () => {
    // 800 codes: a symbol missing from one of the 8 positions has odds ≈ 31·8·(30/31)^800 ≈ 1e-9.
    const codes = newBackupCodes(800).map((code) => code.replace('-', ''));
    for (let position = 0; position < 8; position++) {
      assert.equal(new Set(codes.map((code) => code[position])).size, BACKUP_CODE_ALPHABET.length, `position ${position}`);
    }
    const counts = new Map<string, number>();
    for (const code of codes) for (const symbol of code) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    // Expected 6400/31 ≈ 206 each (σ ≈ 14); a symbol even 1.5 times as likely as the rest falls far outside.
    for (const [symbol, n] of counts) assert.ok(n > 130 && n < 290, `${symbol}: ${n}`);
  });

  test('normalize: case, surrounding and inner spaces, and hyphens are forgiven', () => {
    assert.equal(normalizeBackupCode('7K2M X9QP'), '7k2mx9qp');
    assert.equal(normalizeBackupCode(' 7k2m-x9qp '), '7k2mx9qp');
    assert.equal(normalizeBackupCode('7k2mx9qp'), '7k2mx9qp');
    assert.equal(normalizeBackupCode('7k2m – x9qp\n'), '7k2mx9qp', 'an en dash from a word processor');
    for (const code of newBackupCodes()) {
      assert.equal(normalizeBackupCode(code), code.replace('-', ''));
      assert.equal(normalizeBackupCode(code.toUpperCase()), code.replace('-', ''));
    }
  });

  test('normalize: wrong lengths and characters outside the alphabet are refused, look-alikes are not mapped', () => {
    for (const typed of ['', '   ', '7k2m-x9q', '7k2m-x9qpp', '7k2m-x9qp-7k2m', '0k2m-x9qp', 'ok2m-x9qp', '1k2m-x9qp', 'lk2m-x9qp', 'ik2m-x9qp', '7k2m_x9qp', '7k2m.x9qp', '7к2m-x9qp', '７k2m-x9qp', '7k2m-x9q\u0000']) {
      assert.equal(normalizeBackupCode(typed), null, JSON.stringify(typed));
    }
  });

  for (const locale of ['en', 'ru'] as const) {
    test(`download (${locale}): every code once on its own line, no other code-shaped text, title, purpose, single use, date, \\n only`, () => {
      const codes = newBackupCodes();
      const file = backupCodesFile({ codes, storeName: 'Corner Shop', account: 'new.shopper@example.com', createdAt: new Date(Date.UTC(2025, 4, 3, 14, 5)), locale });
      assert.ok(!file.includes('\r'), 'no CR');
      assert.ok(file.endsWith('\n'));
      const lines = file.split('\n');
      assert.deepEqual(lines.filter((line) => CODE_SHAPE.test(line)), codes, 'the codes, in order, one per line');
      // No other line would be taken for a code if typed in as it stands.
      assert.deepEqual(lines.filter((line) => normalizeBackupCode(line) !== null), codes);
      // Nothing else in the xxxx-xxxx shape, even inside a line.
      const anywhere = new RegExp(`[${BACKUP_CODE_ALPHABET}]{4}-[${BACKUP_CODE_ALPHABET}]{4}`, 'gi');
      assert.deepEqual(file.match(anywhere)?.map((found) => found.toLowerCase()), codes);
      assert.ok(lines[0].startsWith(locale === 'en' ? 'Backup codes' : 'Резервные коды'), lines[0]);
      assert.ok(file.includes('Corner Shop') && file.includes('new.shopper@example.com'), 'where they are for');
      assert.match(file, locale === 'en' ? /Each code works once/ : /Каждый код срабатывает один раз/);
      assert.match(file, locale === 'en' ? /3 May 2025.*14:05 UTC/ : /3 мая 2025.*14:05 UTC/);
    });
  }

  test('download: a line break in a name cannot add a line to the file', () => {
    const codes = newBackupCodes(2);
    const file = backupCodesFile({ codes, storeName: 'Shop\r\nabcd-efgh', account: 'a@example.com\nzzzz-zzzz', createdAt: new Date(0), locale: 'en' });
    assert.ok(!file.includes('\r'));
    assert.deepEqual(file.split('\n').filter((line) => CODE_SHAPE.test(line)), codes);
  });
});
