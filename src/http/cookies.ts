// Cookie names and flags (DESIGN.md §2). The __Host- prefix makes the browser insist on Secure,
// Path=/ and no Domain, so a sibling subdomain can neither read nor plant them; Chromium treats
// http://localhost as a secure context, so the same cookies work in development.
import type { CookieSerializeOptions } from '@fastify/cookie';

// The value is written as-is when every character is a cookie-octet (RFC 6265 §4.1.1) and only
// otherwise URL-encoded — what the `cookie` package does from version 2 on, spelled out here so
// the bytes on the wire do not depend on which major of it is installed (1.x encodes every ":"
// of a QR entry). Parsing decodes either form.
const COOKIE_OCTET_UNSAFE = /[\u0000-\u0020\u007F-\uFFFF",;\\%]/;
export const encodeCookieValue = (value: string): string => (COOKIE_OCTET_UNSAFE.test(value) ? encodeURIComponent(value) : value);

export const SESSION_COOKIE = '__Host-gh_session';
export const BROWSER_COOKIE = '__Host-gh_browser';
export const LANGUAGE_COOKIE = '__Host-gh_lang';

/** `maxAgeSeconds` undefined: a browser-session cookie, gone when the browser closes. */
export const sessionCookieOptions = (maxAgeSeconds: number | undefined): CookieSerializeOptions => ({
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: maxAgeSeconds,
  encode: encodeCookieValue,
});

/** Binds flows to this browser and anchors its CSRF token; lives a year, carries no identity. */
export const browserCookieOptions: CookieSerializeOptions = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: 365 * 24 * 3600,
  encode: encodeCookieValue,
};

/** The chosen page language: a year, like the binding, and just as unreadable to scripts. */
export const languageCookieOptions: CookieSerializeOptions = { ...browserCookieOptions };
