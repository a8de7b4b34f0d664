// Small helpers the thin route files share.
import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './jsx.ts';
import { SESSION_COOKIE, sessionCookieOptions } from './cookies.ts';
import { describeDuration, describeSeconds, type Locale } from '../shared/i18n.ts';
import type { FastifyRequest } from 'fastify';

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').send(page.html);
}

/** 303 so the browser follows with GET and a reload never re-posts a form. */
export function redirect(reply: FastifyReply, location: string) {
  return reply.status(303).header('location', location).send();
}

/** Only our own absolute paths: "//evil.example" and "/\evil" would leave the site. */
export function safeReturnPath(candidate: unknown, fallback = '/account'): string {
  if (typeof candidate !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(candidate) || candidate.length > 512) return fallback;
  return candidate;
}

/**
 * A kept session's cookie lasts as long as the session; a short one's is a browser-session cookie
 * (no Max-Age), so closing the browser of a shared or borrowed computer signs it out, as an
 * unticked "Keep me signed in" promises. The server's own limits (30 min idle, 12 h) hold either way.
 */
/** A session's new token and what its cookie is set from (sessions/ issues it; http/ needs nothing from there). */
export interface IssuedCookie {
  token: string;
  expiresAt: number;
  keptSignedIn: boolean;
}

export function setSessionCookie(reply: FastifyReply, issued: IssuedCookie, now: number) {
  reply.setCookie(SESSION_COOKIE, issued.token, sessionCookieOptions(issued.keptSignedIn ? Math.max(1, Math.floor((issued.expiresAt - now) / 1000)) : undefined));
}

/**
 * A sign-in finished in this browser: it gets the new session's cookie, and the session it held
 * until now (if any, whoever's it was) ends, so one browser never keeps two live sessions.
 */
export async function handOverBrowserSession(
  request: FastifyRequest,
  reply: FastifyReply,
  sessions: { endReplacedSession(previous: { id: string; account_id: string } | null): Promise<void> },
  started: IssuedCookie,
  now: number,
) {
  await sessions.endReplacedSession(request.ctx.session);
  setSessionCookie(reply, started, now);
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(0));
}

export function waitText(seconds: number | undefined, locale: Locale) {
  // Under two minutes in seconds, matching the *Get code* countdown ("60 seconds", not "1 minute").
  const wait = seconds ?? 1;
  return wait < 120 ? describeSeconds(wait, locale) : describeDuration(wait, locale);
}

/** Reads a text field from a parsed form; absent or not a string (sent twice) → undefined. */
export function textField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
