// The store's own look, served from memory: its colours as a small stylesheet after app.css, its
// logo, the favicon and a web app manifest. Made once at start from config/brand.ts, which has
// already refused a colour that fails contrast and a logo that is not a small readable image.
import type { FastifyInstance, onSendHookHandler, RouteShorthandOptions } from 'fastify';
import { CANVAS, HOUSE_COLOUR, pngSizes, type Brand } from '../config/brand.ts';

const CACHE = 'public, max-age=300';

/** Where the pages find the logo: one path per type, so the browser never has to sniff it. */
export function logoPath(brand: Brand): string | undefined {
  if (!brand.logo) return undefined;
  return brand.logo.type === 'image/png' ? '/static/brand-logo.png' : '/static/brand-logo.svg';
}

/** app.css's custom properties, overridden: buttons, links and focus rings in the store's colour. */
function brandStylesheet(brand: Brand): string {
  const colours = brand.colours;
  if (!colours) return '/* the house colours of app.css */\n';
  return (
    `:root {\n  --brand: ${colours.brand};\n  --brand-dark: ${colours.brandDark};\n  --brand-active: ${colours.brandActive};\n  --brand-tint: ${colours.brandTint};\n` +
    `  --link: ${colours.link};\n  --focus: ${colours.link};\n}\n`
  );
}

/** Without a logo, the icon is the header's mark: the store's first letter on its colour. */
function letterIcon(storeName: string, colour: string): Buffer {
  // A numeric character reference: whatever the store's name starts with, it cannot be markup.
  const letter = `&#${(Array.from(storeName.trim())[0]?.toUpperCase() ?? 'G').codePointAt(0)};`;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${colour}"/>` +
      `<text x="32" y="44" font-family="system-ui,Arial,sans-serif" font-size="36" font-weight="700" fill="#fff" text-anchor="middle">${letter}</text></svg>`,
  );
}

/**
 * An SVG opened on its own is a document of our origin, where a script in it would run: served
 * with a sandbox and no scripts, it is a picture and nothing more (in <img> scripts never run).
 */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/** A route's own onSend runs after the app's (security-headers.ts), so this policy is the one sent. */
function svgPolicy(type: string): RouteShorthandOptions {
  if (type !== 'image/svg+xml') return {};
  const onSend: onSendHookHandler = (_request, reply, payload, done) => {
    reply.header('content-security-policy', SVG_POLICY);
    done(null, payload);
  };
  return { onSend };
}

export function registerBrandRoutes(app: FastifyInstance, deps: { brand: Brand; storeName: string }) {
  const { brand, storeName } = deps;
  const stylesheet = brandStylesheet(brand);
  const icon = brand.logo ?? { type: 'image/svg+xml' as const, bytes: letterIcon(storeName, brand.colours?.brand ?? HOUSE_COLOUR) };
  const manifest = JSON.stringify({
    name: storeName,
    short_name: Array.from(storeName).slice(0, 12).join(''),
    start_url: '/account',
    scope: '/',
    display: 'browser',
    background_color: CANVAS,
    theme_color: brand.colours?.brand ?? HOUSE_COLOUR,
    // Install prompts pick an icon by its size: an SVG fits any, a PNG says its own.
    icons: [{ src: '/favicon.ico', type: icon.type, sizes: icon.type === 'image/svg+xml' ? 'any' : pngSizes(icon.bytes) }],
  });

  app.get('/static/brand.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', CACHE).send(stylesheet));

  const path = logoPath(brand);
  if (path && brand.logo) {
    const logo = brand.logo;
    app.get(path, svgPolicy(logo.type), async (_request, reply) => reply.type(logo.type).header('cache-control', CACHE).send(logo.bytes));
  }

  // Browsers ask for /favicon.ico on every first visit whatever the page says; a PNG or SVG under
  // that name is shown by all of them (the type header says what it is).
  app.get('/favicon.ico', svgPolicy(icon.type), async (_request, reply) => reply.type(icon.type).header('cache-control', CACHE).send(icon.bytes));
  app.get('/manifest.webmanifest', async (_request, reply) => reply.type('application/manifest+json; charset=utf-8').header('cache-control', CACHE).send(manifest));
}
