// 0011_security_events (issue 12): what happened to each account, for the shopper's "Recent
// security activity", the support team's admin API and the store's webhooks.
import type { Kysely, Migration } from 'kysely';

// Append-only: a row is written in the same transaction as what it records and never changed,
// except that housekeeping cuts client_address to its /24 or /48 network after 30 days (a full
// address is personal data kept only while it helps the owner spot a stranger). account_id is
// null for a failed sign-in to no account: the same insert is made either way, so the time a
// refusal takes does not tell whether the account exists. user_agent is the raw header, cut to
// 512 characters, and is only ever shown through the fixed list in sessions/user-agent.ts.
export const securityEvents: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('security_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('way', 'text')
      .addColumn('result', 'text')
      .addColumn('detail', 'text')
      .addColumn('client_address', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('actor', 'text')
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('security_events_by_account').on('security_events').columns(['account_id', 'occurred_at']).execute();
    await db.schema.createIndex('security_events_by_time').on('security_events').column('occurred_at').execute();
  },
};
