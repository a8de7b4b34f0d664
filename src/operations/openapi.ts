// The JSON API's reference: one OpenAPI 3.1 document, made by @fastify/swagger from the very
// TypeBox schemas the routes validate and serialize with (so it cannot drift from what the API
// does), served at GET /api/openapi.json, and a page to read it at GET /api/docs.
//
// Registered before the routes: the plugin learns routes from Fastify's onRoute hook. Only /api/
// routes are in the document; pages, /oidc and /.well-known are the browser's and OpenID's own.
import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../http/cookies.ts';
import { registerApiSchemas } from '../http/api-schemas.ts';
import { apiDocsPage, API_DOCS_CSP } from './api-docs-page.ts';

const description = [
  'The JSON API of Gatehouse: the store app signs in for a 30-day bearer session and manages its',
  'sessions and passkeys; other services of the store ask who is calling (`/api/v1/whoami`).',
  '',
  'Every refusal is `{ "error": { "code", "message" } }` (schema `ApiError`): `code` is stable, one',
  'of those listed under each response; `message` is for people, in English or Russian',
  '(Accept-Language). Throttled answers (429) carry `Retry-After` in seconds.',
].join('\n');

/** Only the JSON API is documented. */
const onlyTheApi = ({ schema, url }: { schema: object; url: string }) => ({ schema: url.startsWith('/api/') ? schema : { ...schema, hide: true }, url });

/**
 * The document and reference-page routes describe their answers to the document only: a response
 * schema in Fastify's own would make it serialize them, and both are sent as ready text.
 */
const documentedAs = (summary: string, responses: Record<string, object>) => ({
  swaggerTransform: ({ schema, url }: { schema?: object; url: string }) => ({ schema: { ...schema, summary, tags: ['Reference'], response: responses }, url }),
});

/** The document's own version: the API's (the paths' /v1/), not the server's release. */
const API_VERSION = '1';

export async function registerOpenApi(app: FastifyInstance, options: { publicUrl: string }) {
  registerApiSchemas(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse API', version: API_VERSION, description },
      // PUBLIC_URL as it is: the server's routes sit under its path when a proxy adds one.
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An app session token (from POST /api/v1/app/sessions) in `Authorization: Bearer <token>`.' },
          browserSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "A browser's session cookie (whoami only)." },
          adminToken: { type: 'http', scheme: 'bearer', description: 'An admin token (`gha_…`, from `gatehouse admin-token create`) in `Authorization: Bearer <token>`; for /api/v1/admin only. Refusals: 401 `admin.unauthenticated`.' },
        },
      },
      tags: [
        { name: 'App sign-in', description: 'The store app signs in: password, second step, passkey.' },
        { name: 'QR sign-in', description: 'The signed-in app confirms a browser that shows a QR code.' },
        { name: 'Sessions', description: 'Who is calling; the sessions of the account.' },
        { name: 'Passkeys', description: "The account's passkeys, from the app." },
        { name: 'Reference', description: 'This document.' },
      ],
    },
    // Shared schemas keep their own names in components.schemas (ApiError, not def-0).
    refResolver: { buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: onlyTheApi as never,
    // Paths in alphabetical order, not in the order app.ts happens to register the flows: the
    // reference then reads /app/sessions (sign in) before its /passkey and /second-step variants.
    transformObject: (made) => {
      if (!('openapiObject' in made)) return made.swaggerObject;
      const { openapiObject } = made;
      openapiObject.paths = Object.fromEntries(Object.entries(openapiObject.paths ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as typeof openapiObject.paths;
      return openapiObject;
    },
  });

  // Made once, on the first request (not at start: every test builds its own app), then served as
  // the same text with the same ETag; the routes cannot change after start.
  let document: { text: string; etag: string } | undefined;
  const theDocument = () => {
    if (!document) {
      const text = JSON.stringify(app.swagger());
      document = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` };
    }
    return document;
  };

  const openapiResponses = {
    200: { description: 'This document (OpenAPI 3.1).', type: 'object', additionalProperties: true },
    304: { description: 'Unchanged since the ETag sent in If-None-Match.', type: 'null' },
  };
  app.get('/api/openapi.json', { config: documentedAs('The OpenAPI document of this API', openapiResponses) }, async (request, reply) => {
    const { text, etag } = theDocument();
    reply.header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(text);
  });

  const pageResponses = { 200: { description: 'An HTML page that renders this document.', content: { 'text/html': { schema: { type: 'string' } } } } };
  app.get(
    '/api/docs',
    {
      config: documentedAs('The API reference page', pageResponses),
      // A route's own onSend runs after the site's (http/security-headers.ts), so this page's
      // policy replaces the site's for it alone, at no cost to any other response.
      onSend: (_request, reply, payload, done) => {
        reply.header('content-security-policy', API_DOCS_CSP);
        done(null, payload);
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(apiDocsPage),
  );
}
