// The OpenID Connect provider as a service of the running node: built from the stored keys on
// start, and built again when the published keys change (a rotation on any node, or a rotated
// key's time to sign) — oidc-provider takes its keys once, at construction, and holds no state
// of its own (everything is in the database), so swapping it is safe between two requests.
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
import { createOidcProvider, gatehouseOf } from './provider.ts';
import { createSigningKeys, RELOAD_MS } from './signing-keys.ts';

/** The Gatehouse session cookie, cleared: set on the provider's own answer when sign-out ends the session. */
const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`;

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
}) {
  const perAddress: WindowLimit = { bucket: 'oidc_token_address', limit: deps.limits.tokenRequestsPerMinutePerAddress, windowSeconds: 60 };
  const perClient: WindowLimit = { bucket: 'oidc_token_client', limit: deps.limits.tokenRequestsPerMinutePerClient, windowSeconds: 60 };
  const { db, secrets, logger } = deps;
  const clients = createClientStore(db, secrets, deps.clock);
  const consents = createConsentStore(db, deps.clock);
  const keys = createSigningKeys(db, secrets);
  // oidc-provider's cookies are signed (keygrip) with a key of their own, derived from the secret.
  const cookieKeys = [secrets.keyedHash('oidc-cookie-key', '1')];
  const apiResource = `${deps.issuer}/api`;

  const build = (jwks: Awaited<ReturnType<typeof keys.currentJwks>>['keys']) => {
    const provider = createOidcProvider({
      issuer: deps.issuer, db, accounts: deps.accounts, clients, consents, jwks, cookieKeys, apiResource,
      // The error's name and message only: the provider's context holds codes and tokens.
      onServerError: (error) => logger.error({ err: { name: error.name, message: error.message } }, 'OpenID provider error'),
    });
    // RP-initiated sign-out: when the shopper chose "Sign out", the Gatehouse session ends too
    // (after the provider has ended its own, before its answer leaves).
    provider.use(async (ctx, next) => {
      await next();
      const session = gatehouseOf(ctx as KoaContextWithOIDC)?.session;
      if ((ctx as KoaContextWithOIDC).oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !(ctx as KoaContextWithOIDC).oidc.params?.logout || !session) return;
      await deps.endSession(session.account_id, session.id);
      ctx.append('set-cookie', CLEARED_SESSION_COOKIE);
    });
    return provider;
  };

  await keys.ensureInitialKeys(Date.now());
  let current = await keys.currentJwks(Date.now());
  let provider = build(current.keys);
  let callback = provider.callback();

  async function reloadKeys(): Promise<boolean> {
    const next = await keys.currentJwks(Date.now());
    if (next.version === current.version) return false;
    current = next;
    provider = build(next.keys);
    callback = provider.callback();
    return true;
  }
  const timer = setInterval(() => {
    reloadKeys().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'could not re-read the OpenID signing keys; keeping the ones loaded'));
  }, RELOAD_MS);
  timer.unref();

  return {
    clients,
    consents,
    keys,
    apiResource,
    get provider(): Provider {
      return provider;
    },
    /** oidc-provider's request handler (a Koa app's callback) for the current keys. */
    handle: (req: Parameters<ReturnType<Provider['callback']>>[0], res: Parameters<ReturnType<Provider['callback']>>[1]) => callback(req, res),
    reloadKeys,
    /**
     * Counts a request to the token, introspection or revocation endpoint against the per-address
     * limit, and the per-app one when the app names itself in the Authorization header (how
     * confidential apps authenticate here; a public app has no secret to guess and counts by
     * address). A refused request is not counted.
     */
    async tokenRequestAllowed(clientAddress: string, clientId: string | undefined): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
      const rules = clientId === undefined ? [perAddress] : [perAddress, perClient];
      const taken = await deps.rateEvents.consume(rules, (rule) => (rule === perClient ? `client:${clientId}` : `address:${clientAddress}`));
      return taken.ok ? { ok: true } : { ok: false, retryAfterSeconds: taken.retryAfterSeconds };
    },
    /** A signed moment for a return address (oidc-routes.tsx: prompt=login needs a proof after it). */
    freshStamp: (uid: string, at: number) => `${at}.${secrets.keyedHash('oidc-fresh-login', `${uid}:${at}`).slice(0, 32)}`,
    /** The moment a stamp names, if it was made here for this interaction. */
    freshSince(uid: string, stamp: string): number | undefined {
      const at = Number(/^(\d{13})\./.exec(stamp)?.[1]);
      return Number.isSafeInteger(at) && constantTimeEqual(stamp, `${at}.${secrets.keyedHash('oidc-fresh-login', `${uid}:${at}`).slice(0, 32)}`) ? at : undefined;
    },
    close() {
      clearInterval(timer);
    },
  };
}

export type Oidc = Awaited<ReturnType<typeof startOidc>>;
