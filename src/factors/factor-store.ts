// The confirmed second factors of an account: a phone number, an authenticator app (TOTP) and
// backup codes, plus the two-step sign-in switch. Nothing here is readable from a database copy:
// the number and the TOTP key are sealed, backup codes are keyed hashes.
//
// Every "use" (a TOTP step, a backup code) is one conditional UPDATE, so of two requests racing
// with the same code exactly one wins — that is what makes a code single use across processes.
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { newTotpSecret } from './totp.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';

export interface FactorSummary {
  /** Masked, as pages may show it ("+7 *** ***-**-12"), or null without a phone. */
  phone: string | null;
  totp: boolean;
  backupCodesLeft: number;
  /** How many passkeys the account has (src/passkeys/): each one is a second factor too. */
  passkeys: number;
  twoStep: boolean;
}

/** Something two-step sign-in can ask for: a phone, an authenticator app or a passkey. */
export const hasSecondFactor = (summary: FactorSummary): boolean => !!summary.phone || summary.totp || summary.passkeys > 0;

export function createFactorStore(db: Database, secrets: Secrets, clock: Clock) {
  const backupCodeHash = (accountId: string, normalized: string) => secrets.keyedHash(`backup-code:${accountId}`, normalized);
  /** A sealed value that does not open for this account (copied from another row, damaged) counts as absent, not as a crash. */
  const unsealOrUndefined = (accountId: string, sealed: string): string | undefined => {
    try {
      return secrets.unsealBound(accountId, sealed);
    } catch {
      return undefined;
    }
  };

  // Sealed once per process under a context no account id has: opening it for an account
  // without an authenticator (or for nobody) costs the same decryption as opening a real one.
  const DECOY_CONTEXT = 'no-authenticator';
  const decoyTotpSealed = secrets.sealBound(DECOY_CONTEXT, newTotpSecret());

  return {
    /** `executor`: a transaction that must see its own changes (and, on SQLite, must not wait for itself). */
    async summary(accountId: string, executor: Database = db): Promise<FactorSummary> {
      const [phone, totp, codes, account, passkeys] = await Promise.all([
        executor.selectFrom('account_phones').select('masked').where('account_id', '=', accountId).executeTakeFirst(),
        executor.selectFrom('totp_credentials').select('account_id').where('account_id', '=', accountId).executeTakeFirst(),
        this.backupCodesLeft(accountId, executor),
        executor.selectFrom('accounts').select('two_step_enabled_at').where('id', '=', accountId).executeTakeFirst(),
        executor.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow(),
      ]);
      return { phone: phone?.masked ?? null, totp: !!totp, backupCodesLeft: codes, passkeys: Number(passkeys.n), twoStep: account?.two_step_enabled_at != null };
    },

    // ---- phone -------------------------------------------------------------------------------

    async findPhone(accountId: string): Promise<{ e164: string; masked: string } | undefined> {
      const row = await db.selectFrom('account_phones').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      const e164 = row ? unsealOrUndefined(accountId, row.number_sealed) : undefined;
      return row && e164 ? { e164, masked: row.masked } : undefined;
    },

    async savePhone(executor: Database, accountId: string, e164: string, masked: string) {
      const values = { number_sealed: secrets.sealBound(accountId, e164), masked, verified_at: clock.now() };
      await executor
        .insertInto('account_phones')
        .values({ account_id: accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute();
    },

    async removePhone(executor: Database, accountId: string) {
      await executor.deleteFrom('account_phones').where('account_id', '=', accountId).execute();
    },

    // ---- authenticator app (TOTP) ------------------------------------------------------------

    async findTotpSecret(accountId: string): Promise<string | undefined> {
      const row = await db.selectFrom('totp_credentials').select('secret_sealed').where('account_id', '=', accountId).executeTakeFirst();
      return row ? unsealOrUndefined(accountId, row.secret_sealed) : undefined;
    },

    /**
     * The account's authenticator secret, or a decoy one (`real: false`) when it has none: the
     * same query and the same decryption either way, so a code checked against it takes the same
     * work whether or not the account (or an authenticator) exists.
     */
    async totpSecretOrDecoy(accountId: string): Promise<{ secret: string; real: boolean }> {
      const row = await db.selectFrom('totp_credentials').select('secret_sealed').where('account_id', '=', accountId).executeTakeFirst();
      const secret = row ? unsealOrUndefined(accountId, row.secret_sealed) : unsealOrUndefined(DECOY_CONTEXT, decoyTotpSealed);
      return row && secret ? { secret, real: true } : { secret: secret ?? newTotpSecret(), real: false };
    },

    /** Stores a confirmed authenticator; `usedStep` is the step of the code that confirmed it. */
    async saveTotp(executor: Database, accountId: string, secret: string, usedStep: number) {
      const values = { secret_sealed: secrets.sealBound(accountId, secret), last_used_step: usedStep, confirmed_at: clock.now() };
      await executor
        .insertInto('totp_credentials')
        .values({ account_id: accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute();
    },

    /** RFC 6238 §5.2: a code is accepted once; the step must be newer than the last accepted one. */
    async claimTotpStep(accountId: string, step: number): Promise<boolean> {
      const result = await db
        .updateTable('totp_credentials')
        .set({ last_used_step: step })
        .where('account_id', '=', accountId)
        .where('last_used_step', '<', step)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async removeTotp(executor: Database, accountId: string) {
      await executor.deleteFrom('totp_credentials').where('account_id', '=', accountId).execute();
    },

    // ---- backup codes ------------------------------------------------------------------------

    /** A new set replaces the old one entirely: regenerating voids every code shown before. */
    async replaceBackupCodes(executor: Database, accountId: string, normalizedCodes: string[]) {
      const now = clock.now();
      await executor.deleteFrom('backup_codes').where('account_id', '=', accountId).execute();
      await executor
        .insertInto('backup_codes')
        .values(normalizedCodes.map((code) => ({ id: newId(), account_id: accountId, code_hash: backupCodeHash(accountId, code), created_at: now, used_at: null })))
        .execute();
    },

    async backupCodesLeft(accountId: string, executor: Database = db): Promise<number> {
      const row = await executor
        .selectFrom('backup_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async useBackupCode(accountId: string, normalized: string): Promise<boolean> {
      const result = await db
        .updateTable('backup_codes')
        .set({ used_at: clock.now() })
        .where('account_id', '=', accountId)
        .where('code_hash', '=', backupCodeHash(accountId, normalized))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async removeBackupCodes(executor: Database, accountId: string) {
      await executor.deleteFrom('backup_codes').where('account_id', '=', accountId).execute();
    },

    // ---- two-step sign-in --------------------------------------------------------------------

    async setTwoStep(executor: Database, accountId: string, on: boolean) {
      const now = clock.now();
      await executor.updateTable('accounts').set({ two_step_enabled_at: on ? now : null, updated_at: now }).where('id', '=', accountId).execute();
    },
  };
}

export type FactorStore = ReturnType<typeof createFactorStore>;
