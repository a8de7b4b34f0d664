// 0010_openid_provider (issue 11), with Kysely's schema builder like every migration: the same on SQLite and PostgreSQL.
import type { Kysely, Migration } from 'kysely';

// Issue 11: Gatehouse as an OpenID Connect provider. oidc_clients are the store's registered apps
// (the secret only as a keyed hash); oidc_payloads holds every model oidc-provider stores (codes,
// tokens, grants, its sessions and interactions) as JSON with the columns it looks rows up by, so
// any node can finish what another began; oidc_keys are the signing keys, sealed with the secret;
// oidc_consents is what a shopper allowed an app, kept apart from oidc-provider's Grant, which
// sign-out and token reuse delete.
export const openIdProvider: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('oidc_clients')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text')
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
      .addColumn('first_party', 'integer', (c) => c.notNull())
      .addColumn('id_token_alg', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('oidc_payloads')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('uid', 'text')
      .addColumn('account_id', 'text')
      .addColumn('client_id', 'text')
      .addColumn('session_uid', 'text')
      .addColumn('gatehouse_session_id', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('consumed_at', 'bigint')
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
      .execute();
    await db.schema.createIndex('oidc_payloads_by_grant').on('oidc_payloads').column('grant_id').execute();
    await db.schema.createIndex('oidc_payloads_by_uid').on('oidc_payloads').column('uid').execute();
    await db.schema.createIndex('oidc_payloads_by_account').on('oidc_payloads').columns(['account_id', 'client_id']).execute();
    await db.schema.createIndex('oidc_payloads_by_session').on('oidc_payloads').column('gatehouse_session_id').execute();
    await db.schema.createIndex('oidc_payloads_by_session_uid').on('oidc_payloads').column('session_uid').execute();
    await db.schema.createIndex('oidc_payloads_by_expiry').on('oidc_payloads').column('expires_at').execute();
    await db.schema
      .createTable('oidc_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('slot', 'text', (c) => c.unique())
      .addColumn('sealed_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('activates_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
    await db.schema
      .createTable('oidc_consents')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull().references('oidc_clients.client_id').onDelete('cascade'))
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_consents_pk', ['account_id', 'client_id'])
      .execute();
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};
