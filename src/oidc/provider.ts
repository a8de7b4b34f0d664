// oidc-provider (panva, OpenID Certified), configured the Gatehouse way. Everything it stores is in
// the database (provider-adapter.ts), its keys come from signing-keys.ts, and its sign-in is
// Gatehouse's own (/login with every way, two-step and the same throttles; see oidc-routes.tsx).
//
// The defaults this sets, each for a reason:
// - the authorization code flow only (no implicit, no hybrid), and PKCE with S256 for every app,
//   confidential ones too: a code caught on its way back is worth nothing without the verifier;
// - refresh tokens rotate on every use, and a used one presented again ends the whole grant
//   (it can only be a stolen copy or a replay);
// - revocation and introspection answer an app only about its own tokens (the library's default
//   would let any confidential app introspect another's);
// - ID tokens ES256 by default, RS256 offered; no HS*, which would need the plain client secret;
// - SSO follows the Gatehouse session: once it ends, an app's next request signs in again.
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { AccountStore } from '../identity/account-store.ts';
import type { Database } from '../storage/database.ts';
import type { ClientStore } from './client-store.ts';
import type { ConsentStore } from './consent-store.ts';
import { providerAdapter } from './provider-adapter.ts';
import { ACR_ONE_FACTOR, ACR_TWO_FACTORS } from './sign-in-proof.ts';
import { gatehouseOf, OIDC_ROUTES, interactionPath } from './endpoints.ts';

/** Lifetimes in seconds. Access and ID tokens 10 minutes (a JWT access token cannot be revoked, so it must be short). */
const TTL = {
  AccessToken: 600,
  AuthorizationCode: 60,
  IdToken: 600,
  ClientCredentials: 600,
  Interaction: 30 * 60,
  Session: 12 * 3600,
  Grant: 30 * 86400,
  RefreshToken: 30 * 86400,
} as const;

export interface ProviderDeps {
  issuer: string;
  db: Database;
  accounts: AccountStore;
  clients: ClientStore;
  consents: ConsentStore;
  jwks: JWK[];
  cookieKeys: string[];
  /** The store's own API as a resource server: a token asked for it is a JWT (RFC 9068) it checks against the JWKS. */
  apiResource: string;
  onServerError(error: Error): void;
}

export function createOidcProvider(deps: ProviderDeps): Provider {
  const { db, accounts, clients, consents } = deps;

  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('gatehouse_session_ended', 'the Gatehouse session ended or belongs to someone else', (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      return accountId !== undefined && gatehouseOf(ctx)?.session?.account_id !== accountId;
    }),
  );

  const configuration: Configuration = {
    adapter: providerAdapter({
      db,
      gatehouseSessionId: () => gatehouseOf(Provider.ctx)?.session?.id,
      clientMetadata: async (clientId) => {
        const client = await clients.find(clientId);
        if (!client) return undefined;
        return {
          client_id: client.clientId,
          client_name: client.name,
          ...(client.public ? { token_endpoint_auth_method: 'none' } : { client_secret: client.secretHash!, token_endpoint_auth_method: 'client_secret_basic' }),
          redirect_uris: client.redirectUris,
          post_logout_redirect_uris: client.postLogoutRedirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token'],
          id_token_signed_response_alg: client.idTokenAlg,
        };
      },
    }),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    cookies: {
      keys: deps.cookieKeys,
      names: { session: 'gh_oidc', interaction: 'gh_oidc_interaction', resume: 'gh_oidc_resume' },
    },
    jwks: { keys: deps.jwks as never },
    enabledJWA: { idTokenSigningAlgValues: ['ES256', 'RS256'], userinfoSigningAlgValues: ['ES256', 'RS256'] },
    acrValues: [ACR_ONE_FACTOR, ACR_TWO_FACTORS],
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['preferred_username', 'locale'], acr: null, amr: null, auth_time: null, sid: null },
    // acr, amr and auth_time in every ID token, not only when an app asks.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // Not offered: pushed authorization requests (not routed under /oidc/) and DPoP (its replay
      // cache is per process, so across nodes it would not catch a replay).
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = gatehouseOf(ctx)!.renderPage({ kind: 'sign-out', form, clientName: ctx.oidc.client?.clientName });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = gatehouseOf(ctx)!.renderPage({ kind: 'signed-out', clientName: ctx.oidc.client?.clientName });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined!,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== deps.apiResource) throw new errors.InvalidTarget();
          return { scope: 'api', audience: deps.apiResource, accessTokenFormat: 'jwt', accessTokenTTL: TTL.AccessToken, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    // A provider session without an account (a sign-out request from nobody) is kept 10 minutes,
    // not 12 hours: anonymous requests must not fill the table.
    ttl: { ...TTL, Session: (_ctx: unknown, session: { accountId?: string }) => (session.accountId ? TTL.Session : 600) } as never,
    rotateRefreshToken: true,
    // Offered to any app that asks for offline_access; a public app only with it too.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    // CORS only where a browser app needs it: the token endpoint and userinfo, for public apps.
    clientBasedCORS: (ctx, origin, client) =>
      client.clientAuthMethod === 'none' && ['token', 'userinfo', 'revocation'].includes(ctx.oidc.route) && (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    interactions: { policy, url: async (_ctx, interaction) => interactionPath(interaction.uid) },
    routes: OIDC_ROUTES,
    async findAccount(_ctx, sub) {
      const account = await accounts.findById(sub);
      // A locked account is nobody: its refresh tokens and codes stop at once (invalid_grant).
      if (!account || account.locked_at !== null) return undefined;
      return {
        accountId: account.id,
        async claims() {
          return {
            sub: account.id,
            email: account.email,
            email_verified: account.email_verified_at !== null,
            ...(account.login_name ? { preferred_username: account.login_name } : {}),
            locale: account.locale,
          };
        },
      };
    },
    // A first-party app, or a third-party one the shopper allowed before, gets its grant without a
    // consent page; what the shopper allowed lives in oidc_consents (consent-store.ts).
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const requested = [...(ctx.oidc.requestParamScopes ?? [])];
      const registered = await clients.find(client.clientId);
      const allowed = registered?.firstParty ? requested : await consents.scopesAllowed(session.accountId, client.clientId);
      if (!allowed || requested.some((scope) => !allowed.includes(scope))) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(requested.filter((scope) => scope !== 'api').join(' '));
      // The store's API only when this request asks for it and the shopper allowed it (checked
      // above: requested ⊆ allowed), never because a resource parameter came along.
      if (requested.includes('api')) for (const resource of Object.keys(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(resource, 'api');
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const page = gatehouseOf(ctx)?.renderPage({ kind: 'error', error: String(out.error), description: out.error_description ? String(out.error_description) : undefined });
      ctx.body = page ?? `<!doctype html><title>${String(out.error).replace(/[^a-z_]/g, '')}</title>`;
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  // Hashed client secrets (client-store.ts): the provider awaits this method when an app authenticates.
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    return clients.secretMatches(this.clientSecret ?? null, actual);
  };
  // The URLs in discovery are built from the request: PUBLIC_URL decides them (oidc-routes.tsx
  // sets the forwarded headers from it, after the host guard accepted the request).
  provider.proxy = true;
  provider.on('server_error', (_ctx, error) => deps.onServerError(error));
  return provider;
}
