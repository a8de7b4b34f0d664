// Writes a batch of imported accounts: one transaction per batch (on SQLite one fsync for
// hundreds of rows instead of one each; on PostgreSQL one round trip per statement, not per
// row). Idempotent: an email or login name that already has an account is reported, never a second
// account — looked up first to say which, and the unique indexes still decide (ON CONFLICT DO
// NOTHING) when a sign-up takes the address between the look-up and the insert.
import { newId } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { AccountsTable } from '../storage/tables.ts';
import type { ImportedAccount } from './import-line.ts';

export interface TakenLine {
  line: number;
  email: string;
  reason: 'import.email_taken' | 'import.login_name_taken';
}

export function createImportStore(db: Database) {
  return {
    /** Inserts the batch's accounts whose email and login name are free; says which were not. */
    async insertNewAccounts(batch: ImportedAccount[], now: number): Promise<{ inserted: number; taken: TakenLine[] }> {
      if (batch.length === 0) return { inserted: 0, taken: [] };
      return db.transaction().execute(async (trx) => {
        const emails = batch.map((account) => account.email);
        const loginNames = batch.flatMap((account) => (account.loginName ? [account.loginName] : []));
        const takenEmails = new Set((await trx.selectFrom('accounts').select('email').where('email', 'in', emails).execute()).map((row) => row.email));
        const takenNames = new Set(
          loginNames.length ? (await trx.selectFrom('accounts').select('login_name').where('login_name', 'in', loginNames).execute()).map((row) => row.login_name!) : [],
        );
        const taken: TakenLine[] = [];
        const rows: AccountsTable[] = [];
        const lineOf = new Map<string, ImportedAccount>();
        for (const account of batch) {
          // Names seen earlier in this batch count as taken too: the same email twice in a file is one account.
          if (takenEmails.has(account.email)) taken.push({ line: account.line, email: account.email, reason: 'import.email_taken' });
          else if (account.loginName && takenNames.has(account.loginName)) taken.push({ line: account.line, email: account.email, reason: 'import.login_name_taken' });
          else {
            takenEmails.add(account.email);
            if (account.loginName) takenNames.add(account.loginName);
            lineOf.set(account.email, account);
            rows.push({
              id: newId(),
              email: account.email,
              email_verified_at: account.emailVerified ? now : null,
              login_name: account.loginName,
              password_hash: account.passwordHash,
              locale: account.locale,
              locked_at: null,
              two_step_enabled_at: null,
              created_at: now,
              updated_at: now,
            });
          }
        }
        if (rows.length === 0) return { inserted: 0, taken };
        const inserted = await trx.insertInto('accounts').values(rows).onConflict((conflict) => conflict.doNothing()).returning('email').execute();
        if (inserted.length < rows.length) {
          // Taken between the look-up and the insert: by which of the two, the account now says.
          const written = new Set(inserted.map((row) => row.email));
          for (const row of rows.filter((candidate) => !written.has(candidate.email))) {
            const byEmail = await trx.selectFrom('accounts').select('id').where('email', '=', row.email).executeTakeFirst();
            taken.push({ line: lineOf.get(row.email)!.line, email: row.email, reason: byEmail ? 'import.email_taken' : 'import.login_name_taken' });
          }
          taken.sort((a, b) => a.line - b.line);
        }
        return { inserted: inserted.length, taken };
      });
    },
  };
}

export type ImportStore = ReturnType<typeof createImportStore>;
