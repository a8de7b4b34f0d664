// 0012_operations (issue 12 §5, §6): the store's other systems and its support team.
import type { Kysely, Migration } from 'kysely';

// admin_tokens: bearer tokens for /api/v1/admin, shown once and stored only as their SHA-256 (a
// token is 32 random bytes: no dictionary to try, so a fast hash is enough). Revoked, never
// deleted, so the security events that name one keep meaning something.
// webhook_endpoints: where events are posted. The signing secret is needed to sign every
// delivery, so it is sealed with GATEHOUSE_SECRET (like outbox payloads), not hashed.
export const operations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('admin_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('webhook_endpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
