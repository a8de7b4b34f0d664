// The pieces every JSON API route's schema shares: the one error body, the refusals any request
// can meet, and the bearer requirement. Each route lists the failure codes it can answer with;
// `apiErrors` files them under their HTTP statuses (error-statuses.ts), so the OpenAPI document
// (operations/openapi.ts) says per status which stable codes a client must handle.
//
// A response schema is also how Fastify serializes (fast-json-stringify): properties a schema
// does not name are left out of the answer. That is wanted (nothing unlisted can leak), but it
// means each schema must name every field the route sends.
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { statusFor } from './error-statuses.ts';
import type { FailureCode } from '../shared/failure.ts';

/** The id the shared error body is registered under (`$ref: 'ApiError#'`). */
export const API_ERROR = 'ApiError';

const apiErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable failure code, e.g. `login.invalid_credentials`. Branch on this, never on the message.' }),
      message: Type.String({ description: "A sentence for the shopper, in the request's language (Accept-Language: en or ru)." }),
    }),
  },
  { $id: API_ERROR, title: API_ERROR, description: 'Every refusal of the JSON API: `{ "error": { "code", "message" } }`.' },
);

/** Registers the shared schemas the route schemas refer to; before any route is added. */
export function registerApiSchemas(app: FastifyInstance) {
  app.addSchema(apiErrorSchema);
}

/** The security requirement of routes that need `Authorization: Bearer <token>`. */
export const bearer = [{ bearer: [] }];

/** A Date or ISO text, written as ISO 8601 (`2026-01-31T12:00:00.000Z`). */
export const isoTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

/**
 * One of these words. An `enum`, not a union of literals: the serializer writes a union by first
 * running a validator over each branch to pick one, an enum is written as a plain string.
 */
export const oneWordOf = <Word extends string>(words: readonly Word[], options: { description?: string } = {}) => Type.Unsafe<Word>({ type: 'string', enum: words, ...options });

/** Text or null (a type list, which the serializer writes without the validator a union needs). */
export const textOrNull = (options: { description?: string; format?: string } = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

/** 204: no body. */
export const noContent = (description: string) => ({ type: 'null', description }) as const;

/** Refusals of the request itself that any JSON route can answer with (validation, control characters, database outage). */
export const anyRequestFailures = ['request.malformed', 'request.control_character', 'request.unavailable', 'request.internal'] as const satisfies readonly FailureCode[];
/** And those of routes that take a JSON body. */
export const bodyFailures = [...anyRequestFailures, 'request.too_large', 'request.unsupported_type'] as const satisfies readonly FailureCode[];

/**
 * Error responses for these codes, one per status: the shared body with `code` held to the codes
 * of that status. `extra` adds fields some refusals carry (the sign-in's `secondStep`), per status.
 */
export function apiErrors(codes: readonly FailureCode[], extra: Record<number, Record<string, TSchema>> = {}): Record<number, object> {
  const byStatus = new Map<number, FailureCode[]>();
  for (const code of new Set(codes)) {
    const status = statusFor(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, object> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const narrowed = Type.Object({
      error: Type.Object({ code: Type.String({ enum: list }) }),
      ...Object.fromEntries(Object.entries(extra[status] ?? {}).map(([name, schema]) => [name, Type.Optional(schema)])),
    });
    responses[status] = {
      description: `One of: ${list.map((code) => `\`${code}\``).join(', ')}.`,
      allOf: [{ $ref: `${API_ERROR}#` }, narrowed],
    };
  }
  return responses;
}

