// Session lifetimes (DESIGN.md §2): browsers 30 min idle / 12 h absolute, the app 30 days.
// A new random token on every sign-in, so a token planted before sign-in is worthless after it.
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { SessionRow, SessionStore, SessionWithAccount } from './session-store.ts';

/** last_seen_at is written at most once a minute: the idle clock needs no finer grain, and whoami stays a read. */
const TOUCH_INTERVAL_MS = 60_000;

/** Session ids are UUIDs (shared/ids.ts). */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface StartSession {
  accountId: string;
  kind: 'browser' | 'app';
  /** How the shopper proved who they are: 'password', 'qr', … and, after two-step sign-in, the
   *  second factor too ('password+totp', 'password+sms', 'password+backup_code'). */
  authenticatedVia: 'password' | 'email_code' | 'qr' | 'admin' | `password+${'totp' | 'sms' | 'backup_code'}`;
  userAgent: string;
  clientAddress: string;
}

export function createSessionService(deps: { db: Database; store: SessionStore; clock: Clock; security: SecurityConfig }) {
  const { store, clock, security } = deps;

  const idleLimitMs = (kind: string) => (kind === 'app' ? security.appSessionSeconds : security.sessionIdleSeconds) * 1000;

  return {
    async startSession(executor: Database, input: StartSession): Promise<{ token: string; sessionId: string; expiresAt: number }> {
      const now = clock.now();
      const token = randomToken();
      const lifetime = input.kind === 'app' ? security.appSessionSeconds : security.sessionAbsoluteSeconds;
      const session = {
        id: newId(),
        token_hash: sha256Hex(token),
        account_id: input.accountId,
        kind: input.kind,
        authenticated_via: input.authenticatedVia,
        user_agent: input.userAgent.slice(0, 512),
        client_address: input.clientAddress,
        created_at: now,
        last_seen_at: now,
        expires_at: now + lifetime * 1000,
        revoked_at: null,
        reverified_at: null,
      };
      await store.insert(executor, session);
      return { token, sessionId: session.id, expiresAt: session.expires_at };
    },

    /** The session a token names, if it is still alive; also moves its idle clock. */
    async resolveSession(token: string | undefined): Promise<(SessionWithAccount & { idleExpiresAt: number }) | null> {
      if (!token || token.length > 100) return null;
      const session = await store.findByTokenHash(sha256Hex(token));
      if (!session) return null;
      const now = clock.now();
      const idleExpiresAt = session.last_seen_at + idleLimitMs(session.kind);
      if (session.revoked_at !== null || session.locked_at !== null || now >= session.expires_at || now >= idleExpiresAt) return null;
      if (now - session.last_seen_at >= TOUCH_INTERVAL_MS) {
        await store.touch(session.id, now);
        session.last_seen_at = now;
      }
      // The row is this call's own object: extend it in place. Copying a driver's row with a spread
      // takes V8's slow path (~2.4 µs, about 4% of a whoami).
      const alive = session as SessionWithAccount & { idleExpiresAt: number };
      alive.idleExpiresAt = Math.min(session.expires_at, session.last_seen_at + idleLimitMs(session.kind));
      return alive;
    },

    /** The account's live sessions: not revoked, not past 12 h, and not idle for 30 min. */
    async listSessions(accountId: string) {
      const now = clock.now();
      const sessions = await store.listActiveForAccount(accountId, now);
      return sessions.filter((session) => now < session.last_seen_at + idleLimitMs(session.kind));
    },

    /** False when the account has no such live session (ids come from URLs: anything else is just "not found"). */
    endSession: async (accountId: string, sessionId: string) =>
      SESSION_ID.test(sessionId) ? store.revoke(accountId, sessionId, clock.now()) : false,

    /**
     * Changing how the account is protected (a phone, an authenticator, backup codes, two-step
     * sign-in) needs the shopper to have proved who they are recently — at sign-in or by typing
     * the password again — not just a session cookie someone may have picked up.
     */
    isFreshlyVerified: (session: Pick<SessionRow, 'created_at' | 'reverified_at'>) =>
      clock.now() - Math.max(session.created_at, session.reverified_at ?? 0) < security.reverifyWindowSeconds * 1000,

    markReverified: (sessionId: string) => store.markReverified(sessionId, clock.now()),

    endOtherSessions: (executor: Database, accountId: string, keepSessionId: string | null) =>
      store.revokeAllExcept(executor, accountId, keepSessionId, clock.now()),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
