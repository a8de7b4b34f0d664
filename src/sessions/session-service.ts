// Session lifetimes (DESIGN.md §2): browsers 30 min idle / 12 h absolute, the app 30 days, and a
// browser the shopper asked to keep signed in ("Keep me signed in on this device") KEEP_SIGNED_IN_DAYS
// with no idle limit. However long a session lives, changing how the account is protected still
// asks for a secret proved in the last 10 minutes (isFreshlyVerified): a kept session is a
// convenience for shopping, never a standing licence to change the password or the factors.
// A new random token on every sign-in, so a token planted before sign-in is worthless after it.
import type { SecurityConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { isOurId, newId } from '../shared/ids.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { EventOrigin, SecurityEvents } from '../activity/security-events.ts';
import type { CookieFacts, SessionRow, SessionStore, SessionWithAccount } from './session-store.ts';

/**
 * last_seen_at is written at most once a minute, and at most every tenth of the idle limit: the
 * idle clock needs no finer grain and whoami stays a read, yet an active shopper is never timed
 * out because the last touch was skipped (with a 1-minute idle limit a once-a-minute touch let an
 * active session die at 60 s).
 */
const touchIntervalMs = (idleMs: number) => Math.min(60_000, Math.floor(idleMs / 10));

/**
 * The ways of signing in that prove a secret typed (or held) in this very session: the password,
 * and the password with a second factor. A session made by a QR scan (the app's confirmation) or
 * by an administrator proves only that someone pressed a button, and a QR can be relayed to a
 * victim who confirms it: such a session must type the password ("Confirm it's
 * you") before it may change how the account is protected.
 */
// 'email_code' is a sign-up's first session: its shopper chose the password in this browser, in
// the flow that created the session, moments ago.
// 'passkey' is a sign-in by passkey with user verification: held and unlocked in this session.
const PROVES_A_SECRET: ReadonlySet<string> = new Set(['password', 'passkey', 'password+totp', 'password+sms', 'password+backup_code', 'password+passkey', 'email_code']);


export interface StartSession {
  accountId: string;
  kind: 'browser' | 'app';
  /** How the shopper proved who they are: 'password', 'qr', … and, after two-step sign-in, the
   *  second factor too ('password+totp', 'password+sms', 'password+backup_code'). */
  authenticatedVia: 'password' | 'passkey' | 'email_code' | 'qr' | 'admin' | `password+${'totp' | 'sms' | 'backup_code' | 'passkey'}`;
  userAgent: string;
  clientAddress: string;
  /** The shopper ticked "Keep me signed in on this device" (browsers only; ignored when the store set KEEP_SIGNED_IN=off). */
  keepSignedIn?: boolean;
}

/** What a browser's cookie is set from: a kept session's cookie outlives the browser, a short one's does not. */
export interface IssuedToken {
  token: string;
  expiresAt: number;
  keptSignedIn: boolean;
}

export function createSessionService(deps: { db: Database; store: SessionStore; clock: Clock; security: SecurityConfig; events: SecurityEvents }) {
  const { db, store, clock, security, events } = deps;

  const lifetimeSeconds = (kind: 'browser' | 'app', kept: boolean) =>
    kind === 'app' ? security.appSessionSeconds : kept ? security.keptSessionSeconds : security.sessionAbsoluteSeconds;

  /**
   * The rule a session lives under now: the one it started with (its row), shortened — never
   * lengthened — by today's settings, so a store that turns KEEP_SIGNED_IN off or lowers a length
   * after an incident has its way with the sessions already made. A kept session has no idle
   * limit of its own: its whole life is the limit. Writes the end and the rule into the row it is
   * given (the caller's own object), so whoami and the lists say the same; returns the idle limit.
   */
  function applyTodaysRule(session: Pick<SessionRow, 'kind' | 'kept_signed_in' | 'created_at' | 'expires_at'>): number {
    if (session.kind === 'app') return security.appSessionSeconds * 1000;
    const kept = session.kept_signed_in === 1 && security.keepSignedIn !== 'off';
    const life = lifetimeSeconds('browser', kept) * 1000;
    session.kept_signed_in = kept ? 1 : 0;
    session.expires_at = Math.min(session.expires_at, session.created_at + life);
    return kept ? life : security.sessionIdleSeconds * 1000;
  }

  /** A new token's cookie, under the rule the session lives under now. */
  function issued(token: string, row: CookieFacts): IssuedToken {
    applyTodaysRule(row);
    return { token, expiresAt: row.expires_at, keptSignedIn: row.kept_signed_in === 1 };
  }

  return {
    async startSession(executor: Database, input: StartSession): Promise<IssuedToken & { sessionId: string }> {
      const now = clock.now();
      const token = randomToken();
      // The store's setting wins over the form: with KEEP_SIGNED_IN=off no posted field makes a session long.
      // Only a session that proved a secret may be kept (PROVES_A_SECRET). Not one made by a QR
      // scan: the phone that confirms never sees how long the session will last, a QR relayed to
      // a victim who confirms it would hand the relayer 30 days with no idle limit, and a stolen
      // cookie could approve a fresh 30 days for itself every month.
      const kept = input.kind === 'browser' && input.keepSignedIn === true && security.keepSignedIn !== 'off' && PROVES_A_SECRET.has(input.authenticatedVia);
      const lifetime = lifetimeSeconds(input.kind, kept);
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
        kept_signed_in: kept ? 1 : 0,
      };
      await store.insert(executor, session);
      // Every way of signing in ends here, so the record of a sign-in is made once, in its transaction.
      const detail: Record<string, string | boolean> = kept ? { kind: input.kind, kept: true } : { kind: input.kind };
      await events.record(executor, { accountId: input.accountId, type: 'sign_in.succeeded', way: input.authenticatedVia, detail, from: input });
      return { token, sessionId: session.id, expiresAt: session.expires_at, keptSignedIn: kept };
    },

    /**
     * The session a token names, if it is still alive; also moves its idle clock. `kind` names the
     * only kind the caller accepts: the browser's cookie takes browser sessions alone, so an app's
     * 30-day bearer token copied into a cookie opens nothing.
     */
    async resolveSession(token: string | undefined, kind?: 'browser' | 'app'): Promise<(SessionWithAccount & { idleExpiresAt: number }) | null> {
      if (!token || token.length > 100) return null;
      const session = await store.findByTokenHash(sha256Hex(token));
      if (!session || (kind !== undefined && session.kind !== kind)) return null;
      const now = clock.now();
      const idleMs = applyTodaysRule(session);
      const idleExpiresAt = session.last_seen_at + idleMs;
      if (session.revoked_at !== null || session.locked_at !== null || now >= session.expires_at || now >= idleExpiresAt) return null;
      if (now - session.last_seen_at >= touchIntervalMs(idleMs)) {
        await store.touch(session.id, now);
        session.last_seen_at = now;
      }
      // The row is this call's own object: extend it in place. Copying a driver's row with a spread
      // takes V8's slow path (~2.4 µs, about 4% of a whoami).
      const alive = session as SessionWithAccount & { idleExpiresAt: number };
      alive.idleExpiresAt = Math.min(session.expires_at, session.last_seen_at + idleMs);
      return alive;
    },

    /** The account's live sessions: not revoked, not past their end, and not idle past their limit. */
    async listSessions(accountId: string) {
      const now = clock.now();
      const sessions = await store.listActiveForAccount(accountId, now);
      return sessions.filter((session) => {
        const idleMs = applyTodaysRule(session);
        return now < session.expires_at && now < session.last_seen_at + idleMs;
      });
    },

    /** False when the account has no such live session (ids come from URLs: anything else is just "not found"). */
    endSession: async (accountId: string, sessionId: string, from?: EventOrigin) =>
      isOurId(sessionId) &&
      store.revoke(accountId, sessionId, clock.now(), (trx) => events.record(trx, { accountId, type: 'session.ended', detail: { sessions: 1 }, from })),

    /**
     * Changing how the account is protected (a phone, an authenticator, backup codes, two-step
     * sign-in, the password) needs the shopper to have proved a secret recently in this session —
     * the password typed at sign-in or again at "Confirm it's you" — not just a session cookie
     * someone may have picked up, nor a session a relayed QR created (PROVES_A_SECRET).
     */
    isFreshlyVerified(session: Pick<SessionRow, 'created_at' | 'reverified_at' | 'authenticated_via'>) {
      const provedAt = Math.max(PROVES_A_SECRET.has(session.authenticated_via) ? session.created_at : 0, session.reverified_at ?? 0);
      return provedAt > 0 && clock.now() - provedAt < security.reverifyWindowSeconds * 1000;
    },

    /**
     * The password was typed again: the session is fresh, and gets a new token (DESIGN.md §2: a new
     * token whenever the session gains privilege), so a token copied before is worth nothing now.
     */
    async markReverified(sessionId: string): Promise<IssuedToken> {
      const token = randomToken();
      return issued(token, await store.markReverified(sessionId, sha256Hex(token), clock.now()));
    },

    /** A new token for the same session (its row, age and place in the list stay). */
    async renewToken(executor: Database, sessionId: string): Promise<IssuedToken> {
      const token = randomToken();
      return issued(token, await store.replaceToken(executor, sessionId, sha256Hex(token)));
    },

    /**
     * A new sign-in in a browser that still holds a session ends that session: one browser, one
     * live session, so signing in as someone else (or again) never leaves the old one usable.
     */
    endReplacedSession: async (previous: { id: string; account_id: string } | null) => {
      if (previous) await store.revoke(previous.account_id, previous.id, clock.now());
    },

    /** Ends every other session of the account; the record says how many, in the same transaction. */
    /** `actor`: who ended them when it was not the shopper ('cli', 'admin:<token name>'). */
    endOtherSessions: async (executor: Database, accountId: string, keepSessionId: string | null, from?: EventOrigin, actor?: string) => {
      const run = async (trx: Database) => {
        const ended = await store.revokeAllExcept(trx, accountId, keepSessionId, clock.now());
        if (ended > 0) await events.record(trx, { accountId, type: 'session.ended', detail: { sessions: ended, others: keepSessionId !== null }, from, actor });
        return ended;
      };
      return executor.isTransaction ? run(executor) : db.transaction().execute(run);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
