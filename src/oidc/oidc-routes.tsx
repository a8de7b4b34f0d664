// The HTTP side of "Sign in with <Store>".
//
// - Discovery and oidc-provider's endpoints (/.well-known/openid-configuration, /oidc/*) are
//   handed to oidc-provider as they are: its Koa app reads the body itself and answers on the raw
//   response, so these routes parse no body and skip the form CSRF check (the token, revocation
//   and introspection endpoints authenticate apps, not cookies; sign-out has its own xsrf field).
// - An app's sign-in comes to /oidc/interaction/<uid>: with no Gatehouse session it goes to
//   /login (every way of signing in, two-step and the same throttles) and comes back; a signed-in
//   shopper goes straight back to the app (single sign-on), after "Confirm it's you" when the app
//   asked for a fresh sign-in (prompt=login, max_age), and after the consent page for an app the
//   store does not run and the shopper has not allowed yet.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import { requireSession } from '../http/require-session.ts';
import type { SignedIn } from '../http/request-context.ts';
import { interactionPath, OIDC_ROUTES, type GatehouseRequest, type ProviderPage } from './endpoints.ts';
import type { Oidc } from './oidc-service.ts';
import { oidcMessages } from './oidc-messages.ts';
import { ConsentPage, ContinuePage, EndedRequestPage, ProviderErrorPage, SignedOutPage, SignOutPage } from './oidc-pages.tsx';
import { acrFor, amrFor, authTimeOf } from './sign-in-proof.ts';

const PROVIDER_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oidc/*'];
/** Browser requests that store a row (an interaction, a provider session): counted per address. */
const BROWSER_PATHS = [OIDC_ROUTES.authorization, OIDC_ROUTES.end_session];
/** A query value longer than this is refused before the provider stores it (state, nonce, login_hint…). */
const MAX_QUERY_VALUE = 2048;

/** The path as oidc-provider's router matches it: any case, one trailing slash or none. */
const routedPath = (url: string) => url.split('?')[0]!.toLowerCase().replace(/\/+$/, '');

/** The client_id of HTTP Basic client authentication (RFC 6749 §2.3.1: form-encoded, then base64), if the header carries one. */
export function basicClientId(authorization: string | undefined): string | undefined {
  const encoded = /^Basic ([A-Za-z0-9+/=]{1,400})$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')).slice(0, 100);
  } catch {
    return undefined;
  }
}

/** Provider answers skip the page CSP's form-action: a sign-out or form_post goes on to the app's own address. */
const PROVIDER_CSP = (nonce: string) => `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`;

export function registerOidcRoutes(app: FastifyInstance, deps: { oidc: Oidc; publicUrl: string }) {
  const { oidc } = deps;
  const publicUrl = new URL(deps.publicUrl);

  function renderPage(request: FastifyRequest, page: ProviderPage): string {
    const t = request.ctx.translator(oidcMessages);
    const ctx = request.ctx;
    if (page.kind === 'sign-out') return String(<SignOutPage ctx={ctx} t={t} form={page.form} appName={page.clientName} />);
    if (page.kind === 'signed-out') return String(<SignedOutPage ctx={ctx} t={t} />);
    return String(<ProviderErrorPage ctx={ctx} t={t} error={page.error.replace(/[^a-z_]/g, '').slice(0, 60)} />);
  }

  // oidc-provider's own endpoints, in a scope of their own: no body parser runs there.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = routedPath(request.url);
      const query = request.query as Record<string, unknown>;
      if (Object.values(query ?? {}).some((value) => String(value).length > MAX_QUERY_VALUE)) {
        return sendPage(reply, <ProviderErrorPage ctx={request.ctx} t={request.ctx.translator(oidcMessages)} error="invalid_request" />, 400);
      }
      // Every post (token, introspection, revocation, sign-out confirmation), whatever case or slash it is spelled with.
      const counted =
        request.method === 'POST'
          ? await oidc.tokenRequestAllowed(request.ctx.clientAddress, basicClientId(request.headers.authorization))
          : BROWSER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
            ? await oidc.browserRequestAllowed(request.ctx.clientAddress)
            : ({ ok: true } as const);
      if (!counted.ok) {
        return reply
          .status(429)
          .header('retry-after', String(counted.retryAfterSeconds))
          .send({ error: 'temporarily_unavailable', error_description: `too many requests; try again in ${counted.retryAfterSeconds} s` });
      }
      const raw = request.raw as typeof request.raw & { gatehouse?: GatehouseRequest };
      // Endpoint URLs come from PUBLIC_URL, never from what a client says (the host guard has
      // already accepted the Host; X-Forwarded-* from outside are overwritten here).
      raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      raw.headers['x-forwarded-host'] = publicUrl.host;
      raw.gatehouse = { session: request.ctx.session, renderPage: (page) => renderPage(request, page) };
      reply.hijack();
      reply.raw.setHeader('content-security-policy', PROVIDER_CSP(request.ctx.nonce));
      reply.raw.setHeader('x-content-type-options', 'nosniff');
      reply.raw.setHeader('x-frame-options', 'DENY');
      reply.raw.setHeader('referrer-policy', 'no-referrer');
      reply.raw.setHeader('cache-control', 'no-store');
      reply.raw.setHeader('cross-origin-opener-policy', 'same-origin');
      if (publicUrl.protocol === 'https:') reply.raw.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
      await oidc.handle(raw, reply.raw);
      return reply;
    };
    for (const url of PROVIDER_PATHS) {
      scope.route({ method: ['GET', 'POST', 'OPTIONS', 'HEAD'], url, handler, config: { ownCsrf: true } });
    }
  });

  /** The interaction of this browser, or undefined when it ended, was used, or belongs to another. */
  async function interactionOf(request: FastifyRequest, reply: FastifyReply) {
    const uid = (request.params as { uid: string }).uid;
    try {
      const details = await (await oidc.provider()).interactionDetails(request.raw, reply.raw);
      return details.uid === uid ? details : undefined;
    } catch (error) {
      // oidc-provider's own errors (no interaction cookie, an ended or used interaction) carry an
      // OAuth error code; anything else is a bug and goes on to the error handler.
      if (typeof (error as { error?: unknown }).error === 'string' && ['SessionNotFound', 'InvalidRequest'].includes((error as Error).name)) return undefined;
      throw error;
    }
  }

  /** Hands the shopper back to oidc-provider (which sends them on to the app) through ContinuePage, never a redirect. */
  async function continueTo(request: FastifyRequest, reply: FastifyReply, to: string, clientId: unknown) {
    const appName = typeof clientId === 'string' ? (await oidc.clients.find(clientId))?.name : undefined;
    const path = new URL(to, deps.publicUrl);
    return sendPage(reply, <ContinuePage ctx={request.ctx} t={request.ctx.translator(oidcMessages)} to={path.pathname + path.search} appName={appName} />);
  }

  const ended = (request: FastifyRequest, reply: FastifyReply) =>
    sendPage(reply, <EndedRequestPage ctx={request.ctx} t={request.ctx.translator(oidcMessages)} />, 400);

  /**
   * Whether the session's last proof is recent enough for this request. For prompt=login it must
   * come after the moment Gatehouse first sent the shopper to prove it, which the return address
   * carries as a stamp signed with the secret (the interaction's own iat is in whole seconds, too
   * coarse to tell a sign-in just before the request from one just after). For max_age it must
   * lie within those seconds.
   */
  function freshEnough(session: SignedIn, reasons: string[], maxAge: unknown, stampedAt: number | undefined): boolean {
    const provedAtMs = Math.max(session.created_at, session.reverified_at ?? 0);
    if (reasons.includes('login_prompt') && (stampedAt === undefined || provedAtMs < stampedAt)) return false;
    const seconds = Number(maxAge);
    if (reasons.includes('max_age') && Number.isFinite(seconds) && Date.now() - provedAtMs > seconds * 1000) return false;
    return true;
  }

  /** Gives the shopper's consent on their behalf (the store's own app, or one allowed before) or records the one they gave. */
  async function consentGiven(request: FastifyRequest, reply: FastifyReply, details: Awaited<ReturnType<typeof interactionOf>> & object, accountId: string) {
    const clientId = String(details.params.client_id);
    const { Grant } = await oidc.provider();
    const grant = (details.grantId ? await Grant.find(details.grantId) : undefined) ?? new Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return continueTo(request, reply, await (await oidc.provider()).interactionResult(request.raw, reply.raw, { consent }, { mergeWithLastSubmission: true }), details.params.client_id);
  }

  app.get('/oidc/interaction/:uid', async (request, reply) => {
    const details = await interactionOf(request, reply);
    if (!details) return ended(request, reply);
    const session = request.ctx.session;
    const stamp = (request.query as Record<string, unknown>).fresh;
    const stampedAt = typeof stamp === 'string' ? oidc.freshSince(details.uid, stamp) : undefined;
    // Where the shopper comes back to after signing in or confirming: stamped now.
    const back = `${interactionPath(details.uid)}?fresh=${oidc.freshStamp(details.uid, Date.now())}`;
    if (!session) return redirect(reply, `/login?return_to=${encodeURIComponent(back)}`);

    if (details.prompt.name === 'login') {
      if (!freshEnough(session, details.prompt.reasons, details.params.max_age, stampedAt)) {
        return redirect(reply, `/account/confirm?return_to=${encodeURIComponent(stampedAt === undefined ? back : request.url)}`);
      }
      const login = { accountId: session.account_id, acr: acrFor(session), amr: amrFor(session), ts: authTimeOf(session), remember: true };
      return continueTo(request, reply, await (await oidc.provider()).interactionResult(request.raw, reply.raw, { login }, { mergeWithLastSubmission: false }), details.params.client_id);
    }

    // Consent: the provider's session is this shopper's (its login prompt makes sure).
    if (details.session?.accountId !== session.account_id) return ended(request, reply);
    const client = await oidc.clients.find(String(details.params.client_id));
    if (!client) return ended(request, reply);
    const scopes = String(details.params.scope ?? '').split(' ');
    // The store's own apps never ask (prompt=consent, which offline_access needs, included).
    if (client.firstParty) return consentGiven(request, reply, details, session.account_id);
    const t = request.ctx.translator(oidcMessages);
    return sendPage(reply, <ConsentPage ctx={request.ctx} t={t} uid={details.uid} appName={client.name} scopes={scopes} email={session.email} />);
  });

  app.post('/oidc/interaction/:uid/consent', { schema: { body: formBody({ decision: shortText(8) }) } }, async (request, reply) => {
    const details = await interactionOf(request, reply);
    const session = request.ctx.session;
    if (!details || details.prompt.name !== 'consent' || !session || details.session?.accountId !== session.account_id) return ended(request, reply);
    if (textField(request.body, 'decision') !== 'allow') {
      const result = { error: 'access_denied', error_description: 'the shopper did not allow it' };
      return continueTo(request, reply, await (await oidc.provider()).interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false }), details.params.client_id);
    }
    await oidc.consents.allow(session.account_id, String(details.params.client_id), String(details.params.scope ?? '').split(' '), request.ctx);
    return consentGiven(request, reply, details, session.account_id);
  });

  // My account → Security → Apps with access → Remove access.
  app.post('/account/security/apps/remove', { schema: { body: formBody({ client_id: shortText(100) }) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const removed = await oidc.consents.withdraw(session.account_id, textField(request.body, 'client_id') ?? '', request.ctx);
    return redirect(reply, `/account/security?saved=${removed ? 'app_removed' : 'app_unknown'}#apps`);
  });
}

/** The app a /login?return_to= names, when it is an app's sign-in: its registered name, for "Sign in to continue to …". */
export function appNameFinder(oidc: Oidc) {
  return async (returnTo: string | undefined): Promise<string | undefined> => {
    const uid = /^\/oidc\/interaction\/([A-Za-z0-9_-]{1,64})(?:\?|$)/.exec(returnTo ?? '')?.[1];
    if (!uid) return undefined;
    const interaction = await (await oidc.provider()).Interaction.find(uid);
    const clientId = interaction?.params?.client_id;
    return typeof clientId === 'string' ? (await oidc.clients.find(clientId))?.name : undefined;
  };
}

