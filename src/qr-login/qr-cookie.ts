// The waiting browser's secret: proves that this browser, and only it, asked for the QR.
import type { CookieSerializeOptions } from '@fastify/cookie';

export const QR_COOKIE = '__Host-gh_qr';

export const qrCookieOptions: CookieSerializeOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'lax', maxAge: 600 };
