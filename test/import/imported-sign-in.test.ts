// DESIGN.md §2 "password hash": hashes imported from another system are accepted and upgraded on
// the next sign-in. Shoppers imported through the import (src/import/) with one hash of each kind
// sign in through the real sign-in form; the first success stores our argon2id in its place; a
// wrong password, and a stored hash no format reads, fail like any wrong password.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { Algorithm, hash as argon2Hash } from '@node-rs/argon2';
import { testDialects } from '../harness/databases.ts';
import { createManualClock, gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { alertText, makeAccount, signIn, signInOk, whoamiWith, withoutTokens } from '../security/kit.ts';
import { createImportStore } from '../../src/import/import-store.ts';
import { importShoppers } from '../../src/import/shopper-import.ts';

const GENERIC = 'The email, login name or password is not right.';
const PASSWORD = 'imported password ёж 2019';

const phc = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** One hash of each kind the import accepts, each of PASSWORD, made by that format's own tools. */
async function hashesOfEveryKind(): Promise<Record<string, string>> {
  const salt = randomBytes(16);
  return {
    'bcrypt (bcryptjs)': bcryptjs.hashSync(PASSWORD, 6),
    'bcrypt ($2y$, as PHP writes it)': `$2y$${bcryptjs.hashSync(PASSWORD, 6).slice(4)}`,
    argon2i: await argon2Hash(PASSWORD, { algorithm: Algorithm.Argon2i, memoryCost: 8192, timeCost: 2 }),
    'scrypt (PHC)': `$scrypt$ln=10,r=8,p=1$${phc(salt)}$${phc(scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 1 }))}`,
    'scrypt (Django)': `scrypt$1024$dJ4ngoSalt$8$2$${scryptSync(PASSWORD, 'dJ4ngoSalt', 64, { N: 1024, r: 8, p: 2 }).toString('base64')}`,
    'pbkdf2-sha256 (Django)': `pbkdf2_sha256$20000$dJ4ngoSalt$${pbkdf2Sync(PASSWORD, 'dJ4ngoSalt', 20_000, 32, 'sha256').toString('base64')}`,
    'pbkdf2-sha512 (PHC)': `$pbkdf2-sha512$i=5000$${phc(salt)}$${phc(pbkdf2Sync(PASSWORD, salt, 5000, 64, 'sha512'))}`,
  };
}

for (const dialect of testDialects) {
  describe(`signing in with an imported password on ${dialect}`, { timeout: 120_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    const storedHash = async (email: string) =>
      (await app.gatehouse.services.db.selectFrom('accounts').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow()).password_hash!;
    const ourArgon2 = () => {
      const { argon2MemoryKib, argon2Iterations, argon2Parallelism } = app.config.security;
      return `$argon2id$v=19$m=${argon2MemoryKib},t=${argon2Iterations},p=${argon2Parallelism}$`;
    };
    /** Runs lines through the import, as `gatehouse user import` does, into the app's database. */
    const importLines = (lines: object[]) =>
      importShoppers({ store: createImportStore(app.gatehouse.services.db), clock }, (async function* () {
        yield* lines.map((line) => JSON.stringify(line));
      })(), (skipped) => assert.fail(`line ${skipped.line} skipped: ${skipped.reason}`));

    test('every imported kind signs in through the form with its old password, and the first success stores our argon2id instead', async () => {
      const hashes = await hashesOfEveryKind();
      const kinds = Object.keys(hashes);
      const emailOf = (i: number) => `imported.kind${i}@example.com`;
      const summary = await importLines(kinds.map((kind, i) => ({ email: emailOf(i), email_verified: true, password_hash: hashes[kind] })));
      assert.equal(summary.imported, kinds.length);
      for (const [i, kind] of kinds.entries()) {
        clock.advance(11 * 60_000); // each kind in a fresh per-address window
        assert.equal(await storedHash(emailOf(i)), hashes[kind], `${kind}: stored as given`);
        const token = await signInOk(createClient(app.url), emailOf(i), PASSWORD);
        assert.equal((await whoamiWith(app, token)).status, 200, `${kind}: signed in`);
        const upgraded = await storedHash(emailOf(i));
        assert.ok(upgraded.startsWith(ourArgon2()), `${kind}: now ${upgraded.slice(0, 32)}…`);
        assert.equal(await app.gatehouse.services.hasher.verify(upgraded, PASSWORD), true, `${kind}: the new hash holds the same password`);
        await signInOk(createClient(app.url), emailOf(i), PASSWORD);
        assert.equal(await storedHash(emailOf(i)), upgraded, `${kind}: signing in again leaves our hash alone`);
      }
    });

    test('phpass: the WordPress-style vector $P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0 signs in with "test12345" once imported', async () => {
      clock.advance(11 * 60_000);
      // phpass's published test value (github.com/openwall/phpass, test.php); "test12345" is
      // shorter than our 12-character policy, which binds new passwords, not imported ones.
      await importLines([{ email: 'wordpress.buyer@example.com', email_verified: true, login_name: 'wp_buyer', password_hash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0' }]);
      assert.equal((await signIn(createClient(app.url), 'wp_buyer', 'test12346')).status, 401);
      await signInOk(createClient(app.url), 'wp_buyer', 'test12345');
      assert.ok((await storedHash('wordpress.buyer@example.com')).startsWith(ourArgon2()));
    });

    test('a wrong password against an imported hash fails with the generic answer, and the imported hash stays as it was', async () => {
      clock.advance(11 * 60_000);
      const hash = bcryptjs.hashSync(PASSWORD, 6);
      await importLines([{ email: 'wrong.guess@example.com', email_verified: true, password_hash: hash }]);
      const known = await makeAccount(app, { email: 'argon.native@example.com' });
      const imported = await signIn(createClient(app.url), 'wrong.guess@example.com', 'not the password at all');
      const native = await signIn(createClient(app.url), known.email, 'not the password at all');
      assert.equal(imported.status, 401);
      assert.equal(alertText(imported.text), GENERIC);
      assert.equal(withoutTokens(imported.text).replace('wrong.guess@example.com', 'ID'), withoutTokens(native.text).replace(known.email, 'ID'), 'the same page as for a native account');
      assert.equal(await storedHash('wrong.guess@example.com'), hash, 'a failed sign-in does not touch the hash');
    });

    test('a stored hash no format reads fails like a wrong password (401, same words), never a 500, and is left in place', async () => {
      clock.advance(11 * 60_000);
      for (const [i, garbage] of ['md5:5f4dcc3b5aa765d61d8327deb882cf99', '$2b$10$short', '$argon2id$v=19$m=broken', ''].entries()) {
        const account = await makeAccount(app, { email: `garbage${i}@example.com`, passwordHash: garbage });
        const response = await signIn(createClient(app.url), account.email, PASSWORD);
        assert.equal(response.status, 401, JSON.stringify(garbage));
        assert.equal(alertText(response.text), GENERIC);
        assert.equal(await storedHash(account.email), garbage);
      }
    });
  });
}

describe('the work of an unreadable stored hash', () => {
  test('verifying against a stored hash no format reads costs a dummy argon2id verify, like an unknown account', async () => {
    const { createPasswordHasher } = await import('../../src/identity/password-hasher.ts');
    const hasher = createPasswordHasher({ argon2MemoryKib: 19456, argon2Iterations: 2, argon2Parallelism: 1 });
    const real = await hasher.hash(PASSWORD);
    await hasher.verifyAgainstDummy('warm-up'); // the dummy hash is made once, on first use
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const garbage: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      garbage.push(await timed(async () => assert.equal(await hasher.verify('md5:5f4dcc3b5aa765d61d8327deb882cf99', PASSWORD), false)));
      wrong.push(await timed(async () => assert.equal(await hasher.verify(real, 'a wrong password'), false)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
    const ratio = median(garbage) / median(wrong);
    // Returning at once would be ~1000× faster than an argon2id verify.
    assert.ok(ratio > 0.25 && ratio < 4, `garbage/wrong verify time ratio ${ratio.toFixed(2)} is of the same order`);
  });
});
