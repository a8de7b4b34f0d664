// Cookie names and flags (DESIGN.md §2). The __Host- prefix makes the browser insist on Secure,
// Path=/ and no Domain, so a sibling subdomain can neither read nor plant them; Chromium treats
// http://localhost as a secure context, so the same cookies work in development.
import type { CookieSerializeOptions } from '@fastify/cookie';

export const SESSION_COOKIE = '__Host-gh_session';
export const BROWSER_COOKIE = '__Host-gh_browser';
export const LANGUAGE_COOKIE = '__Host-gh_lang';

export const sessionCookieOptions = (maxAgeSeconds: number): CookieSerializeOptions => ({
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: maxAgeSeconds,
});

/** Binds flows to this browser and anchors its CSRF token; lives a year, carries no identity. */
export const browserCookieOptions: CookieSerializeOptions = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: 365 * 24 * 3600,
};

export const languageCookieOptions: CookieSerializeOptions = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: 365 * 24 * 3600,
};
