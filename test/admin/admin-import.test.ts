// POST /api/v1/admin/accounts/import (issue 12 §6–7), on SQLite and PostgreSQL: the CLI's import
// over the admin API — the same lines imported, the same reasons for the ones skipped, idempotent.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import bcryptjs from 'bcryptjs';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { signInOk } from '../security/kit.ts';
import { adminToken, call } from './admin-kit.ts';

const NDJSON = { 'content-type': 'application/x-ndjson' };

for (const dialect of testDialects) {
  describe(`admin import on ${dialect}`, () => {
    const app = gatehouseForSuite(dialect);

    test('a JSON Lines body imports each good line, lists each skipped one by number and masked address, and a second run imports nothing again', async () => {
      const token = await adminToken(app, 'importer');
      const bcrypt = bcryptjs.hashSync('old store password', 6);
      const body = [
        JSON.stringify({ email: 'Imported.One@example.com', email_verified: true, login_name: 'imported1', locale: 'ru', password_hash: bcrypt }),
        '',
        'not json at all',
        JSON.stringify({ email: 'imported.two@example.com', email_verified: false, password_hash: null }),
        JSON.stringify({ email: 'imported.three@example.com', email_verified: true, password_hash: '$md5$nope' }),
        JSON.stringify({ email: 'imported.one@example.com', email_verified: true, password_hash: null }),
      ].join('\r\n');
      const first = await call(app, 'POST', '/api/v1/admin/accounts/import', { token, headers: NDJSON, body });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.imported, 2);
      assert.equal(first.json.skipped, 3);
      assert.deepEqual(first.json.skippedLines.map((s: any) => [s.line, s.reason]).sort(), [[3, 'import.not_json'], [5, 'import.hash_unknown_format'], [6, 'import.email_taken']]);
      assert.ok(!first.text.includes('imported.three@') && !first.text.includes('imported.one@'), 'addresses are masked');
      // The imported bcrypt hash signs in.
      await signInOk(createClient(app.url), 'imported.one@example.com', 'old store password');

      const again = await call(app, 'POST', '/api/v1/admin/accounts/import', { token, headers: NDJSON, body });
      assert.equal(again.json.imported, 0);
      assert.equal(again.json.skippedByReason['import.email_taken'], 3, 'the two imported and the duplicate');
    });

    test('the import needs an admin token, JSON Lines as its type, and refuses a body over 8 MiB — importing nothing', async () => {
      const token = await adminToken(app, 'import-refusals');
      const line = JSON.stringify({ email: 'never.imported@example.com', email_verified: true, password_hash: null });
      assert.equal((await call(app, 'POST', '/api/v1/admin/accounts/import', { headers: NDJSON, body: line })).status, 401);
      assert.equal((await call(app, 'POST', '/api/v1/admin/accounts/import', { token, headers: { 'content-type': 'text/csv' }, body: line })).status, 415);
      const huge = await call(app, 'POST', '/api/v1/admin/accounts/import', { token, headers: NDJSON, body: `${line}\n${'x'.repeat(8 * 1024 * 1024)}` });
      assert.equal(huge.status, 413);
      assert.equal(huge.json.error.code, 'request.too_large');
      const found = await app.gatehouse.services.db.selectFrom('accounts').select('id').where('email', '=', 'never.imported@example.com').executeTakeFirst();
      assert.equal(found, undefined);
    });
  });
}
