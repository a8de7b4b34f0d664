// Per-request facts every page needs: the browser binding id, its CSRF token, the language, the
// CSP nonce, the client address, the signed-in session when there is one, and the installation's
// own facts (the store name) so no route or page has to be handed them.
import type { Brand } from '../config/brand.ts';
import type { KeepSignedInOffer } from '../config/security-config.ts';
import { isSharedFile } from './shared-files.ts';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commonMessages } from './common-messages.ts';
import { BROWSER_COOKIE, LANGUAGE_COOKIE, SESSION_COOKIE, browserCookieOptions } from './cookies.ts';
import type { Catalog, Locale, Translate } from '../shared/i18n.ts';
import { defaultLocale, isLocale, translatorFor } from '../shared/i18n.ts';
import { randomToken, type Secrets } from '../shared/secrets.ts';
import type { SessionsTable } from '../storage/tables.ts';
import { isProbe } from './probe.ts';

/**
 * The signed-in session as a request carries it: its row, the account facts pages use, and when
 * it idles out. Declared here, where requests are, so that http/ needs nothing from sessions/:
 * sessions/ builds it (its SessionWithAccount is this without idleExpiresAt) and the assembly
 * hands its lookup in.
 */
export interface SignedIn extends SessionsTable {
  email: string;
  email_verified_at: number | null;
  locked_at: number | null;
  locale: string;
  login_name: string | null;
  /** When the session ends unless it is used again (the earlier of its idle and absolute limits). */
  idleExpiresAt: number;
}

/** Finds the live browser session a cookie names (sessions/ provides it). */
export interface SessionLookup {
  resolveSession(token: string | undefined, kind: 'browser'): Promise<SignedIn | null>;
}

/** What every page shows about this installation, fixed when the app is assembled. */
export interface SiteFacts {
  storeName: string;
  /** The store's logo, colours and footer links (config/brand.ts), for the page frame. */
  brand: Brand;
  /** Whether the sign-in page offers "Keep me signed in on this device", and ticked or not (KEEP_SIGNED_IN). */
  keepSignedIn: KeepSignedInOffer;
}

export interface RequestContext extends SiteFacts {
  browserId: string;
  csrfToken: string;
  nonce: string;
  locale: Locale;
  clientAddress: string;
  userAgent: string;
  session: SignedIn | null;
  /** A translator over the common catalog and the given flow catalogs. */
  translator(...catalogs: Catalog[]): Translate;
}

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

/** Accept-Language: the first supported language by q-value (RFC 9110 §12.5.4). */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { language: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.language).find(isLocale);
}

/**
 * The client's address as an address: behind a trusted proxy Fastify takes it from
 * X-Forwarded-For, text a client can write, so anything that is not an IP address (a sentence
 * for the QR confirm screen, say) becomes 'unknown' rather than reaching a page, a limit key or
 * an email.
 */
function clientAddressOf(request: FastifyRequest): string {
  const address = request.ip;
  return isIP(address) ? address : 'unknown';
}

/** For the JSON API and for requests rejected before the context was built: no browser binding. */
export function contextWithoutBrowser(request: FastifyRequest, site: SiteFacts): RequestContext {
  const locale = localeFromAcceptLanguage(request.headers['accept-language']) ?? defaultLocale;
  return {
    storeName: site.storeName,
    brand: site.brand,
    keepSignedIn: site.keepSignedIn,
    browserId: '',
    csrfToken: '',
    nonce: '',
    locale,
    clientAddress: clientAddressOf(request),
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    session: null,
    translator: (...catalogs) => translatorFor(locale, ...catalogs, commonMessages),
  };
}

export function registerRequestContext(app: FastifyInstance, deps: { secrets: Secrets; sessions: SessionLookup; site: SiteFacts }) {
  app.decorateRequest('ctx', null as unknown as RequestContext);

  async function browserContext(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const shared = isSharedFile(request.url);
    let browserId = request.cookies[BROWSER_COOKIE];
    if (!browserId || !/^[A-Za-z0-9_-]{43}$/.test(browserId)) {
      browserId = randomToken();
      // A shared file is cacheable (5 minutes) and binds nothing: a shared cache that kept its
      // Set-Cookie would hand one browser id, the anchor of CSRF tokens and flows, to everyone.
      if (!shared) reply.setCookie(BROWSER_COOKIE, browserId, browserCookieOptions);
    }
    const session = shared ? null : await deps.sessions.resolveSession(request.cookies[SESSION_COOKIE], 'browser');
    const chosen = request.cookies[LANGUAGE_COOKIE];
    const locale: Locale =
      (isLocale(chosen) ? chosen : undefined) ??
      (session && isLocale(session.locale) ? session.locale : undefined) ??
      localeFromAcceptLanguage(request.headers['accept-language']) ??
      defaultLocale;
    request.ctx = {
      storeName: deps.site.storeName,
      brand: deps.site.brand,
      keepSignedIn: deps.site.keepSignedIn,
      browserId,
      csrfToken: deps.secrets.csrfTokenFor(browserId),
      nonce: randomBytes(16).toString('base64'),
      locale,
      clientAddress: clientAddressOf(request),
      userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
      session,
      translator: (...catalogs) => translatorFor(locale, ...catalogs, commonMessages),
    };
  }

  // A callback hook, not an async one: the JSON API's branch finishes synchronously, without a
  // promise and its extra turns of the microtask queue on every whoami.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    // The JSON API (whoami) is the hot path and is called by services, not browsers: no binding
    // cookie, CSRF token or nonce to make; routes there resolve their own session.
    // A health probe likewise: no cookie to set, and no session to look up in the database.
    if (request.url.startsWith('/api/') || isProbe(request)) {
      request.ctx = contextWithoutBrowser(request, deps.site);
      done();
      return;
    }
    browserContext(request, reply).then(() => done(), done);
  });
}
