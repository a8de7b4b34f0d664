// Approximate places from the bundled DB-IP country database (src/places): a public address gets
// its country with an English and a Russian name, an address that is not public or not an address
// at all gets no place (and never an exception), and sameNetworkOrCountry decides when the QR
// confirm screen must warn that the browser is somewhere else. The addresses are long-standing
// allocations (Google, Orange France, Yandex); a database update that moves one is worth a look.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { placeInWords, placeOf, sameNetworkOrCountry } from '../../src/places/approximate-place.ts';

describe('approximate places', () => {
  test('a public address gets its country code and the country’s name in English and Russian, for IPv4 and IPv6', async () => {
    const expected: Array<[string, string, string, string]> = [
      ['8.8.8.8', 'US', 'United States', 'Соединенные Штаты'],
      ['90.0.0.1', 'FR', 'France', 'Франция'],
      ['2a01:cb00::1', 'FR', 'France', 'Франция'],
      ['77.88.8.8', 'RU', 'Russia', 'Россия'],
      ['2a02:6b8::feed:0ff', 'RU', 'Russia', 'Россия'],
    ];
    for (const [address, countryCode, en, ru] of expected) {
      assert.deepEqual(await placeOf(address), { countryCode, country: { en, ru } }, address);
    }
  });

  test('an IPv4-mapped IPv6 address is its IPv4 address, however it is spelled', async () => {
    for (const address of ['::ffff:8.8.8.8', '::FFFF:8.8.8.8', '::ffff:808:808', '0:0:0:0:0:ffff:0808:0808']) {
      assert.equal((await placeOf(address))?.countryCode, 'US', address);
    }
    assert.equal(await placeOf('::ffff:10.1.2.3'), null, 'a mapped private address is still private');
    assert.equal(await placeOf('::ffff:127.0.0.1'), null, 'a mapped loopback address is still loopback');
  });

  test('loopback, private, link-local, shared and documentation addresses have no place: they are the local network, not a country', async () => {
    const local = [
      '127.0.0.1', '127.255.0.9', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.1.10', '169.254.3.4',
      '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.251', '192.0.2.7', '198.51.100.7', '203.0.113.7',
      '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1', '3fff::1',
    ];
    for (const address of local) assert.equal(await placeOf(address), null, address);
    // The edges of the private ranges stay public: 172.32/16 is not 172.16/12.
    assert.equal((await placeOf('172.32.0.1')) === null, false, '172.32.0.1 is a public address');
  });

  test('text that is not exactly one address gets no place and never throws, even where the database reader would guess', async () => {
    // mmdb-lib alone reads "1.2.3", "1.2.3.256", "01.2.3.4" and "1.2.3.4 " as 1.2.3.x (Australia):
    // a header someone wrote must not become a place.
    const malformed = [
      '', ' ', 'unknown', '1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4 ', ' 8.8.8.8', '8.8.8.8\n', '8.8.8.8%eth0', '8.8.8.8:443',
      '8.8.8.8, 1.1.1.1', '[2a01:cb00::1]', '2a01:cb00::1::2', 'gggg::1', '::ffff:999.1.1.1', '8.8.8.8\u0000', 'x'.repeat(100_000),
    ];
    for (const address of malformed) assert.equal(await placeOf(address), null, JSON.stringify(address.slice(0, 30)));
    for (const notText of [undefined, null, 8, {}, ['8.8.8.8']]) assert.equal(await placeOf(notText as unknown as string), null, String(notText));
  });

  test('the place in a sentence is the country in the reader’s language, or the address when the place is unknown', async () => {
    const france = await placeOf('90.0.0.1');
    assert.equal(placeInWords(france, '90.0.0.1', 'en'), 'France');
    assert.equal(placeInWords(france, '90.0.0.1', 'ru'), 'Франция');
    assert.equal(placeInWords(await placeOf('10.1.2.3'), '10.1.2.3', 'ru'), '10.1.2.3');
  });

  test('a place is shared and cannot be changed by whoever receives it', async () => {
    const place = (await placeOf('8.8.8.8'))!;
    assert.ok(Object.isFrozen(place) && Object.isFrozen(place.country));
    assert.throws(() => {
      (place.country as { en: string }).en = 'Atlantis';
    }, TypeError);
    assert.equal((await placeOf('8.8.4.4'))?.country.en, 'United States');
  });
});

describe('when the QR confirm screen warns: sameNetworkOrCountry', () => {
  const same = (a: string, b: string) => sameNetworkOrCountry(a, b);

  test('two addresses in the same country are the same place, over IPv4 and IPv6 alike', async () => {
    assert.equal(await same('90.0.0.1', '2a01:cb00::1'), true);
    assert.equal(await same('77.88.8.8', '2a02:6b8::feed:0ff'), true);
    assert.equal(await same('::ffff:8.8.8.8', '8.8.4.4'), true);
  });

  test('two addresses in different countries are not the same place', async () => {
    assert.equal(await same('90.0.0.1', '77.88.8.8'), false);
    assert.equal(await same('2a01:cb00::1', '8.8.8.8'), false);
  });

  test('a known country and an unknown place are not the same place: an unknown place vouches for nothing', async () => {
    assert.equal(await same('90.0.0.1', '10.0.0.1'), false, 'a public address and a local one');
    assert.equal(await same('127.0.0.1', '8.8.8.8'), false, 'loopback and a public address');
    assert.equal(await same('4000::1', '90.0.0.1'), false, 'a public address the database does not place, and France');
  });

  test('two local-network addresses are the same place: nothing to compare (development, one intranet)', async () => {
    assert.equal(await same('10.0.0.1', '10.0.200.7'), true);
    assert.equal(await same('10.0.0.1', '10.1.0.1'), true);
    assert.equal(await same('127.0.0.1', '192.168.9.9'), true);
    assert.equal(await same('10.0.0.1', 'fd00::1'), true);
  });

  test('public addresses the database does not place: only the same /16 (IPv4) or /32 (IPv6) network is the same place', async () => {
    assert.equal(await same('4000::1', '4000:0:ffff::2'), true, 'one /32 the database does not place');
    assert.equal(await same('4000::1', '4000:1::1'), false, 'two /32s');
    assert.equal(await same('4000::1', '10.0.0.1'), false, 'an unplaced public address and a local one');
  });

  test('anything that is not an address is never the same place, not even as itself', async () => {
    assert.equal(await same('unknown', 'unknown'), false);
    assert.equal(await same('1.2.3', '1.2.3'), false);
    assert.equal(await same('90.0.0.1', '90.0.0.1 '), false);
  });
});
