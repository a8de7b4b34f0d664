// The OpenAPI document (src/operations/openapi.ts) is valid OpenAPI 3.1, covers every /api/ route
// Fastify has (so a route added tomorrow cannot be left out), lists only real failure codes under
// their real statuses, and is made once and served to anyone.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileErrors, validate } from '@readme/openapi-parser';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { registeredRoutes } from '../harness/routes.ts';
import { failureCodes } from '../../src/failure-codes.ts';
import { statusFor } from '../../src/http/error-statuses.ts';
import type { FailureCode } from '../../src/shared/failure.ts';

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: BodySchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string; allOf?: ErrorSchema[] } }> }>;
}
type ErrorSchema = { $ref?: string; properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

type BodySchema = { type?: string; properties?: Record<string, BodySchema>; required?: string[]; pattern?: string; anyOf?: BodySchema[]; enum?: string[] };
/** The smallest value a request body schema accepts: its required fields only, strings that fit their pattern. */
function sampleOf(schema: BodySchema): unknown {
  if (schema.anyOf) return sampleOf(schema.anyOf[0]!);
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'object') return Object.fromEntries((schema.required ?? []).map((name) => [name, sampleOf(schema.properties![name]!)]));
  if (schema.type === 'string') return schema.pattern === '^[A-Za-z0-9_-]{43}$' ? 'x'.repeat(43) : 'x';
  if (schema.type === 'boolean') return false;
  return {};
}

/** Each operation's error responses as { status, codes, refersToApiError }. */
function errorResponses(document: Document) {
  const found: { where: string; status: number; codes: string[]; shared: boolean }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const schema = response.content?.['application/json']?.schema;
        found.push({
          where: `${method.toUpperCase()} ${path} ${status}`,
          status: Number(status),
          codes: schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? [],
          shared: schema?.allOf?.[0]?.$ref === '#/components/schemas/ApiError',
        });
      }
    }
  }
  return found;
}

for (const dialect of testDialects) {
  describe(`the OpenAPI document on ${dialect}`, { timeout: 120_000 }, () => {
    let app: TestGatehouse;
    let document: Document;

    before(async () => {
      app = await startTestGatehouse(dialect);
      const response = await createClient(app.url).get('/api/openapi.json');
      assert.equal(response.status, 200);
      document = JSON.parse(response.text);
    });
    after(() => app.close());

    test('it is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
      assert.equal(document.openapi, '3.1.0');
      const result = await validate(structuredClone(document) as never);
      assert.equal(result.valid, true, compileErrors(result));
      assert.deepEqual(result.warnings, [], compileErrors(result));
    });

    test('every /api/ route Fastify has is in it with each of its methods, and no page, /oidc or /.well-known route is', () => {
      const apiRoutes = registeredRoutes(app.gatehouse.app).filter((route) => route.url.startsWith('/api/'));
      assert.ok(apiRoutes.length >= 17, `expected the app API's routes, found ${apiRoutes.length}`);
      const documented = new Set(
        Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`)),
      );
      const missing = apiRoutes.map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`).filter((route) => !documented.has(route));
      assert.deepEqual(missing, [], 'routes the document leaves out');
      assert.equal(documented.size, apiRoutes.length, 'no operation without a route');
      assert.deepEqual(Object.keys(document.paths).filter((path) => !path.startsWith('/api/')), []);
    });

    test('every error response is the shared ApiError body, and each code it lists is a real failure code answered with that status', () => {
      const errors = errorResponses(document);
      assert.ok(errors.length > 30, 'error responses are documented');
      const known = new Set<string>(failureCodes);
      for (const { where, status, codes, shared } of errors) {
        assert.ok(shared, `${where}: refers to #/components/schemas/ApiError`);
        assert.ok(codes.length > 0, `${where}: lists its codes`);
        for (const code of codes) {
          assert.ok(known.has(code), `${where}: ${code} is in src/failure-codes.ts`);
          assert.equal(statusFor(code as FailureCode), status, `${where}: ${code} is answered with ${statusFor(code as FailureCode)}`);
        }
      }
      assert.ok(document.components.schemas.ApiError, 'ApiError is described once, in components');
    });

    test('operations that need a token say so with the bearer scheme, and each of them documents its 401 request.unauthenticated', () => {
      assert.deepEqual(document.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: (document.components.securitySchemes.bearer as { description: string }).description });
      const guarded = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.entries(item).filter(([, operation]) => operation.security?.some((requirement) => 'bearer' in requirement)).map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      assert.deepEqual(guarded.sort(), [
        'DELETE /api/v1/sessions/{id}',
        'GET /api/v1/app/passkeys',
        'GET /api/v1/sessions',
        'GET /api/v1/whoami',
        'POST /api/v1/app/passkeys',
        'POST /api/v1/app/passkeys/options',
        'POST /api/v1/app/passkeys/remove',
        'POST /api/v1/qr/cancel',
        'POST /api/v1/qr/confirm',
        'POST /api/v1/qr/scan',
      ]);
      const unauthenticated = new Set(errorResponses(document).filter((e) => e.codes.includes('request.unauthenticated')).map((e) => e.where.replace(/ 401$/, '')));
      for (const operation of guarded) assert.ok(unauthenticated.has(operation), `${operation} documents 401 request.unauthenticated`);
    });

    test('what the document says of security is what the API does: every bearer operation refuses a call without a token with 401 request.unauthenticated, and no other operation does', async () => {
      const client = createClient(app.url);
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          if (!METHODS.includes(method)) continue;
          // A body its schema accepts, so the call gets past validation to the route.
          const schema = operation.requestBody?.content['application/json']?.schema;
          const body = schema ? JSON.stringify(sampleOf(schema)) : undefined;
          const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
          const answer = await client.raw(method.toUpperCase(), path.replace(/\{(\w+)\}/g, '00000000-0000-4000-8000-000000000000'), { body, headers });
          const code = answer.status === 401 ? JSON.parse(answer.text).error?.code : undefined;
          const guarded = operation.security?.some((requirement) => 'bearer' in requirement) ?? false;
          assert.equal(code === 'request.unauthenticated', guarded, `${method.toUpperCase()} ${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
          // The admin API has a token of its own, with its own refusal.
          const admin = operation.security?.some((requirement) => 'adminToken' in requirement) ?? false;
          assert.equal(code === 'admin.unauthenticated', admin, `${method.toUpperCase()} ${path} (admin token): ${answer.status} ${answer.text.slice(0, 120)}`);
          assert.equal(admin, path.startsWith('/api/v1/admin/'), `${path}: the admin token is for /api/v1/admin only, and needed there`);
          if (guarded) assert.deepEqual(Object.keys(JSON.parse(answer.text)), ['error'], `${method.toUpperCase()} ${path}: the ApiError body, nothing else`);
        }
      }
    });

    test('GET /api/openapi.json needs no session and is made once: the same text and ETag every time, 304 for If-None-Match', async () => {
      const first = await createClient(app.url).get('/api/openapi.json');
      const second = await createClient(app.url).get('/api/openapi.json');
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{27}"$/);
      assert.equal(second.headers.get('etag'), etag);
      assert.equal(second.text, first.text);
      assert.equal(app.gatehouse.app.swagger(), app.gatehouse.app.swagger(), 'the plugin keeps the one object it made');
      const unchanged = await createClient(app.url).get('/api/openapi.json', { 'if-none-match': etag! });
      assert.equal(unchanged.status, 304);
      assert.equal(unchanged.text, '');
    });
  });
}
