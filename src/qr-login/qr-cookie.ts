// The waiting browser's secrets: they prove that this browser, and only it, asked for a QR.
// One cookie holds the secrets of the last few QRs of this browser ("<request id>:<secret>",
// newest last), so a second sign-in tab does not strand the first tab's QR.
import type { CookieSerializeOptions } from '@fastify/cookie';
import { encodeCookieValue } from '../http/cookies.ts';

export const QR_COOKIE = '__Host-gh_qr';
const KEEP = 3;

export const qrCookieOptions: CookieSerializeOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'lax', maxAge: 600, encode: encodeCookieValue };

interface Entry {
  id: string | undefined;
  secret: string;
}

function entriesOf(cookie: string | undefined): Entry[] {
  if (!cookie || cookie.length > 600) return [];
  return cookie.split('.').map((part) => {
    const colon = part.indexOf(':');
    return colon === -1 ? { id: undefined, secret: part } : { id: part.slice(0, colon), secret: part.slice(colon + 1) };
  });
}

/** The secret for the QR with this id, or the newest one when the page did not say which. */
export function qrSecretFrom(cookie: string | undefined, requestId?: unknown): string | undefined {
  const entries = entriesOf(cookie);
  if (typeof requestId === 'string' && requestId !== '') return entries.find((entry) => entry.id === requestId)?.secret;
  return entries.at(-1)?.secret;
}

/** The cookie value after this browser asked for one more QR. */
export function withQrSecret(cookie: string | undefined, requestId: string, secret: string): string {
  const kept = entriesOf(cookie).filter((entry) => entry.id !== undefined).slice(-(KEEP - 1));
  return [...kept, { id: requestId, secret }].map((entry) => `${entry.id}:${entry.secret}`).join('.');
}

/** The cookie value once the QR with this secret signed the browser in (undefined: none left). */
export function withoutQrSecret(cookie: string | undefined, secret: string | undefined): string | undefined {
  const left = entriesOf(cookie).filter((entry) => entry.id !== undefined && entry.secret !== secret);
  return left.length ? left.map((entry) => `${entry.id}:${entry.secret}`).join('.') : undefined;
}
