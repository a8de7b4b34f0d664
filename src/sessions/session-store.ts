// Sessions are stored by the SHA-256 of their token only: a copy of this table signs nobody in.
import type { Database } from '../storage/database.ts';
import { endAppTokensOfAccount, endAppTokensOfSession, hasAppSessions } from './app-token-ends.ts';
import type { SessionsTable } from '../storage/tables.ts';
import type { SignedIn } from '../http/request-context.ts';

export type SessionRow = SessionsTable;

/** What a browser's cookie is set from when a session gets a new token: its kind, age, end and rule. */
const COOKIE_FACTS = ['kind', 'created_at', 'expires_at', 'kept_signed_in'] as const;
export type CookieFacts = Pick<SessionRow, (typeof COOKIE_FACTS)[number]>;

/** A session row with its account's facts: what requests carry, before its idle deadline is added. */
export type SessionWithAccount = Omit<SignedIn, 'idleExpiresAt'>;

export function createSessionStore(db: Database) {
  // The hot path of every request: one lookup on the unique token_hash index, joined by primary
  // key. Built and compiled once (SQL text and parameter order are fixed; only the hash changes),
  // then executed with each request's hash: compiling the query every time was ~8% of whoami.
  // Kysely still runs it through the dialect's driver, so SQLite and PostgreSQL share this path.
  const findByTokenHashQuery = db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('sessions')
    .select(['accounts.email', 'accounts.email_verified_at', 'accounts.locked_at', 'accounts.locale', 'accounts.login_name'])
    .where('sessions.token_hash', '=', '')
    .compile();
  if (findByTokenHashQuery.parameters.length !== 1) throw new Error('findByTokenHash: expected exactly one parameter');

  return {
    async insert(executor: Database, session: SessionRow) {
      await executor.insertInto('sessions').values(session).execute();
    },

    findByTokenHash: async (tokenHash: string): Promise<SessionWithAccount | undefined> => {
      const result = await db.executeQuery<SessionWithAccount>({ ...findByTokenHashQuery, parameters: [tokenHash] });
      return result.rows[0];
    },

    /** Fresh again, under a new token; returns what the cookie is set from (its end, and whether it is kept). */
    async markReverified(id: string, tokenHash: string, now: number): Promise<CookieFacts> {
      return db
        .updateTable('sessions')
        .set({ reverified_at: now, last_seen_at: now, token_hash: tokenHash })
        .where('id', '=', id)
        .returning(COOKIE_FACTS)
        .executeTakeFirstOrThrow();
    },

    replaceToken: (executor: Database, id: string, tokenHash: string): Promise<CookieFacts> =>
      executor.updateTable('sessions').set({ token_hash: tokenHash }).where('id', '=', id).returning(COOKIE_FACTS).executeTakeFirstOrThrow(),

    async touch(id: string, now: number) {
      await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    },

    listActiveForAccount: (accountId: string, now: number) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('last_seen_at', 'desc')
        .execute(),

    /**
     * Ends one session, and what apps were given through it (app-token-ends.ts) in the same
     * transaction. Most sessions never signed an app in: for them it stays one UPDATE, without a
     * transaction — on SQLite a transaction holds the one connection for all its round trips, and
     * every sign-in ends the browser's previous session (measured: sign-ins fell from 80–84% to
     * 77–78% of the argon2 limit when every end took one). `alsoDo` (the shopper ending a session:
     * its security event) runs in the same transaction when the session was ended.
     */
    async revoke(accountId: string, sessionId: string, now: number, alsoDo?: (trx: Database) => Promise<void>): Promise<boolean> {
      const end = (executor: Database) =>
        executor
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('id', '=', sessionId)
          .where('account_id', '=', accountId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
          .then((result) => Number(result.numUpdatedRows) === 1);
      const withApps = await hasAppSessions(db, sessionId);
      if (!withApps && !alsoDo) return end(db);
      return db.transaction().execute(async (trx) => {
        const ended = await end(trx);
        if (ended && withApps) await endAppTokensOfSession(trx, sessionId);
        if (ended && alsoDo) await alsoDo(trx);
        return ended;
      });
    },

    /**
     * Ends every other session and every app's tokens for the account: "sign out everywhere"
     * reaches the apps too. One transaction (the caller's, or its own), so the apps' tokens never
     * outlive the sessions that were ended.
     */
    async revokeAllExcept(executor: Database, accountId: string, keepSessionId: string | null, now: number): Promise<number> {
      const run = async (trx: Database) => {
        let query = trx.updateTable('sessions').set({ revoked_at: now }).where('account_id', '=', accountId).where('revoked_at', 'is', null);
        if (keepSessionId) query = query.where('id', '!=', keepSessionId);
        const result = await query.executeTakeFirst();
        await endAppTokensOfAccount(trx, accountId);
        return Number(result.numUpdatedRows);
      };
      return executor.isTransaction ? run(executor) : executor.transaction().execute(run);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
