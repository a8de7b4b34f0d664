// src/throttling/sms-caps.ts over real rate events on both databases: caps per number and per
// country for texts to verified numbers, and separate caps for numbers being added.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createRateEvents } from '../../src/throttling/rate-events.ts';
import { createSmsCaps } from '../../src/throttling/sms-caps.ts';
import { HOUR, storeSuite } from './store-kit.ts';

storeSuite('SMS caps', (s) => {
  const options = { perNumberPerHour: 2, perCountryPerHour: 3, newNumbers: { perAccountPerHour: 2, perClientPerHour: 10, perCountryPerHour: 10 } };
  const caps = () => createSmsCaps(createRateEvents(s.db, s.clock), { ...options, keyedHash: s.secrets.keyedHash });
  // Every test in its own hour, with its own country code: the caps count across the suite's rows.
  const freshHour = () => s.clock.advance(2 * HOUR);
  const number = () => `+7916${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

  test('a number gets its hourly texts, then sms.number_limit with the wait', async () => {
    freshHour();
    const to = number();
    assert.deepEqual(await caps().reserve(to, '+7'), { ok: true });
    assert.deepEqual(await caps().reserve(to, '+7'), { ok: true });
    const refused = await caps().reserve(to, '+7');
    assert.deepEqual(refused, { ok: false, code: 'sms.number_limit', retryAfterSeconds: 3600, field: 'phone' });
  });

  test('a country gets its hourly texts over all its numbers, then sms.country_limit; another country is not touched', async () => {
    freshHour();
    for (let i = 0; i < 3; i++) assert.ok((await caps().reserve(number(), '+7')).ok);
    assert.equal((await caps().reserve(number(), '+7') as { code: string }).code, 'sms.country_limit');
    assert.ok((await caps().reserve('+33612345678', '+33')).ok);
  });

  test('a refused text takes nothing: the number’s unit goes back when its country is full', async () => {
    freshHour();
    for (let i = 0; i < 3; i++) await caps().reserve(number(), '+7');
    const to = number();
    assert.equal((await caps().reserve(to, '+7') as { code: string }).code, 'sms.country_limit');
    const counted = await s.db.selectFrom('rate_events').select('id').where('bucket', '=', 'sms_number_hour').where('subject', '=', s.secrets.keyedHash('sms-cap:number', to)).execute();
    assert.equal(counted.length, 0);
  });

  test('the caps reset an hour after the texts they count', async () => {
    freshHour();
    const to = number();
    await caps().reserve(to, '+7');
    await caps().reserve(to, '+7');
    s.clock.advance(HOUR);
    assert.deepEqual(await caps().reserve(to, '+7'), { ok: true });
  });

  test('subjects are keyed hashes: no number and no country code is readable in rate_events', async () => {
    freshHour();
    const to = '+79160001122';
    await caps().reserve(to, '+7');
    await caps().reserveForNewNumber(to, '+7', { accountId: 'acct-readable', clientAddress: '198.51.100.9' });
    const rows = JSON.stringify(await s.rows('rate_events'));
    for (const readable of ['79160001122', 'acct-readable', '198.51.100.9']) assert.ok(!rows.includes(readable), readable);
  });

  test('new numbers: an account gets its hourly texts to numbers being added, then sms.new_numbers_limit', async () => {
    freshHour();
    const who = { accountId: randomUUID(), clientAddress: '203.0.113.5' };
    assert.ok((await caps().reserveForNewNumber(number(), '+7', who)).ok);
    assert.ok((await caps().reserveForNewNumber(number(), '+7', who)).ok);
    assert.equal((await caps().reserveForNewNumber(number(), '+7', who) as { code: string }).code, 'sms.new_numbers_limit');
  });

  test('texts to numbers being added never spend what texts to verified numbers count', async () => {
    freshHour();
    const to = number();
    await caps().reserveForNewNumber(to, '+7', { accountId: randomUUID(), clientAddress: '203.0.113.6' });
    await caps().reserveForNewNumber(to, '+7', { accountId: randomUUID(), clientAddress: '203.0.113.6' });
    assert.deepEqual(await caps().reserve(to, '+7'), { ok: true });
    assert.deepEqual(await caps().reserve(to, '+7'), { ok: true });
  });

  test('rehearse does the work of a reservation and never refuses, nor counts against a real number', async () => {
    freshHour();
    for (let i = 0; i < 5; i++) await caps().rehearse();
    assert.deepEqual(await caps().reserve(number(), '+7'), { ok: true });
  });
});
