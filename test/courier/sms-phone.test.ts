// Phone numbers: what parsePhoneNumber accepts as a number we may text, and how numbers are masked.
// Pure functions, no database or network.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePhoneNumber } from '../../src/factors/phone-number.ts';
import { maskPhoneNumber } from '../../src/courier/mask.ts';

describe('phone numbers', () => {
  test('international mobile numbers from Russia, the UK, the US and Germany parse to E.164 with their country code', () => {
    const cases = [
      { typed: '+7 912 345-67-12', e164: '+79123456712', country: '7' },
      { typed: '+44 7911 123456', e164: '+447911123456', country: '44' },
      { typed: '+1 (212) 555-0123', e164: '+12125550123', country: '1' },
      { typed: '+49 1512 3456789', e164: '+4915123456789', country: '49' },
      { typed: '  +79123456712  ', e164: '+79123456712', country: '7' },
    ];
    for (const c of cases) {
      assert.deepEqual(parsePhoneNumber(c.typed), { ok: true, e164: c.e164, countryCallingCode: c.country }, c.typed);
    }
  });

  test('a leading 00 is read as the international prefix', () => {
    assert.deepEqual(parsePhoneNumber('00 49 1512 3456789'), { ok: true, e164: '+4915123456789', countryCallingCode: '49' });
    assert.deepEqual(parsePhoneNumber('0044 7911 123456'), { ok: true, e164: '+447911123456', countryCallingCode: '44' });
  });

  test('premium-rate, shared-cost and toll-free numbers are refused (SMS pumping)', () => {
    for (const typed of ['+1 900 555 0123', '+44 909 879 0123', '+44 871 123 4567', '+7 800 555-35-35']) {
      assert.deepEqual(parsePhoneNumber(typed), { ok: false, code: 'phone.invalid', field: 'phone' }, typed);
    }
  });

  test('landlines are refused: they cannot receive a text', () => {
    for (const typed of ['+44 20 7946 0958', '+7 495 123-45-67', '+49 30 123456']) {
      assert.deepEqual(parsePhoneNumber(typed), { ok: false, code: 'phone.invalid', field: 'phone' }, typed);
    }
  });

  test('invalid, national-only, over-long and extension numbers are refused; empty input is missing', () => {
    for (const typed of ['+7 912', '+44 7700 900123', '8 912 345-67-12', '912 345 67 12', 'call me', '+7 912 345 67 12 ext. 5', `+7${'9'.repeat(60)}`]) {
      assert.deepEqual(parsePhoneNumber(typed), { ok: false, code: 'phone.invalid', field: 'phone' }, typed);
    }
    assert.deepEqual(parsePhoneNumber('   '), { ok: false, code: 'phone.missing', field: 'phone' });
  });

  test('maskPhoneNumber keeps the country code, the grouping and the last two digits', () => {
    assert.equal(maskPhoneNumber('+79123456712'), '+7 *** ***-**-12');
    assert.equal(maskPhoneNumber('+447911123456'), '+44 **** ****56');
    assert.equal(maskPhoneNumber('+12125550123'), '+1 *** ***-**23');
    assert.equal(maskPhoneNumber('+4915123456789'), '+49 **** *****89');
    // Past the country code, the only digits left are the last two.
    for (const [e164, country] of [['+79123456712', '+7'], ['+447911123456', '+44'], ['+380501234567', '+380']]) {
      const masked = maskPhoneNumber(e164);
      assert.ok(masked.startsWith(`${country} `), masked);
      assert.equal(masked.slice(country.length).replace(/\D/g, ''), e164.slice(-2), masked);
    }
  });

  test('maskPhoneNumber never returns what it cannot parse', () => {
    for (const junk of ['', 'not a number', '12345678901', '+0']) assert.equal(maskPhoneNumber(junk), '+***');
  });
});
