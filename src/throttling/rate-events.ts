// Sliding-window limits kept as rows in the database, so every Gatehouse process sharing it sees
// the same counts (DESIGN.md §5). A bucket names the rule, a subject whom it counts (an account,
// a hashed identifier, a client address).
import { sql } from 'kysely';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';

export interface WindowLimit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

export function createRateEvents(db: Database, clock: Clock) {
  const countSince = async (bucket: string, subject: string, since: number, executor: Database = db) => {
    const row = await executor
      .selectFrom('rate_events')
      .select(sql<number>`count(*)`.as('n'))
      .where('bucket', '=', bucket)
      .where('subject', '=', subject)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  const oldestSince = async (bucket: string, subject: string, since: number) => {
    const row = await db
      .selectFrom('rate_events')
      .select('at')
      .where('bucket', '=', bucket)
      .where('subject', '=', subject)
      .where('at', '>', since)
      .orderBy('at', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row?.at;
  };

  /** Seconds until the window has room again, or 0 when it has room now. */
  const secondsUntilRoom = async (rule: WindowLimit, subject: string): Promise<number> => {
    const now = clock.now();
    const since = now - rule.windowSeconds * 1000;
    const count = await countSince(rule.bucket, subject, since);
    if (count < rule.limit) return 0;
    // The window frees up when its (count - limit + 1)th oldest event leaves; the oldest is a
    // close, conservative-enough bound when counts sit at the limit.
    const oldest = (await oldestSince(rule.bucket, subject, since)) ?? now;
    return Math.max(1, Math.ceil((oldest + rule.windowSeconds * 1000 - now) / 1000));
  };

  return {
    countSince,
    secondsUntilRoom,

    /**
     * Makes every other transaction that locks the same bucket and subject wait until this one
     * ends (a row lock on PostgreSQL; SQLite runs one transaction at a time anyway). Counting after
     * it sees every claim made before: exact, where "record first, count after" can refuse a
     * request for claims that are given back a moment later.
     */
    async lock(trx: Database, bucket: string, subject: string) {
      const now = clock.now();
      await trx
        .insertInto('budget_locks')
        .values({ bucket, subject, touched_at: now })
        .onConflict((oc) => oc.columns(['bucket', 'subject']).doUpdateSet({ touched_at: now }))
        .execute();
    },

    async record(executor: Database, bucket: string, subject: string) {
      await executor.insertInto('rate_events').values({ id: newId(), bucket, subject, at: clock.now() }).execute();
    },

    /**
     * Takes one unit from each rule, all or nothing. Records first and counts after, so two
     * requests racing at the limit can both be refused but never both pass.
     */
    async consume(rules: WindowLimit[], subjectFor: (rule: WindowLimit) => string): Promise<{ ok: true; ids: string[] } | { ok: false; rule: WindowLimit; retryAfterSeconds: number }> {
      const now = clock.now();
      const inserted: string[] = [];
      for (const rule of rules) {
        const id = newId();
        await db.insertInto('rate_events').values({ id, bucket: rule.bucket, subject: subjectFor(rule), at: now }).execute();
        inserted.push(id);
        const count = await countSince(rule.bucket, subjectFor(rule), now - rule.windowSeconds * 1000);
        if (count > rule.limit) {
          await db.deleteFrom('rate_events').where('id', 'in', inserted).execute();
          const retryAfterSeconds = Math.max(1, await secondsUntilRoom(rule, subjectFor(rule)));
          return { ok: false, rule, retryAfterSeconds };
        }
      }
      return { ok: true, ids: inserted };
    },

    /**
     * Counts one event now if the window has room for it: recorded first and counted after, so
     * parallel requests cannot all pass a check before any of them is counted. The id lets an
     * attempt that turned out not to count (a successful sign-in) be taken back with `release`.
     */
    async claim(rule: WindowLimit, subject: string): Promise<{ ok: true; id: string } | { ok: false; retryAfterSeconds: number }> {
      const now = clock.now();
      const id = newId();
      await db.insertInto('rate_events').values({ id, bucket: rule.bucket, subject, at: now }).execute();
      const count = await countSince(rule.bucket, subject, now - rule.windowSeconds * 1000);
      if (count <= rule.limit) return { ok: true, id };
      await db.deleteFrom('rate_events').where('id', '=', id).execute();
      return { ok: false, retryAfterSeconds: Math.max(1, await secondsUntilRoom(rule, subject)) };
    },

    /** Takes back claimed events (an attempt that did not count after all, a send that did not go). */
    async release(ids: string | string[]) {
      const list = typeof ids === 'string' ? [ids] : ids;
      if (list.length > 0) await db.deleteFrom('rate_events').where('id', 'in', list).execute();
    },
  };
}

export type RateEvents = ReturnType<typeof createRateEvents>;
