// A strict Content-Security-Policy with a per-response nonce: only our own scripts run, forms post
// only to us, and no page can be framed (clickjacking on *Confirm* buttons).
import type { FastifyInstance } from 'fastify';

export function registerSecurityHeaders(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply, payload) => {
    const nonce = request.ctx?.nonce ?? '';
    reply.header(
      'content-security-policy',
      [
        "default-src 'none'",
        nonce ? `script-src 'nonce-${nonce}'` : "script-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    // same-origin keeps the Origin header on our own form posts (the CSRF check reads it).
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!request.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
