// identity/imported-hashes/: every format the import accepts, verified against hashes made by the
// real tools of that format (or their published test values), the wrong password refused, and
// shapes and costs outside the sign-in budget refused by name, before any account is written.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { Algorithm, hash as argon2Hash } from '@node-rs/argon2';
import { readImportedHash, storedFormOf } from '../../src/identity/imported-hashes/imported-hash.ts';
import { SIGN_IN_BUDGET } from '../../src/identity/imported-hashes/sign-in-budget.ts';

const PASSWORD = 'ёлка correct horse 42';

/** Reads the hash, says its kind, and checks it takes the right password and only that one. */
async function verifiesOnly(hash: string, password: string, kind: string) {
  const read = readImportedHash(hash);
  assert.ok(read.ok, `${hash.slice(0, 20)}… is read (${read.ok ? '' : read.problem})`);
  assert.equal(read.kind, kind);
  assert.equal(await read.verify(password), true, 'the right password verifies');
  assert.equal(await read.verify(`${password}x`), false, 'a longer password does not');
  assert.equal(await read.verify(password.slice(0, -1)), false, 'a shorter one does not');
  assert.equal(await read.verify(''), false, 'an empty one does not');
}

const problemOf = (hash: string) => {
  const read = readImportedHash(hash);
  return read.ok ? 'read' : read.problem;
};

/** PHC base64: the standard alphabet without padding. */
const phc = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

describe('imported hash formats', () => {
  test('bcrypt $2a$, $2b$ and $2y$ from bcryptjs and published vectors (jBCrypt, PHP manual) verify the password (non-ASCII too)', async () => {
    await verifiesOnly(bcryptjs.hashSync(PASSWORD, 8), PASSWORD, 'bcrypt'); // bcryptjs writes $2b$
    // bcryptjs 3 writes only $2b$; $2a$ is the same computation for passwords under 255 bytes
    // (OpenBSD's $2b$ fixed a length that wrapped at 256), which is how older systems stored it.
    await verifiesOnly(`$2a$${bcryptjs.hashSync(PASSWORD, 8).slice(4)}`, PASSWORD, 'bcrypt');
    // Made by other implementations: jBCrypt's TestBCrypt.java vector for "abc" ($2a$, cost 6) and
    // the PHP manual's password_verify example for "rasmuslerdorf" ($2y$, cost 10).
    await verifiesOnly('$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', 'abc', 'bcrypt');
    await verifiesOnly('$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a', 'rasmuslerdorf', 'bcrypt');
  });

  test('argon2i and argon2id PHC strings from @node-rs/argon2 verify the password', async () => {
    await verifiesOnly(await argon2Hash(PASSWORD, { algorithm: Algorithm.Argon2i, memoryCost: 8192, timeCost: 3, parallelism: 1 }), PASSWORD, 'argon2i');
    await verifiesOnly(await argon2Hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 8192, timeCost: 1, parallelism: 2 }), PASSWORD, 'argon2id');
  });

  test('Django labels are dropped: bcrypt$$2b$… and argon2$argon2id$… verify and are stored as the library writes them', async () => {
    const bcrypt = bcryptjs.hashSync(PASSWORD, 8);
    assert.equal(storedFormOf(`bcrypt$${bcrypt}`), bcrypt);
    await verifiesOnly(`bcrypt$${bcrypt}`, PASSWORD, 'bcrypt');
    const argon2 = await argon2Hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 8192, timeCost: 1 });
    assert.equal(storedFormOf(`argon2${argon2}`), argon2);
    await verifiesOnly(`argon2${argon2}`, PASSWORD, 'argon2id');
  });

  test('scrypt: passlib\'s published PHC examples for "password" verify (ln=8 and its default ln=16)', async () => {
    // From passlib's documentation of passlib.hash.scrypt (passlib 1.7, "Interface" examples).
    await verifiesOnly('$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ', 'password', 'scrypt');
    await verifiesOnly('$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E', 'password', 'scrypt');
  });

  test('scrypt: PHC and Django-style hashes made with node:crypto verify the password', async () => {
    const salt = randomBytes(16);
    await verifiesOnly(`$scrypt$ln=10,r=8,p=1$${phc(salt)}$${phc(scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 1 }))}`, PASSWORD, 'scrypt');
    // Django's ScryptPasswordHasher: scrypt$N$salt$r$p$base64(64-byte key), the salt used as text.
    const key = scryptSync(PASSWORD, 'Jr7kVq2mXa9LpN4sZt8wQe', 64, { N: 2 ** 14, r: 8, p: 5, maxmem: 64 * 1024 * 1024 });
    await verifiesOnly(`scrypt$16384$Jr7kVq2mXa9LpN4sZt8wQe$8$5$${key.toString('base64')}`, PASSWORD, 'scrypt');
  });

  test('PBKDF2: passlib\'s published $pbkdf2-sha256$ examples for "password" verify', async () => {
    // From passlib's documentation of passlib.hash.pbkdf2_sha256 (adapted base64: "." for "+").
    await verifiesOnly('$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M', 'password', 'pbkdf2-sha256');
    await verifiesOnly('$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE', 'password', 'pbkdf2-sha256');
  });

  test('PBKDF2: Django pbkdf2_sha256, PHC i=…,l=… and passlib sha512 hashes made with node:crypto verify the password', async () => {
    const django = pbkdf2Sync(PASSWORD, 'Qm3wZr8TxLp2Vn6Ka1sd9F', 10_000, 32, 'sha256').toString('base64');
    await verifiesOnly(`pbkdf2_sha256$10000$Qm3wZr8TxLp2Vn6Ka1sd9F$${django}`, PASSWORD, 'pbkdf2-sha256');
    const salt = randomBytes(16);
    await verifiesOnly(`$pbkdf2-sha256$i=5000,l=32$${phc(salt)}$${phc(pbkdf2Sync(PASSWORD, salt, 5000, 32, 'sha256'))}`, PASSWORD, 'pbkdf2-sha256');
    await verifiesOnly(`$pbkdf2-sha512$i=5000$${phc(salt)}$${phc(pbkdf2Sync(PASSWORD, salt, 5000, 64, 'sha512'))}`, PASSWORD, 'pbkdf2-sha512');
    const adapted = (bytes: Buffer) => phc(bytes).replaceAll('+', '.');
    await verifiesOnly(`$pbkdf2-sha512$5000$${adapted(salt)}$${adapted(pbkdf2Sync(PASSWORD, salt, 5000, 64, 'sha512'))}`, PASSWORD, 'pbkdf2-sha512');
  });

  test('phpass: the published test vector $P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0 verifies "test12345" and refuses "test12346"', async () => {
    // From phpass's own test.php (openwall.com/phpass, github.com/openwall/phpass): "A correct
    // portable hash for 'test12345'", checked there against 'test12346' as the wrong password.
    await verifiesOnly('$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', 'test12345', 'phpass');
    const read = readImportedHash('$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0');
    assert.ok(read.ok);
    assert.equal(await read.verify('test12346'), false);
    // phpBB writes the same hash as $H$.
    await verifiesOnly('$H$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', 'test12345', 'phpass');
  });

  test('a hash in no known format is unknown_format: MD5, SHA-1, plain text, empty, $2x$, argon2d, megabytes', async () => {
    const argon2d = await argon2Hash(PASSWORD, { algorithm: Algorithm.Argon2d, memoryCost: 8192, timeCost: 1 });
    for (const hash of ['5f4dcc3b5aa765d61d8327deb882cf99', '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', 'hunter2', '', '$2x$10$' + 'a'.repeat(53), argon2d, '$1$saltsalt$hash', '$P$' + 'a'.repeat(600)]) {
      assert.equal(problemOf(hash), 'unknown_format', hash.slice(0, 40));
    }
  });

  test('a known prefix with a broken shape is malformed: cut short, stray characters, wrong key length, zero rounds', () => {
    const good = bcryptjs.hashSync('x', 4);
    assert.equal(problemOf(good.slice(0, -1)), 'malformed');
    assert.equal(problemOf(`${good.slice(0, -1)}!`), 'malformed');
    assert.equal(problemOf('$2b$03$' + good.slice(7)), 'malformed', 'bcrypt cost below 4');
    assert.equal(problemOf('$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L'), 'malformed');
    assert.equal(problemOf('$P$4IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0'), 'malformed', 'phpass count below 2^7 ("4" is 6)');
    assert.equal(problemOf('$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$!!!'), 'malformed');
    assert.equal(problemOf('$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$c2hvcnQ'), 'malformed', 'a 5-byte key');
    assert.equal(problemOf('$scrypt$ln=01,r=8,p=1$c2FsdHNhbHQ$' + 'A'.repeat(43)), 'malformed', 'a leading zero');
    assert.equal(problemOf('$pbkdf2-sha256$0$c2FsdA$' + 'A'.repeat(43)), 'malformed', 'zero rounds');
    assert.equal(problemOf('$pbkdf2-sha256$1000$c2FsdA$' + 'A'.repeat(86)), 'malformed', 'a SHA-512-sized key for SHA-256');
    assert.equal(problemOf('$pbkdf2-sha256$i=1000,l=64$c2FsdA$' + 'A'.repeat(43)), 'malformed', 'l= says 64, the key has 32');
    assert.equal(problemOf('pbkdf2_sha256$1000$salt$not base64'), 'malformed');
  });

  test('costs over the sign-in budget are too_costly: bcrypt 14, argon2 over 100 MiB, scrypt over 64 MiB, PBKDF2 over 2M rounds, phpass over 2^13', () => {
    assert.equal(SIGN_IN_BUDGET.bcryptMaxCost, 13);
    const salt22 = 'a'.repeat(22);
    assert.equal(problemOf(`$2b$13$${salt22}${'b'.repeat(31)}`), 'read', 'bcrypt 13 is within');
    assert.equal(problemOf(`$2b$14$${salt22}${'b'.repeat(31)}`), 'too_costly');
    assert.equal(problemOf(`$2y$31$${salt22}${'b'.repeat(31)}`), 'too_costly');
    const key = 'A'.repeat(43);
    assert.equal(problemOf(`$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$${key}`), 'read', "Django's argon2 default is within");
    assert.equal(problemOf(`$argon2id$v=19$m=204800,t=1,p=1$c2FsdHNhbHQ$${key}`), 'too_costly');
    assert.equal(problemOf(`$argon2i$v=19$m=65536,t=5,p=1$c2FsdHNhbHQ$${key}`), 'too_costly', '64 MiB × 5 passes');
    assert.equal(problemOf(`$scrypt$ln=16,r=8,p=1$c2FsdA$${key}`), 'read', "passlib's default is within");
    assert.equal(problemOf(`$scrypt$ln=17,r=8,p=1$c2FsdA$${key}`), 'too_costly', '128 MiB');
    assert.equal(problemOf(`$scrypt$ln=14,r=8,p=32$c2FsdA$${key}`), 'too_costly', 'N·r·p = 2^22');
    assert.equal(problemOf(`$scrypt$ln=60,r=8,p=1$c2FsdA$${key}`), 'too_costly');
    assert.equal(problemOf(`$pbkdf2-sha256$2000000$c2FsdA$${key}`), 'read');
    assert.equal(problemOf(`$pbkdf2-sha256$2000001$c2FsdA$${key}`), 'too_costly');
    assert.equal(problemOf(`pbkdf2_sha256$99999999$salt$${'A'.repeat(43)}=`), 'too_costly');
    assert.equal(problemOf('$P$BIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0'), 'read', 'phpass 2^13 (WordPress) is within');
    assert.equal(problemOf('$P$CIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0'), 'too_costly', 'phpass 2^14: its loop would hold the event loop');
  });
});
