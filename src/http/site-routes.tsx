// Routes that belong to no flow: the language switch, static files, the home redirect.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { LANGUAGE_COOKIE, languageCookieOptions } from './cookies.ts';
import { redirect, safeReturnPath } from './replies.ts';
import { isLocale } from '../shared/i18n.ts';

const staticDir = join(dirname(fileURLToPath(import.meta.url)), 'static');
const contentTypes: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

export function registerSiteRoutes(app: FastifyInstance) {
  // Read once at start: a handful of small files, served from memory.
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(staticDir)) {
    const type = contentTypes[name.slice(name.lastIndexOf('.'))];
    if (type) files.set(name, { body: readFileSync(join(staticDir, name)), type });
  }

  app.get('/static/:name', async (request, reply) => {
    const file = files.get((request.params as { name: string }).name);
    if (!file) return reply.callNotFound();
    return reply.type(file.type).header('cache-control', 'public, max-age=300').send(file.body);
  });

  app.get('/', async (request, reply) => redirect(reply, request.ctx.session ? '/account' : '/login'));

  app.get('/language', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (isLocale(query.set)) reply.setCookie(LANGUAGE_COOKIE, query.set, languageCookieOptions);
    return redirect(reply, safeReturnPath(query.return_to, '/login'));
  });
}
