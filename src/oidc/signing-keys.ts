// The keys ID tokens and JWT access tokens are signed with: one ES256 key (the default) and one
// RS256 key (for apps whose libraries know only RSA), made on first start and kept in the database,
// sealed with GATEHOUSE_SECRET, so every node signs with the same keys and a copy of the database
// alone cannot forge a token.
//
// Rotation (`gatehouse keys rotate`) adds a new pair that is published at once but signs only
// from activates_at, by when every node has re-read the keys (each does every RELOAD_MS): an app
// that fetches the JWKS from any node always finds the key a token names. The old pair signs
// until then and stays published for KEEP_RETIRED_MS more, longer than any token it signed lives
// (ID tokens and access tokens 10 minutes; a day covers an id_token_hint at sign-out).
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { OidcKeysTable } from '../storage/tables.ts';
import type { Secrets } from '../shared/secrets.ts';

export const RELOAD_MS = 60_000;
export const ACTIVATION_DELAY_MS = 2 * RELOAD_MS + 10_000;
export const KEEP_RETIRED_MS = 24 * 3_600_000;

export type SigningAlg = 'ES256' | 'RS256';
const ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

async function newPrivateJwk(alg: SigningAlg, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

const sealContext = (kid: string) => `oidc-signing-key:${kid}`;

async function keyRow(secrets: Secrets, alg: SigningAlg, now: number, activatesAt: number, slot: string | null): Promise<OidcKeysTable> {
  const kid = `${alg.toLowerCase()}-${randomBytes(9).toString('base64url')}`;
  const jwk = await newPrivateJwk(alg, kid);
  return { kid, alg, slot, sealed_jwk: secrets.sealBound(sealContext(kid), JSON.stringify(jwk)), created_at: now, activates_at: activatesAt, retired_at: null };
}

/**
 * The keys to publish, in the order oidc-provider wants them: for each algorithm it signs with the
 * first key that matches, so the key that signs comes first, then the pending and retired ones,
 * which are only published. Pure: `now` decides.
 */
export function publishedKeys<Row extends Pick<OidcKeysTable, 'kid' | 'activates_at' | 'retired_at' | 'created_at'>>(rows: readonly Row[], now: number): (Row & { signing: boolean })[] {
  return rows
    .filter((row) => row.retired_at === null || Number(row.retired_at) + KEEP_RETIRED_MS > now)
    .map((row) => ({ ...row, signing: Number(row.activates_at) <= now && (row.retired_at === null || Number(row.retired_at) > now) }))
    .sort((a, b) => Number(b.signing) - Number(a.signing) || Number(b.created_at) - Number(a.created_at));
}

export function createSigningKeys(db: Database, secrets: Secrets) {
  return {
    /**
     * The first start makes the initial pair. Nodes starting together each try; the unique slot
     * lets one pair in, and every node then reads what is stored.
     */
    async ensureInitialKeys(now: number): Promise<void> {
      const existing = await db.selectFrom('oidc_keys').select('kid').limit(1).executeTakeFirst();
      if (existing) return;
      for (const alg of ALGS) {
        const row = await keyRow(secrets, alg, now, now, `initial-${alg}`);
        await db.insertInto('oidc_keys').values(row).onConflict((conflict) => conflict.column('slot').doNothing()).execute();
      }
    },

    /** The private JWKs to give oidc-provider now, signing keys first; `version` changes whenever the list does. */
    async currentJwks(now: number): Promise<{ keys: JWK[]; version: string }> {
      const rows = await db.selectFrom('oidc_keys').selectAll().execute();
      const ordered = publishedKeys(rows, now);
      const keys = ordered.map((row) => JSON.parse(secrets.unsealBound(sealContext(row.kid), row.sealed_jwk)) as JWK);
      return { keys, version: ordered.map((row) => `${row.kid}:${row.signing ? 'signs' : 'published'}`).join(',') };
    },

    /** Adds a new pair that signs from activates_at; the pair signing now stops then. */
    async rotate(now: number): Promise<{ added: string[]; retiring: string[]; activatesAt: number }> {
      const activatesAt = now + ACTIVATION_DELAY_MS;
      return db.transaction().execute(async (trx) => {
        const retiring = await trx.selectFrom('oidc_keys').select('kid').where('retired_at', 'is', null).execute();
        await trx.updateTable('oidc_keys').set({ retired_at: activatesAt }).where('retired_at', 'is', null).execute();
        const added: string[] = [];
        for (const alg of ALGS) {
          const row = await keyRow(secrets, alg, now, activatesAt, null);
          await trx.insertInto('oidc_keys').values(row).execute();
          added.push(row.kid);
        }
        return { added, retiring: retiring.map((row) => row.kid), activatesAt };
      });
    },

    /** Keys no token can name any more. */
    async deleteExpired(now: number): Promise<number> {
      const result = await db.deleteFrom('oidc_keys').where('retired_at', '<', now - KEEP_RETIRED_MS).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
