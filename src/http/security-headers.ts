// A strict Content-Security-Policy with a per-response nonce: only our own scripts run, forms post
// only to us, and no page can be framed (clickjacking on *Confirm* buttons).
import type { FastifyInstance } from 'fastify';
import { isSharedFile } from './shared-files.ts';

/** The site's policy with this script-src (exported for a page that cannot use the nonce). */
export const policy = (scriptSrc: string) =>
  [
    "default-src 'none'",
    scriptSrc,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

// Built once: responses without a nonce (the JSON API, static files, early refusals) share one
// string, and a page's policy is these two halves around its nonce.
const NO_SCRIPTS = policy("script-src 'none'");
const [BEFORE_NONCE, AFTER_NONCE] = policy("script-src 'nonce-{nonce}'").split('{nonce}') as [string, string];

/** A year, subdomains included: once a browser has seen the store over https it never tries http. */
const HSTS = 'max-age=31536000; includeSubDomains';

export function registerSecurityHeaders(app: FastifyInstance, options: { publicUrl: string }) {
  // Only when the store is served over https: on http the header is ignored anyway, and on a
  // localhost development URL it would pin every other localhost app to https for a year.
  const hsts = new URL(options.publicUrl).protocol === 'https:';
  // A callback hook, not an async one: it runs on every response, whoami included, and has
  // nothing to wait for.
  app.addHook('onSend', (request, reply, payload, done) => {
    const nonce = request.ctx?.nonce;
    reply.header('content-security-policy', nonce ? BEFORE_NONCE + nonce + AFTER_NONCE : NO_SCRIPTS);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    // same-origin keeps the Origin header on our own form posts (the CSRF check reads it).
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (hsts) reply.header('strict-transport-security', HSTS);
    if (!isSharedFile(request.url)) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
