// Migrations written once with Kysely's schema builder; the same steps run on SQLite and PostgreSQL.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { emailDomains } from './email-domains-migration.ts';
import { openIdProvider } from './openid-provider-migration.ts';
import { passkeys } from './passkeys-migration.ts';
import { securityEvents } from './security-events-migration.ts';
import { operations } from './operations-migration.ts';
import { keptSessions } from './kept-sessions-migration.ts';
import type { Tables } from './tables.ts';

const initialSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('email_verified_at', 'bigint')
      .addColumn('login_name', 'text', (c) => c.unique())
      .addColumn('password_hash', 'text')
      .addColumn('locale', 'text', (c) => c.notNull())
      .addColumn('locked_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('authenticated_via', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .addColumn('client_address', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('sessions_by_account').on('sessions').columns(['account_id', 'created_at']).execute();

    await db.schema
      .createTable('flows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('browser_hash', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('typed_identifier', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('flows_by_expiry').on('flows').column('expires_at').execute();

    await db.schema
      .createTable('verification_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('wrong_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('used_at', 'bigint')
      .addColumn('voided_at', 'bigint')
      .execute();
    await db.schema.createIndex('codes_by_flow').on('verification_codes').columns(['flow_id', 'created_at']).execute();

    await db.schema
      .createTable('rate_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_events_lookup').on('rate_events').columns(['bucket', 'subject', 'at']).execute();

    await db.schema
      .createTable('login_throttles')
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
      .addColumn('blocked_until', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('locale', 'text', (c) => c.notNull())
      .addColumn('recipient_sealed', 'text', (c) => c.notNull())
      .addColumn('payload_sealed', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .execute();
    await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};

const qrLoginRequests: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('qr_login_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('browser_user_agent', 'text', (c) => c.notNull())
      .addColumn('browser_address', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
      .addColumn('app_session_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('scan_by', 'bigint', (c) => c.notNull())
      .addColumn('decide_by', 'bigint')
      .addColumn('complete_by', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('qr_login_requests_by_age').on('qr_login_requests').column('created_at').execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};


// Second factors (issue 4). Pending set-ups (a number waiting for its SMS code, an authenticator
// waiting for its first code) live in flows; these tables hold only what is confirmed.
const secondFactors: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('account_phones')
      .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
      .addColumn('number_sealed', 'text', (c) => c.notNull())
      .addColumn('masked', 'text', (c) => c.notNull())
      .addColumn('verified_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('totp_credentials')
      .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('last_used_step', 'bigint', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('backup_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('backup_codes_by_account').on('backup_codes').columns(['account_id', 'code_hash']).execute();

    await db.schema.alterTable('accounts').addColumn('two_step_enabled_at', 'bigint').execute();
    // When the shopper last proved who they are in this session (password again): changing a
    // phone or an authenticator needs it to be recent, not just a live session cookie.
    await db.schema.alterTable('sessions').addColumn('reverified_at', 'bigint').execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};

// Housekeeping (housekeeping/delete-old-rows.ts) deletes by age; without these it would scan the
// whole of the two tables that grow with every request (sessions: once by expiry, once by sign-out).
const housekeepingIndexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('rate_events_by_age').on('rate_events').column('at').execute();
    await db.schema.createIndex('sessions_by_expiry').on('sessions').column('expires_at').execute();
    await db.schema.createIndex('sessions_by_revocation').on('sessions').column('revoked_at').execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};

// Issue 9 §3. send_cooldowns: the 60 s between sends is per account (or sign-up address) and
// channel across flows, claimed by one conditional upsert, so parallel requests cannot all pass
// it; the row also says which flow holds the code just sent, so the same browser starting again
// gets that code moved to its new flow. budget_locks: one row per budget and subject, locked by
// the transaction that claims a wrong-code try, so parallel tries are counted one after another
// and none is refused for a budget that was not really spent.
const sendCooldowns: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('send_cooldowns')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
      .addColumn('flow_id', 'text', (c) => c.notNull())
      .addColumn('destination_hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('send_cooldowns_pk', ['subject', 'channel'])
      .execute();
    await db.schema.createIndex('send_cooldowns_by_age').on('send_cooldowns').column('last_sent_at').execute();
    await db.schema
      .createTable('budget_locks')
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('touched_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('budget_locks_pk', ['bucket', 'subject'])
      .execute();
    await db.schema.createIndex('budget_locks_by_age').on('budget_locks').column('touched_at').execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};

// Issue 9 §5: a code mail lives as long as its code (expires_at; then 'expired', never sent), and
// a notice is retried until retry_until (3 days after queueing or an operator's re-queue) before
// it is parked. Rows queued before this migration get the same rules from their created_at: the
// code templates with the default 10-minute code lifetime, every other one 3 days.
const outboxExpiry: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('outbox').addColumn('expires_at', 'bigint').execute();
    await db.schema.alterTable('outbox').addColumn('retry_until', 'bigint').execute();
    const codeTemplates = ['registration_code', 'recovery_code', 'verification_code'];
    await db.updateTable('outbox').set((eb: any) => ({ expires_at: eb('created_at', '+', 10 * 60_000) })).where('template', 'in', codeTemplates).execute();
    await db.updateTable('outbox').set((eb: any) => ({ retry_until: eb('created_at', '+', 3 * 24 * 3_600_000) })).where('template', 'not in', codeTemplates).execute();
    await db.updateTable('outbox').set((eb: any) => ({ retry_until: eb.ref('expires_at') })).where('template', 'in', codeTemplates).execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};

export const migrations: Record<string, Migration> = {
  '0001_initial_schema': initialSchema,
  '0002_qr_login_requests': qrLoginRequests,
  '0003_second_factors': secondFactors,
  '0004_housekeeping_indexes': housekeepingIndexes,
  '0006_send_cooldowns': sendCooldowns,
  '0007_outbox_expiry': outboxExpiry,
  '0008_email_domains': emailDomains,
  '0009_passkeys': passkeys,
  '0010_openid_provider': openIdProvider,
  '0011_security_events': securityEvents,
  '0012_operations': operations,
  '0013_kept_sessions': keptSessions,
};
const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Applies what this code has and the database lacks. A database a newer node has migrated
 * already (a rolling deploy, or an older node restarted after it) also holds migrations this code
 * does not know, which Kysely's migrateToLatest refuses as "corrupted". Gatehouse's migrations
 * only add (tables, indexes, columns with defaults), so an older node runs on such a database:
 * with every migration it knows applied, it starts without asking Kysely. When one of its own is
 * missing as well, the history really is mixed, and Kysely's refusal stops it.
 */
export async function migrateToLatest(db: Kysely<Tables>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const known = await migrator.getMigrations();
  if (known.every((migration) => migration.executedAt !== undefined)) return [];
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
