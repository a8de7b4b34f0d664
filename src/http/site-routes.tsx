// Routes that belong to no flow: the language switch, static files, the home redirect.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { LANGUAGE_COOKIE, languageCookieOptions } from './cookies.ts';
import { redirect, safeReturnPath } from './replies.ts';
import { isLocale } from '../shared/i18n.ts';

/**
 * src/http/static, found by walking up from this module to the project root: the module runs from
 * src/http (tsx, tests) or bundled into dist/ (npm start), and the files stay in one place.
 */
function findStaticDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'src', 'http', 'static');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`src/http/static not found above ${fileURLToPath(import.meta.url)}`);
  }
}
const contentTypes: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

export function registerSiteRoutes(app: FastifyInstance) {
  // Read once at start: a handful of small files, served from memory.
  const files = new Map<string, { body: Buffer; type: string }>();
  const staticDir = findStaticDir();
  for (const name of readdirSync(staticDir)) {
    const type = contentTypes[name.slice(name.lastIndexOf('.'))];
    if (type) files.set(name, { body: readFileSync(join(staticDir, name)), type });
  }
  // The reference app's QR decoder where the browser has no BarcodeDetector, from the jsqr package:
  // 250 KB that only /app's camera scanner asks for, so read on its first request, not at start.
  const jsQrPath = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js');
  // @simplewebauthn/browser's UMD bundle (window.SimpleWebAuthnBrowser), from our own origin — no
  // CDN, so the CSP stays 'self' and the passkey pages run only code we ship. Read on first request.
  // The package exports only its module entry (script/index.js); the bundle sits beside it.
  const webAuthnPath = join(dirname(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser'))), 'dist', 'bundle', 'index.umd.min.js');
  // Swagger UI for the API reference at /api/docs (operations/api-docs-page.ts): 2 MB that only
  // that page asks for, read on first request.
  const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const lazy: Record<string, string> = {
    'jsQR.js': jsQrPath,
    'simplewebauthn-browser.js': webAuthnPath,
    'swagger-ui-bundle.js': join(swaggerUiDir, 'swagger-ui-bundle.js'),
    'swagger-ui.css': join(swaggerUiDir, 'swagger-ui.css'),
  };

  app.get('/static/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    if (Object.hasOwn(lazy, name) && !files.has(name)) files.set(name, { body: readFileSync(lazy[name]!), type: contentTypes[name.slice(name.lastIndexOf('.'))]! });
    const file = files.get(name);
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
