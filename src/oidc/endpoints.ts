// The provider's addresses and what a provider request carries from the Fastify side, apart from
// provider.ts so that the routes and pages can name them without loading oidc-provider (it is
// loaded on the first request that needs it: oidc-service.ts).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SignedIn } from '../http/request-context.ts';

/** What the Fastify side hands each provider request (oidc-routes.tsx puts it on the raw request). */
export interface GatehouseRequest {
  session: SignedIn | null;
  /** Draws a Gatehouse page for the provider's own answers (errors, sign-out). */
  renderPage(page: ProviderPage): string;
}

export type ProviderPage = { kind: 'error'; error: string; description?: string } | { kind: 'sign-out'; form: string; clientName?: string } | { kind: 'signed-out'; clientName?: string };

export const gatehouseOf = (ctx: KoaContextWithOIDC | undefined): GatehouseRequest | undefined => (ctx?.req as { gatehouse?: GatehouseRequest } | undefined)?.gatehouse;

export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  end_session: '/oidc/session/end',
} as const;

export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

