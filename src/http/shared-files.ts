/**
 * Files that are the same for every visitor (http/site-routes.ts, http/brand-routes.ts): cached by
 * browsers, and answered without looking up a session — a favicon needs no database, and still
 * loads while the database is down.
 */
export const isSharedFile = (url: string): boolean => url.startsWith('/static/') || url === '/favicon.ico' || url === '/manifest.webmanifest';
