// Passkeys and their challenges, on Kysely for both dialects. Every transition is one conditional
// UPDATE: a challenge is consumed only while unused, unexpired and asked for by this browser, so
// of two racing requests exactly one gets it; the signature counter moves only from the value the
// verifier read, so two sign-ins with the same assertion cannot both pass.
import { sha256Hex } from '../shared/secrets.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { PasskeysTable } from '../storage/tables.ts';

/** A challenge lives 5 minutes (DESIGN.md §2). */
export const CHALLENGE_LIFETIME_MS = 5 * 60_000;
/** At most this many passkeys per account (DESIGN.md §2). */
export const MAX_PASSKEYS_PER_ACCOUNT = 10;

export type ChallengePurpose = 'register' | 'authenticate';

export interface ChallengeBinding {
  purpose: ChallengePurpose;
  /** request.ctx.browserId (or `app:<session id>` for the app): only this browser can use the challenge. */
  browserId: string;
  flowId?: string | null;
  accountId?: string | null;
}

export interface PasskeyRow {
  id: string;
  accountId: string;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  aaguid: string;
  name: string;
  deviceType: 'singleDevice' | 'multiDevice';
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  /** Set once a counter went back: refused for good (see PasskeysTable). */
  suspectedCloneAt: number | null;
}

export type NewPasskey = Omit<PasskeyRow, 'id' | 'accountId' | 'createdAt' | 'lastUsedAt' | 'suspectedCloneAt'>;

function rowOf(row: PasskeysTable): PasskeyRow {
  let transports: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.transports);
    if (Array.isArray(parsed)) transports = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    // A damaged column reads as "no transports known": the browser then tries them all.
  }
  return {
    id: row.id,
    accountId: row.account_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports,
    aaguid: row.aaguid,
    name: row.name,
    deviceType: row.device_type,
    backupEligible: Number(row.backup_eligible) === 1,
    backedUp: Number(row.backed_up) === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    suspectedCloneAt: row.suspected_clone_at === null ? null : Number(row.suspected_clone_at),
  };
}

export function createPasskeyStore(db: Database, clock: Clock) {
  return {
    // ---- challenges --------------------------------------------------------------------------

    /** Stores the challenge's hash with what it is bound to; it is usable until expiresAt. */
    async issueChallenge(challenge: string, binding: ChallengeBinding): Promise<{ id: string; expiresAt: number }> {
      const now = clock.now();
      const row = {
        id: newId(),
        challenge_hash: sha256Hex(challenge),
        purpose: binding.purpose,
        browser_hash: sha256Hex(binding.browserId),
        flow_id: binding.flowId ?? null,
        account_id: binding.accountId ?? null,
        created_at: now,
        expires_at: now + CHALLENGE_LIFETIME_MS,
        used_at: null,
      };
      await db.insertInto('passkey_challenges').values(row).execute();
      return { id: row.id, expiresAt: row.expires_at };
    },

    /**
     * Marks the challenge used if it is unused, unexpired and bound to exactly this purpose,
     * browser, flow and account (or none): one conditional UPDATE, so it is used once.
     * Returns the account it was issued for (null: none named), or undefined when refused.
     */
    async consumeChallenge(challenge: string, binding: ChallengeBinding): Promise<{ accountId: string | null } | undefined> {
      const now = clock.now();
      const hash = sha256Hex(challenge);
      let update = db
        .updateTable('passkey_challenges')
        .set({ used_at: now })
        .where('challenge_hash', '=', hash)
        .where('purpose', '=', binding.purpose)
        .where('browser_hash', '=', sha256Hex(binding.browserId))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now);
      update = binding.flowId ? update.where('flow_id', '=', binding.flowId) : update.where('flow_id', 'is', null);
      // Strict both ways: a challenge issued for an account (a second step) cannot be spent by a
      // verification that names none (a password-less sign-in would then accept any account's key).
      update = binding.accountId ? update.where('account_id', '=', binding.accountId) : update.where('account_id', 'is', null);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const row = await db.selectFrom('passkey_challenges').select('account_id').where('challenge_hash', '=', hash).executeTakeFirstOrThrow();
      return { accountId: row.account_id };
    },

    /** Housekeeping: challenges past their life are worth nothing. */
    async deleteExpiredChallenges(before: number): Promise<number> {
      const result = await db.deleteFrom('passkey_challenges').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    // ---- passkeys ----------------------------------------------------------------------------

    async listForAccount(accountId: string, executor: Database = db): Promise<PasskeyRow[]> {
      const rows = await executor.selectFrom('passkeys').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
      return rows.map(rowOf);
    },

    async countForAccount(accountId: string, executor: Database = db): Promise<number> {
      const row = await executor.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async findByCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
      const row = await db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return row ? rowOf(row) : undefined;
    },

    async findForAccount(accountId: string, id: string): Promise<PasskeyRow | undefined> {
      const row = await db.selectFrom('passkeys').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return row ? rowOf(row) : undefined;
    },

    /**
     * Saves a verified passkey. Throws the database's unique violation when the credential id is
     * already registered (to any account); the caller turns it into a typed failure.
     */
    async add(executor: Database, accountId: string, passkey: NewPasskey): Promise<PasskeyRow> {
      const row: PasskeysTable = {
        id: newId(),
        account_id: accountId,
        credential_id: passkey.credentialId,
        public_key: passkey.publicKey,
        sign_count: passkey.signCount,
        transports: JSON.stringify(passkey.transports),
        aaguid: passkey.aaguid,
        name: passkey.name,
        device_type: passkey.deviceType,
        backup_eligible: passkey.backupEligible ? 1 : 0,
        backed_up: passkey.backedUp ? 1 : 0,
        created_at: clock.now(),
        last_used_at: null,
        suspected_clone_at: null,
      };
      await executor.insertInto('passkeys').values(row).execute();
      return rowOf(row);
    },

    async rename(accountId: string, id: string, name: string): Promise<boolean> {
      const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async remove(executor: Database, accountId: string, id: string): Promise<PasskeyRow | undefined> {
      const row = await executor.selectFrom('passkeys').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      if (!row) return undefined;
      const result = await executor.deleteFrom('passkeys').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1 ? rowOf(row) : undefined;
    },

    /**
     * Records a sign-in: the counter moves from the value the verifier read (`fromCount`) to the
     * assertion's, and the backup state is refreshed. False when another sign-in moved it first.
     */
    async recordUse(id: string, fromCount: number, toCount: number, backedUp: boolean): Promise<boolean> {
      const result = await db
        .updateTable('passkeys')
        .set({ sign_count: toCount, last_used_at: clock.now(), backed_up: backedUp ? 1 : 0 })
        .where('id', '=', id)
        .where('sign_count', '=', fromCount)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Marks the passkey as possibly copied. True only for the call that marked it, so of racing
     * refusals exactly one tells the owner, and a copy tried again and again mails nobody again.
     */
    async markSuspectedClone(id: string): Promise<boolean> {
      const result = await db.updateTable('passkeys').set({ suspected_clone_at: clock.now() }).where('id', '=', id).where('suspected_clone_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;
