// 0009_passkeys (issue 10), moved out of migrations.ts unchanged when that file reached 300 lines.
import type { Kysely, Migration } from 'kysely';

// Issue 10: passkeys (WebAuthn credentials) and their challenges. credential_id is unique over all
// accounts: the same authenticator key can belong to one account only, and under a race the
// index decides. A challenge is stored only as its SHA-256, bound to the browser (and a flow or an
// account) that asked, 5 minutes, single use: any node can finish what another started.
export const passkeys: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('credential_id', 'text', (c) => c.notNull().unique())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('sign_count', 'bigint', (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('aaguid', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('backup_eligible', 'integer', (c) => c.notNull())
      .addColumn('backed_up', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('suspected_clone_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_by_account').on('passkeys').column('account_id').execute();
    await db.schema
      .createTable('passkey_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('challenge_hash', 'text', (c) => c.notNull().unique())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('browser_hash', 'text', (c) => c.notNull())
      .addColumn('flow_id', 'text')
      .addColumn('account_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkey_challenges_by_expiry').on('passkey_challenges').column('expires_at').execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};
