// Writes a batch of imported accounts: one transaction and one multi-row INSERT per batch (on
// SQLite one commit for hundreds of rows instead of one each; on PostgreSQL one round trip, not
// one per row). Idempotent: an email or login name that already has an account is reported, never
// a second account. The unique indexes decide (ON CONFLICT DO NOTHING), so a sign-up that takes an
// address while the import runs is safe too; only the rows they turned away are looked up, to say
// which of the two was taken (a first import asks nothing, a re-run one query per batch).
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
        const taken: TakenLine[] = [];
        const rows: AccountsTable[] = [];
        const lineOf = new Map<string, number>();
        const namesInBatch = new Set<string>();
        for (const account of batch) {
          // The same email or login name twice in a file is one account: the first line's.
          if (lineOf.has(account.email)) taken.push({ line: account.line, email: account.email, reason: 'import.email_taken' });
          else if (account.loginName && namesInBatch.has(account.loginName)) taken.push({ line: account.line, email: account.email, reason: 'import.login_name_taken' });
          else {
            lineOf.set(account.email, account.line);
            if (account.loginName) namesInBatch.add(account.loginName);
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
          // The rows the unique indexes turned away: by their email, or else by their login name.
          const written = new Set(inserted.map((row) => row.email));
          const refused = rows.filter((row) => !written.has(row.email)).map((row) => row.email);
          const byEmail = new Set((await trx.selectFrom('accounts').select('email').where('email', 'in', refused).execute()).map((row) => row.email));
          for (const email of refused) taken.push({ line: lineOf.get(email)!, email, reason: byEmail.has(email) ? 'import.email_taken' : 'import.login_name_taken' });
          taken.sort((a, b) => a.line - b.line);
        }
        return { inserted: inserted.length, taken };
      });
    },
  };
}

export type ImportStore = ReturnType<typeof createImportStore>;
