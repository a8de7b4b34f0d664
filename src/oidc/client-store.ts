// The store's registered apps ("Sign in with <Store>" clients), managed from the CLI.
//
// A client secret is 256 random bits, shown once when it is made and stored only as a keyed hash:
// a copy of the database lets nobody act as the app. A keyed fast hash and not argon2/bcrypt, on
// purpose: the secret is random, not a password a person chose, so it cannot be guessed from its
// hash, and the token endpoint is open to anyone — a slow hash there is a CPU-exhaustion target
// (one bcrypt compare ≈ 0.1–0.4 s per request). The consequence (oidc-provider, #631): no
// client_secret_jwt and no HS* signing, which need the plain secret; Gatehouse offers neither.
import type { Database } from '../storage/database.ts';
import type { OidcClientsTable } from '../storage/tables.ts';
import type { Clock } from '../shared/clock.ts';
import { constantTimeEqual, randomToken, type Secrets } from '../shared/secrets.ts';
import { randomBytes } from 'node:crypto';

export interface RegisteredClient {
  clientId: string;
  name: string;
  /** No secret: a public app (a mobile or single-page app), which must use PKCE (every app must). */
  public: boolean;
  firstParty: boolean;
  idTokenAlg: IdTokenAlg;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  createdAt: number;
}

export const ID_TOKEN_ALGS = ['ES256', 'RS256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  public: boolean;
  firstParty: boolean;
  idTokenAlg?: IdTokenAlg;
}

const SECRET_PURPOSE = 'oidc-client-secret';

/** 128 random bits, URL-safe, never starting with "-" or "_" (an id starting with "-" reads as an option in `gatehouse client show ID`). */
function newClientId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/** A redirect URI an app may register: absolute, https (or http on a loopback host, for development), no fragment. */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `not an absolute URL: ${uri}`;
  }
  if (url.hash) return `a redirect URI may not have a #fragment: ${uri}`;
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && !loopback) return `use https (http only for localhost): ${uri}`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `only http(s) redirect URIs are accepted: ${uri}`;
  if (url.username || url.password) return `a redirect URI may not carry a user name or password: ${uri}`;
  return null;
}

function fromRow(row: OidcClientsTable): RegisteredClient {
  return {
    clientId: row.client_id,
    name: row.name,
    public: row.secret_hash === null,
    firstParty: Number(row.first_party) === 1,
    idTokenAlg: row.id_token_alg === 'RS256' ? 'RS256' : 'ES256',
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    createdAt: Number(row.created_at),
  };
}

export function createClientStore(db: Database, secrets: Pick<Secrets, 'keyedHash'>, clock: Clock) {
  const hashOf = (secret: string) => secrets.keyedHash(SECRET_PURPOSE, secret);
  const byId = (clientId: string) => db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

  return {
    /** Registers an app; the secret (none for a public app) is in the answer and nowhere else. */
    async create(input: NewClient): Promise<{ client: RegisteredClient; clientSecret: string | null }> {
      const now = clock.now();
      const clientSecret = input.public ? null : randomToken();
      const row: OidcClientsTable = {
        client_id: newClientId(),
        name: input.name,
        secret_hash: clientSecret === null ? null : hashOf(clientSecret),
        redirect_uris: JSON.stringify(input.redirectUris),
        post_logout_redirect_uris: JSON.stringify(input.postLogoutRedirectUris),
        first_party: input.firstParty ? 1 : 0,
        id_token_alg: input.idTokenAlg ?? 'ES256',
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('oidc_clients').values(row).execute();
      return { client: fromRow(row), clientSecret };
    },

    async find(clientId: string): Promise<(RegisteredClient & { secretHash: string | null; updatedAt: number }) | undefined> {
      if (clientId.length > 100) return undefined;
      const row = await byId(clientId);
      return row ? { ...fromRow(row), secretHash: row.secret_hash, updatedAt: Number(row.updated_at) } : undefined;
    },

    async list(): Promise<RegisteredClient[]> {
      const rows = await db.selectFrom('oidc_clients').selectAll().orderBy('created_at').execute();
      return rows.map(fromRow);
    },

    /** A new secret for a confidential app; the old one stops working at once. Undefined for an unknown or public app. */
    async rotateSecret(clientId: string): Promise<string | undefined> {
      const clientSecret = randomToken();
      const result = await db
        .updateTable('oidc_clients')
        .set({ secret_hash: hashOf(clientSecret), updated_at: clock.now() })
        .where('client_id', '=', clientId)
        .where('secret_hash', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? clientSecret : undefined;
    },

    /** Deletes the app, every token and grant it holds, and every shopper's consent to it, in one transaction. */
    async remove(clientId: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
        await trx.deleteFrom('oidc_consents').where('client_id', '=', clientId).execute();
        const result = await trx.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      });
    },

    /** The token endpoint's check of a presented secret against the stored hash, in constant time. */
    secretMatches: (secretHash: string | null, presented: string) =>
      typeof secretHash === 'string' && typeof presented === 'string' && presented.length <= 200 && constantTimeEqual(secretHash, hashOf(presented)),
  };
}

export type ClientStore = ReturnType<typeof createClientStore>;
