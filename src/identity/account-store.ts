// Accounts and their identifiers. Emails and login names are stored normalized (lower case, NFKC),
// and both carry unique indexes, so "one address, one account" holds under concurrent sign-ups.
import type { Database } from '../storage/database.ts';
import type { AccountsTable } from '../storage/tables.ts';
import type { Identifier } from './identifiers.ts';
import { newId } from '../shared/ids.ts';

export type Account = AccountsTable;

export function createAccountStore(db: Database) {
  return {
    findById: (id: string, executor: Database = db) => executor.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),

    findByEmail: (email: string) => db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst(),

    findByLoginName: (loginName: string) =>
      db.selectFrom('accounts').selectAll().where('login_name', '=', loginName).executeTakeFirst(),

    findByIdentifier: (identifier: Identifier) =>
      db
        .selectFrom('accounts')
        .selectAll()
        .where(identifier.kind === 'email' ? 'email' : 'login_name', '=', identifier.value)
        .executeTakeFirst(),

    async insert(
      executor: Database,
      fields: { email: string; loginName: string | null; passwordHash: string | null; locale: string; emailVerifiedAt: number | null; now: number },
    ): Promise<Account> {
      const account: Account = {
        id: newId(),
        email: fields.email,
        login_name: fields.loginName,
        password_hash: fields.passwordHash,
        locale: fields.locale,
        email_verified_at: fields.emailVerifiedAt,
        locked_at: null,
        two_step_enabled_at: null,
        created_at: fields.now,
        updated_at: fields.now,
      };
      await executor.insertInto('accounts').values(account).execute();
      return account;
    },

    async setPasswordHash(executor: Database, accountId: string, passwordHash: string, now: number) {
      await executor.updateTable('accounts').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', accountId).execute();
    },

    /**
     * Holds the account's row until the transaction ends (a no-op UPDATE: a row lock on PostgreSQL,
     * the write lock on SQLite), so two changes that count and then add — backup codes made by an
     * authenticator set-up and by a passkey at the same moment — run one after the other.
     */
    async holdAccount(trx: Database, accountId: string): Promise<void> {
      await trx.updateTable('accounts').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', accountId).execute();
    },

    async setLocked(accountId: string, lockedAt: number | null, now: number, executor: Database = db) {
      await executor.updateTable('accounts').set({ locked_at: lockedAt, updated_at: now }).where('id', '=', accountId).execute();
    },

    async setLocale(accountId: string, locale: string, now: number) {
      await db.updateTable('accounts').set({ locale, updated_at: now }).where('id', '=', accountId).execute();
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
