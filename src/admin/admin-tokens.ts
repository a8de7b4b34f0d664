// Admin tokens for /api/v1/admin (issue 12 §6): made by `gatehouse admin-token create`, shown
// once, kept only as their SHA-256. A token is 32 bytes from the CSPRNG, so there is no
// dictionary to try and a fast hash is enough (no argon2 per request); the lookup is one indexed
// read by that hash, the same work for every token given, well formed or not.
//
// Revoked, never deleted: the security events that name a token ("admin:support") keep meaning
// something, and a name once used is not quietly handed to someone else.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { sha256Hex } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';

/**
 * The prefix makes a leaked token recognisable: secret scanners (GitHub's, gitleaks, trufflehog)
 * match on a fixed prefix plus a fixed length, so a token pasted into a repository, a ticket or
 * a chat is found and can be revoked — a bare random string looks like any other id.
 */
export const ADMIN_TOKEN_PREFIX = 'gha_';
/** `gha_` and 43 base64url characters (32 bytes). */
export const ADMIN_TOKEN_PATTERN = /^gha_[A-Za-z0-9_-]{43}$/;
/** Names are what events and logs show: short, plain, no spaces (they follow `admin:`). */
export const ADMIN_TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;
/** last_used_at moves at most once a minute: a busy support tool is not one write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AdminTokenInfo {
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface AdminCaller {
  id: string;
  name: string;
}

export function newAdminToken(): string {
  return ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function createAdminTokens(db: Database, clock: Clock) {
  return {
    /** A new token under a name not used before (revoked names stay taken); undefined when taken. */
    async create(name: string): Promise<{ token: string } | undefined> {
      const taken = await db.selectFrom('admin_tokens').select('id').where('name', '=', name).executeTakeFirst();
      if (taken) return undefined;
      const token = newAdminToken();
      await db.insertInto('admin_tokens').values({ id: newId(), name, token_hash: sha256Hex(token), created_at: clock.now(), last_used_at: null, revoked_at: null }).execute();
      return { token };
    },

    async list(): Promise<AdminTokenInfo[]> {
      const rows = await db.selectFrom('admin_tokens').select(['name', 'created_at', 'last_used_at', 'revoked_at']).orderBy('created_at').orderBy('name').execute();
      return rows.map((row) => ({
        name: row.name,
        createdAt: Number(row.created_at),
        lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
        revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
      }));
    },

    /** One conditional UPDATE: true when a live token of that name was revoked now. */
    async revoke(name: string): Promise<boolean> {
      const result = await db.updateTable('admin_tokens').set({ revoked_at: clock.now() }).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async exists(name: string): Promise<boolean> {
      return (await db.selectFrom('admin_tokens').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;
    },

    /**
     * The live token this text is, or undefined. Whatever was sent is hashed and looked up (no
     * early answer for a malformed one), and a revoked token answers like an unknown one.
     */
    async authenticate(given: string): Promise<AdminCaller | undefined> {
      const row = await db.selectFrom('admin_tokens').select(['id', 'name', 'last_used_at', 'revoked_at']).where('token_hash', '=', sha256Hex(given)).executeTakeFirst();
      if (!row || row.revoked_at !== null || !ADMIN_TOKEN_PATTERN.test(given)) return undefined;
      const now = clock.now();
      if (row.last_used_at === null || now - Number(row.last_used_at) >= TOUCH_INTERVAL_MS) {
        await db
          .updateTable('admin_tokens')
          .set({ last_used_at: now })
          .where('id', '=', row.id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - TOUCH_INTERVAL_MS)]))
          .execute();
      }
      return { id: row.id, name: row.name };
    },
  };
}

export type AdminTokens = ReturnType<typeof createAdminTokens>;
