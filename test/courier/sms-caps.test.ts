// SMS-pumping caps: texts per number and per country calling code per hour, counted in the
// database under keyed hashes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { createRateEvents } from '../../src/throttling/rate-events.ts';
import { createSmsCaps } from '../../src/throttling/sms-caps.ts';
import { testDialects } from '../harness/databases.ts';
import { courierKit } from './courier-kit.ts';

const RU = ['+79123456712', '+79123456713', '+79123456714', '+79123456715'];
const UK = '+447911123456';

for (const kind of testDialects) {
  describe(`SMS caps (${kind})`, () => {
    async function setUp(t: Parameters<typeof courierKit>[0], limits = { perNumberPerHour: 3, perCountryPerHour: 50 }) {
      const kit = await courierKit(t, kind);
      const caps = createSmsCaps(createRateEvents(kit.db, kit.clock), { ...limits, newNumbers: { perAccountPerHour: 3, perClientPerHour: 5, perCountryPerHour: 20 }, keyedHash: kit.secrets.keyedHash });
      return { kit, caps };
    }

    test('at most 3 texts per number per hour (default), with the wait until the next one', async (t) => {
      const { kit, caps } = await setUp(t);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await caps.reserve(RU[0], '7'), { ok: true });
        kit.clock.advance(60_000);
      }
      const refused = await caps.reserve(RU[0], '7');
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && refused.code === 'sms.number_limit');
      // The first of the three leaves the window 3600 s after it was counted, 180 s ago.
      assert.ok(!refused.ok && refused.retryAfterSeconds === 3600 - 180, JSON.stringify(refused));
      assert.deepEqual(await caps.reserve(RU[1], '7'), { ok: true }, 'another number is not affected');
      kit.clock.advance((3600 - 180) * 1000);
      assert.deepEqual(await caps.reserve(RU[0], '7'), { ok: true }, 'room again once the oldest left the window');
    });

    test('per country calling code: the cap stops new numbers in that country, not in another', async (t) => {
      const { caps } = await setUp(t, { perNumberPerHour: 3, perCountryPerHour: 3 });
      for (const number of RU.slice(0, 3)) assert.deepEqual(await caps.reserve(number, '7'), { ok: true });
      const refused = await caps.reserve(RU[3], '7');
      assert.ok(!refused.ok && refused.code === 'sms.country_limit' && refused.retryAfterSeconds! > 0, JSON.stringify(refused));
      assert.deepEqual(await caps.reserve(UK, '44'), { ok: true }, 'a number in another country is unaffected');
    });

    test('a refused text is not counted: all or nothing over both caps', async (t) => {
      const { kit, caps } = await setUp(t, { perNumberPerHour: 1, perCountryPerHour: 2 });
      assert.deepEqual(await caps.reserve(RU[0], '7'), { ok: true });
      // Refused by the number cap: must not spend the country's second slot.
      for (let i = 0; i < 5; i++) assert.equal((await caps.reserve(RU[0], '7')).ok, false);
      assert.deepEqual(await caps.reserve(RU[1], '7'), { ok: true });
      const rows = await sql<{ n: number }>`select count(*) as n from rate_events`.execute(kit.db);
      assert.equal(Number(rows.rows[0].n), 4, 'two texts, each counted once per cap');
    });

    test('rate_events hold neither the number nor the country code in plain text', async (t) => {
      const { kit, caps } = await setUp(t);
      await caps.reserve(RU[0], '7');
      await caps.reserve(UK, '44');
      const rows = (await sql<Record<string, unknown>>`select * from rate_events`.execute(kit.db)).rows;
      assert.equal(rows.length, 4);
      const raw = JSON.stringify(rows);
      for (const secret of [RU[0], RU[0].slice(1), UK.slice(1), '9123456712']) assert.ok(!raw.includes(secret), `rate_events contain ${secret}`);
      for (const row of rows) assert.match(String(row.subject), /^[0-9a-f]{64}$/);
    });
  });
}
