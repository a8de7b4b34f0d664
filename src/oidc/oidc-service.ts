// The OpenID Connect provider as a service of the running node: built from the stored keys on the
// first request that needs it, and built again when the published keys change (a rotation on any
// node, or a rotated key's time to sign) — oidc-provider takes its keys once, at construction, and
// holds no state of its own (everything is in the database), so swapping it is safe between two
// requests. Built on first use, not at start: oidc-provider, Koa and jose are about 30 MB of a
// process that many stores never use for other apps (and the CLI and the tests that do not
// touch it start faster).
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccountStore } from '../identity/account-store.ts';
import type { Database } from '../storage/database.ts';
import { constantTimeEqual, type Secrets } from '../shared/secrets.ts';
import type { RateEvents, WindowLimit } from '../throttling/rate-events.ts';
import type { OidcConfig } from '../config/config.ts';
import type { Clock } from '../shared/clock.ts';
import { createClientStore } from './client-store.ts';
import { createConsentStore } from './consent-store.ts';
import { SESSION_COOKIE } from '../http/cookies.ts';
import { gatehouseOf } from './endpoints.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import { createSigningKeys, RELOAD_MS } from './signing-keys.ts';

/** The Gatehouse session cookie, cleared: set on the provider's own answer when sign-out ends the session. */
const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`;

let builds = 0;
/** How many providers this process has built (its first request that needs one builds it; a key change another). */
export const oidcProviderBuilds = () => builds;

export async function startOidc(deps: {
  issuer: string;
  db: Database;
  accounts: AccountStore;
  secrets: Secrets;
  clock: Clock;
  logger: Logger;
  /** Ends a Gatehouse session (and with it what apps hold through it) when an app's sign-out asks. */
  endSession(accountId: string, sessionId: string): Promise<unknown>;
  rateEvents: RateEvents;
  limits: OidcConfig;
  events: SecurityEvents;
}) {
  const perAddress: WindowLimit = { bucket: 'oidc_token_address', limit: deps.limits.tokenRequestsPerMinutePerAddress, windowSeconds: 60 };
  const perClient: WindowLimit = { bucket: 'oidc_token_client', limit: deps.limits.tokenRequestsPerMinutePerClient, windowSeconds: 60 };
  const browserPerAddress: WindowLimit = { bucket: 'oidc_browser_address', limit: deps.limits.browserRequestsPerMinutePerAddress, windowSeconds: 60 };
  const { db, secrets, logger } = deps;
  const clients = createClientStore(db, secrets, deps.clock);
  const consents = createConsentStore(db, deps.clock, deps.events);
  const keys = createSigningKeys(db, secrets);
  // oidc-provider's cookies are signed (keygrip) with a key of their own, derived from the secret.
  const cookieKeys = [secrets.keyedHash('oidc-cookie-key', '1')];
  const apiResource = `${deps.issuer}/api`;

  const build = async (jwks: Awaited<ReturnType<typeof keys.currentJwks>>['keys']) => {
    const { createOidcProvider } = await import('./provider.ts');
    builds += 1;
    const provider = createOidcProvider({
      issuer: deps.issuer, db, accounts: deps.accounts, clients, consents, jwks, cookieKeys, apiResource,
      // The error's name and message only: the provider's context holds codes and tokens.
      onServerError: (error) => logger.error({ err: { name: error.name, message: error.message } }, 'OpenID provider error'),
    });
    // RP-initiated sign-out: when the shopper chose "Sign out", the Gatehouse session ends too
    // (after the provider has ended its own, before its answer leaves).
    // Only the Gatehouse session of the account the provider signed out: when the provider ends an
    // earlier shopper's session on its own (another account signs in on this browser), the new
    // shopper's Gatehouse session stays.
    provider.use(async (ctx, next) => {
      await next();
      const oidcContext = (ctx as KoaContextWithOIDC).oidc;
      const session = gatehouseOf(ctx as KoaContextWithOIDC)?.session;
      if (oidcContext?.route !== 'end_session_confirm' || ctx.status !== 303 || !oidcContext.params?.logout || !session) return;
      if (oidcContext.session?.accountId !== session.account_id) return;
      await deps.endSession(session.account_id, session.id);
      ctx.append('set-cookie', CLEARED_SESSION_COOKIE);
    });
    return provider;
  };

  /** A moment signed for one interaction: `<ms>.<128-bit keyed hash>`. */
  const stampFor = (uid: string, at: number) => `${at}.${secrets.keyedHash('oidc-fresh-login', `${uid}:${at}`).slice(0, 32)}`;

  type Built = { provider: Provider; callback: ReturnType<Provider['callback']>; version: string };
  let built: Promise<Built> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function buildFromStoredKeys(): Promise<Built> {
    await keys.ensureInitialKeys(Date.now());
    const current = await keys.currentJwks(Date.now());
    const provider = await build(current.keys);
    return { provider, callback: provider.callback(), version: current.version };
  }

  /** The provider for the keys published now; the first call builds it (one build for calls at once). */
  function ready(): Promise<Built> {
    if (!built) {
      built = buildFromStoredKeys();
      built.catch(() => {
        built = undefined; // a database away at the first request: the next one tries again
      });
      if (!timer && !closed) {
        timer = setInterval(() => {
          reloadKeys().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'could not re-read the OpenID signing keys; keeping the ones loaded'));
        }, RELOAD_MS);
        timer.unref();
      }
    }
    return built;
  }

  /** Re-reads the keys; builds a new provider when what is published or signs has changed. True when it did. */
  async function reloadKeys(): Promise<boolean> {
    const before = await ready();
    const next = await keys.currentJwks(Date.now());
    if (next.version === before.version) return false;
    const provider = await build(next.keys);
    built = Promise.resolve({ provider, callback: provider.callback(), version: next.version });
    return true;
  }

  return {
    clients,
    consents,
    keys,
    apiResource,
    /** The oidc-provider instance for the keys published now (built on the first call). */
    provider: async (): Promise<Provider> => (await ready()).provider,
    /** oidc-provider's request handler (a Koa app's callback) for the current keys. */
    async handle(req: Parameters<ReturnType<Provider['callback']>>[0], res: Parameters<ReturnType<Provider['callback']>>[1]) {
      return (await ready()).callback(req, res);
    },
    reloadKeys,
    /**
     * Counts a post to the provider (token, introspection, revocation, sign-out) per client
     * address, and per app from that address when the app names itself in the Authorization
     * header (HTTP Basic, how confidential apps authenticate here). Per app *and* address: the
     * client_id is counted before its secret is checked, so a count per app alone would let
     * anyone who knows an app's id lock it out from everywhere. A refused request is not counted.
     */
    async tokenRequestAllowed(clientAddress: string, clientId: string | undefined): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
      const rules = clientId === undefined ? [perAddress] : [perAddress, perClient];
      const taken = await deps.rateEvents.consume(rules, (rule) => (rule === perClient ? `client:${clientId}@${clientAddress}` : `address:${clientAddress}`));
      return taken.ok ? { ok: true } : { ok: false, retryAfterSeconds: taken.retryAfterSeconds };
    },
    /** Counts an authorization or sign-out request (each stores a row) per client address. */
    async browserRequestAllowed(clientAddress: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
      const taken = await deps.rateEvents.consume([browserPerAddress], () => `address:${clientAddress}`);
      return taken.ok ? { ok: true } : { ok: false, retryAfterSeconds: taken.retryAfterSeconds };
    },
    /** A signed moment for a return address (oidc-routes.tsx: prompt=login needs a proof after it). */
    freshStamp: (uid: string, at: number) => stampFor(uid, at),
    /** The moment a stamp names, if it was made here for this interaction. */
    freshSince(uid: string, stamp: string): number | undefined {
      const at = Number(/^(\d{13})\./.exec(stamp)?.[1]);
      return Number.isSafeInteger(at) && constantTimeEqual(stamp, stampFor(uid, at)) ? at : undefined;
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

export type Oidc = Awaited<ReturnType<typeof startOidc>>;
