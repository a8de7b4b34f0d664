// 0013_kept_sessions (issue 13 §3): "Keep me signed in on this device". A kept browser session
// has no idle limit and lives KEEP_SIGNED_IN_DAYS; the row says which rule it was started under,
// so a change of the setting never turns a short session long (or the other way) after sign-in.
// Every session before this one was started under the short rule: 0.
import type { Kysely, Migration } from 'kysely';

export const keptSessions: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('sessions').addColumn('kept_signed_in', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};
