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

  /** When the event that must leave the window for one more to fit was recorded (the oldest when the count sits at the limit). */
  const leavingAt = async (rule: WindowLimit, subject: string, since: number, count: number, executor: Database) => {
    const row = await executor
      .selectFrom('rate_events')
      .select('at')
      .where('bucket', '=', rule.bucket)
      .where('subject', '=', subject)
      .where('at', '>', since)
      .orderBy('at', 'asc')
      .offset(Math.max(0, count - rule.limit))
      .limit(1)
      .executeTakeFirst();
    return row?.at;
  };

  /** Seconds until the window has room again, or 0 when it has room now. */
  const secondsUntilRoom = async (rule: WindowLimit, subject: string, executor: Database = db): Promise<number> => {
    const now = clock.now();
    const since = now - rule.windowSeconds * 1000;
    const count = await countSince(rule.bucket, subject, since, executor);
    if (count < rule.limit) return 0;
    // With `count` events in the window and room for `limit`, one more fits once the
    // (count - limit + 1)th oldest has left it (a lowered limit leaves more than one too many).
    const at = (await leavingAt(rule, subject, since, count, executor)) ?? now;
    return Math.max(1, Math.ceil((at + rule.windowSeconds * 1000 - now) / 1000));
  };

  /**
   * Makes every other transaction that locks the same bucket and subject wait until this one
   * ends (a row lock on PostgreSQL; SQLite runs one transaction at a time anyway). Counting after
   * it sees every claim made before: exact, where "record first, count after" refuses every one
   * of several requests racing for the last unit (each counts the others' rows, which are given
   * back a moment later) and so refuses a shopper whose budget was never spent.
   */
  const lock = async (trx: Database, bucket: string, subject: string) => {
    const now = clock.now();
    await trx
      .insertInto('budget_locks')
      .values({ bucket, subject, touched_at: now })
      .onConflict((oc) => oc.columns(['bucket', 'subject']).doUpdateSet({ touched_at: now }))
      .execute();
  };

  /**
   * One unit from each rule, all or nothing: the rules' subjects locked (in one order, so two
   * takers of overlapping rules cannot wait on each other), every window counted, and the events
   * recorded only when all have room. Only a window that is really full refuses, with its true wait.
   */
  const take = (rules: WindowLimit[], subjectFor: (rule: WindowLimit) => string) =>
    db.transaction().execute(async (trx): Promise<{ ok: true; ids: string[] } | { ok: false; rule: WindowLimit; retryAfterSeconds: number }> => {
      const keyed = rules.map((rule) => ({ rule, subject: subjectFor(rule) }));
      const lockOrder = [...keyed].sort((a, b) => (a.rule.bucket + '\0' + a.subject < b.rule.bucket + '\0' + b.subject ? -1 : 1));
      for (const { rule, subject } of lockOrder) await lock(trx, rule.bucket, subject);
      const now = clock.now();
      for (const { rule, subject } of keyed) {
        if ((await countSince(rule.bucket, subject, now - rule.windowSeconds * 1000, trx)) >= rule.limit) {
          return { ok: false, rule, retryAfterSeconds: await secondsUntilRoom(rule, subject, trx) };
        }
      }
      const events = keyed.map(({ rule, subject }) => ({ id: newId(), bucket: rule.bucket, subject, at: now }));
      if (events.length > 0) await trx.insertInto('rate_events').values(events).execute();
      return { ok: true, ids: events.map((event) => event.id) };
    });

  return {
    countSince,
    secondsUntilRoom,

    lock,

    async record(executor: Database, bucket: string, subject: string) {
      await executor.insertInto('rate_events').values({ id: newId(), bucket, subject, at: clock.now() }).execute();
    },

    /** Takes one unit from each rule, all or nothing (see `take`). */
    consume: take,

    /**
     * Counts one event now if the window has room for it (see `take`). The id lets an attempt that
     * turned out not to count (a successful sign-in) be taken back with `release`.
     */
    async claim(rule: WindowLimit, subject: string): Promise<{ ok: true; id: string } | { ok: false; retryAfterSeconds: number }> {
      const taken = await take([rule], () => subject);
      return taken.ok ? { ok: true, id: taken.ids[0]! } : { ok: false, retryAfterSeconds: taken.retryAfterSeconds };
    },

    /** Takes back claimed events (an attempt that did not count after all, a send that did not go). */
    async release(ids: string | string[]) {
      const list = typeof ids === 'string' ? [ids] : ids;
      if (list.length > 0) await db.deleteFrom('rate_events').where('id', 'in', list).execute();
    },
  };
}

export type RateEvents = ReturnType<typeof createRateEvents>;
