// src/import/: a file of existing shoppers, read a line at a time, on both databases. Running the
// same file twice imports nothing the second time; a bad line is reported with its number and
// reason and changes nothing; addresses are normalized as sign-up normalizes them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { createImportStore } from '../../src/import/import-store.ts';
import { readImportLine } from '../../src/import/import-line.ts';
import { importShoppers, linesOf, type SkippedLine } from '../../src/import/shopper-import.ts';
import { storeSuite } from '../stores/store-kit.ts';

const BCRYPT = bcryptjs.hashSync('an old store password', 4);
const PHPASS = '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0';
const dir = mkdtempSync(join(tmpdir(), 'gh-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileOf(lines: string[], ending = '\n'): string {
  const path = join(dir, `shoppers-${++files}.jsonl`);
  writeFileSync(path, lines.join(ending) + ending);
  return path;
}

const json = (value: object) => JSON.stringify(value);

test('each kind of bad line is refused with its own reason', () => {
  const cases: [string, string][] = [
    ['{"email": "a@example.com", "email_verified": true', 'import.not_json'],
    ['[1, 2]', 'import.not_json'],
    ['"just a string"', 'import.not_json'],
    ['null', 'import.not_json'],
    [json({ email: 'a@example.com', email_verified: true, pasword_hash: BCRYPT }), 'import.unknown_field'],
    [json({ email_verified: true }), 'import.email_invalid'],
    [json({ email: 'not an address', email_verified: true }), 'import.email_invalid'],
    [json({ email: 42, email_verified: true }), 'import.email_invalid'],
    [json({ email: 'ex\u00ADample@example.com', email_verified: true }), 'import.email_invalid'],
    [json({ email: 'a@example.com' }), 'import.email_verified_invalid'],
    [json({ email: 'a@example.com', email_verified: 'yes' }), 'import.email_verified_invalid'],
    [json({ email: 'a@example.com', email_verified: true, login_name: 'x' }), 'import.login_name_invalid'],
    [json({ email: 'a@example.com', email_verified: true, login_name: 7 }), 'import.login_name_invalid'],
    [json({ email: 'a@example.com', email_verified: true, locale: 'de' }), 'import.locale_invalid'],
    [json({ email: 'a@example.com', email_verified: true, password_hash: 12 }), 'import.hash_invalid'],
    [json({ email: 'a@example.com', email_verified: true, password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }), 'import.hash_unknown_format'],
    [json({ email: 'a@example.com', email_verified: true, password_hash: '$2b$10$short' }), 'import.hash_malformed'],
    [json({ email: 'a@example.com', email_verified: true, password_hash: `$2b$20$${BCRYPT.slice(7)}` }), 'import.hash_too_costly'],
    [json({ email: 'a@example.com', email_verified: true, login_name: 'x'.repeat(5000) }), 'import.line_too_long'],
  ];
  for (const [line, reason] of cases) {
    const verdict = readImportLine(line, 1);
    assert.equal(verdict.ok, false, line.slice(0, 60));
    assert.equal(!verdict.ok && verdict.reason, reason, line.slice(0, 60));
  }
});

test('a good line: the email and login name normalized as sign-up does, locale en unless given, no password when the hash is null', () => {
  const verdict = readImportLine(json({ email: '  Anna.K@Exämple.TEST ', email_verified: false, login_name: 'Anna_K', password_hash: null }), 9);
  assert.deepEqual(verdict, { ok: true, account: { line: 9, email: 'anna.k@xn--exmple-cua.test', emailVerified: false, loginName: 'anna_k', locale: 'en', passwordHash: null } });
  const django = readImportLine(json({ email: 'b@example.com', email_verified: true, locale: 'ru', password_hash: `bcrypt$${BCRYPT}` }), 1);
  assert.ok(django.ok);
  assert.equal(django.account.passwordHash, BCRYPT, "Django's label is dropped before storing");
  assert.equal(django.account.locale, 'ru');
});

storeSuite('shopper import', (s) => {
  const run = async (path: string, batchSize?: number) => {
    const skipped: SkippedLine[] = [];
    const summary = await importShoppers({ store: createImportStore(s.db), clock: s.clock }, linesOf(path), (line) => skipped.push(line), batchSize);
    return { summary, skipped: skipped.sort((a, b) => a.line - b.line) };
  };
  const countAccounts = async () => Number((await s.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('the same file imported twice: the second run skips every line as taken and writes no second account', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => json({ email: `twice${i}@example.com`, email_verified: i % 2 === 0, login_name: `twice_${i}`, password_hash: i % 2 ? BCRYPT : PHPASS }));
    const path = fileOf(lines);
    const first = await run(path, 3); // batches of 3, 3 and 1
    assert.deepEqual(first.summary, { imported: 7, skipped: 0, skippedByReason: {} });
    const accounts = await countAccounts();
    const rowsBefore = await s.rows('accounts');
    s.clock.advance(60_000);
    const second = await run(path, 3);
    assert.deepEqual(second.summary, { imported: 0, skipped: 7, skippedByReason: { 'import.email_taken': 7 } });
    assert.deepEqual(second.skipped.map((line) => line.line), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(await countAccounts(), accounts);
    assert.deepEqual(await s.rows('accounts'), rowsBefore, 'not one field of the first run changed');
  });

  test('bad lines are reported with their line numbers and reasons, and the good lines around them are imported', async () => {
    const path = fileOf([
      json({ email: 'good.one@example.com', email_verified: true, password_hash: BCRYPT }),
      '{"email": "broken@example.com", ',
      json({ email: 'wrong.types@example.com', email_verified: 1 }),
      '',
      json({ email: 'not-an-address', email_verified: true }),
      json({ email: 'unknown.hash@example.com', email_verified: true, password_hash: 'sha1$abc$def' }),
      json({ email: 'good.two@example.com', email_verified: false, login_name: 'good_two' }),
      json({ email: 'Good.One@example.com', email_verified: true }),
    ]);
    const before = await countAccounts();
    const { summary, skipped } = await run(path);
    assert.equal(summary.imported, 2);
    assert.deepEqual(
      skipped.map((line) => [line.line, line.reason, line.email]),
      [
        [2, 'import.not_json', undefined],
        [3, 'import.email_verified_invalid', 'wrong.types@example.com'],
        [5, 'import.email_invalid', undefined],
        [6, 'import.hash_unknown_format', 'unknown.hash@example.com'],
        [8, 'import.email_taken', 'good.one@example.com'],
      ],
      'line 4 is blank: no account and no report',
    );
    assert.equal(summary.skipped, 5);
    assert.equal(await countAccounts(), before + 2);
    for (const email of ['broken@example.com', 'wrong.types@example.com', 'unknown.hash@example.com']) {
      assert.equal(await s.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst(), undefined, `${email}: nothing written`);
    }
  });

  test('a file with Windows line ends and a byte order mark imports like any other', async () => {
    const path = join(dir, 'windows.jsonl');
    writeFileSync(path, '\uFEFF' + [json({ email: 'crlf.one@example.com', email_verified: true }), json({ email: 'crlf.two@example.com', email_verified: true })].join('\r\n') + '\r\n');
    const { summary } = await run(path);
    assert.deepEqual(summary, { imported: 2, skipped: 0, skippedByReason: {} });
  });

  test('a 10 MB line is skipped as too long without being held whole, and the lines after it (the last without a newline) are imported', async () => {
    const path = join(dir, 'huge-line.jsonl');
    const huge = json({ email: 'huge@example.com', email_verified: true, login_name: 'y'.repeat(10 * 1024 * 1024) });
    writeFileSync(path, [json({ email: 'before.huge@example.com', email_verified: true }), huge, json({ email: 'after.huge@example.com', email_verified: true })].join('\n'));
    const lines: number[] = [];
    for await (const line of linesOf(path)) lines.push(line.length);
    assert.equal(lines.length, 3);
    assert.ok(lines[1]! <= 4097, `the long line reaches the import as ${lines[1]} characters, not ${huge.length}`);
    const { summary, skipped } = await run(path);
    assert.equal(summary.imported, 2);
    assert.deepEqual(skipped.map((line) => [line.line, line.reason]), [[2, 'import.line_too_long']]);
    assert.equal(await s.db.selectFrom('accounts').select('id').where('email', '=', 'huge@example.com').executeTakeFirst(), undefined);
  });

  test('a file of only bad lines changes nothing at all', async () => {
    const before = await s.rows('accounts');
    const { summary } = await run(fileOf(['nope', '{}', json({ email: 'x@example.com', email_verified: true, password_hash: '' })]));
    assert.deepEqual(summary.skippedByReason, { 'import.not_json': 1, 'import.email_invalid': 1, 'import.hash_unknown_format': 1 });
    assert.deepEqual(await s.rows('accounts'), before);
  });
});
