// test-groups: alone (see test/harness/test-groups.mjs)
// The place database is read on the first lookup of a public address, never at start-up (a file of
// its own, so that no other test has read it yet in this process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const readerModule = require.resolve('mmdb-lib');

test('the database is read only by the first lookup of a public address, and once, however many lookups arrive together', async () => {
  const places = await import('../../src/places/approximate-place.ts');
  assert.equal(places.placeDatabaseLoads(), 0, 'importing the module reads nothing');
  assert.equal(readerModule in require.cache, false, 'importing the module does not even load the reader');

  assert.equal(await places.placeOf('10.0.0.1'), null);
  assert.equal(await places.placeOf('not an address'), null);
  assert.equal(await places.sameNetworkOrCountry('127.0.0.1', '192.168.0.1'), true, 'two local networks: nothing to compare');
  assert.equal(places.placeDatabaseLoads(), 0, 'local and malformed addresses need no database');

  const countries = await Promise.all(['8.8.8.8', '90.0.0.1', '77.88.8.8', '2a01:cb00::1', '2a02:6b8::1'].map(async (a) => (await places.placeOf(a))?.countryCode));
  assert.deepEqual(countries, ['US', 'FR', 'RU', 'FR', 'RU']);
  assert.equal(places.placeDatabaseLoads(), 1, 'five lookups at once read the file once');
  assert.equal(readerModule in require.cache, true);

  assert.equal((await places.placeOf('1.1.1.1'))?.countryCode, 'AU');
  assert.equal(places.placeDatabaseLoads(), 1, 'later lookups use what is in memory');
});
