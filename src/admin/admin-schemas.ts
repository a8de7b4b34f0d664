// The admin API's shapes, as TypeBox schemas: Fastify validates requests with them, compiles the
// answers' serializers from them (only these fields are ever written: nothing else from a row —
// a hash, a sealed number, a raw User-Agent — can slip into an answer), and the OpenAPI document
// is generated from them.
import { Type, type TSchema } from '@sinclair/typebox';
import { anyRequestFailures, apiErrors } from '../http/api-schemas.ts';
import type { FailureCode } from '../shared/failure.ts';

/** Our ids are UUIDs (shared/ids.ts); anything else is refused before any lookup. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const uuid = Type.String({ pattern: UUID_PATTERN, description: 'A UUID' });
const time = Type.String({ format: 'date-time' });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The admin token's scheme in the OpenAPI document (operations/openapi.ts): not the app's bearer. */
export const adminToken = [{ adminToken: [] }];

/**
 * The refusals of a route, in the shared ApiError body (http/api-schemas.ts), filed by status:
 * those every admin route can answer (no or a bad token, throttled, bad input) and its own.
 */
export const refusals = (...own: FailureCode[]) => apiErrors(['admin.unauthenticated', 'admin.throttled', ...anyRequestFailures, ...own]);

export const idParams = Type.Object({ id: uuid }, { additionalProperties: false });

export const findQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    login_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false, description: 'Exactly one of email, login_name or id' },
);

export const accountSummary = Type.Object({
  id: Type.String(),
  email: Type.String(),
  loginName: nullable(Type.String()),
  emailVerified: Type.Boolean(),
  locked: Type.Boolean(),
  locale: Type.String(),
  createdAt: time,
});

export const foundAccounts = Type.Object({ accounts: Type.Array(accountSummary) });

const device = { browser: Type.String(), system: Type.String() };

export const accountDetail = Type.Object({
  account: Type.Object({
    ...accountSummary.properties,
    emailVerifiedAt: nullable(time),
    lockedAt: nullable(time),
  }),
  factors: Type.Object({
    phone: Type.Object({ present: Type.Boolean(), masked: nullable(Type.String({ description: 'e.g. +44 **** ****56' })) }),
    authenticator: Type.Boolean(),
    backupCodesLeft: Type.Integer(),
    passkeys: Type.Integer(),
    twoStep: Type.Boolean(),
  }),
  sessions: Type.Array(
    Type.Object({ id: Type.String(), kind: Type.String(), authenticatedVia: Type.String(), createdAt: time, lastSeenAt: time, keptSignedIn: Type.Boolean(), ...device }),
    { description: 'Live sessions; the device is named from a fixed list, never the raw User-Agent' },
  ),
  activity: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      way: nullable(Type.String()),
      result: nullable(Type.String()),
      detail: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
      actor: nullable(Type.String({ description: "'cli' or 'admin:<token name>' when not the shopper" })),
      network: nullable(Type.String({ description: 'The client network (/24 or /48), never the whole address' })),
      occurredAt: time,
      ...device,
    }),
    { description: 'Security activity of the last 90 days, newest first (at most 100)' },
  ),
});

export const actionDone = Type.Object({ accountId: Type.String(), locked: Type.Boolean(), sessionsEnded: Type.Integer() });

const outboxState = Type.Union(['pending', 'retrying', 'sending', 'parked', 'expired'].map((s) => Type.Literal(s)));

export const outboxListing = Type.Object({
  counts: Type.Object({ pending: Type.Integer(), retrying: Type.Integer(), sending: Type.Integer(), parked: Type.Integer(), expired: Type.Integer() }),
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      state: outboxState,
      channel: Type.String(),
      template: Type.String(),
      kind: Type.Union([Type.Literal('code'), Type.Literal('notice')]),
      to: Type.String({ description: 'Masked: j***@e***.com' }),
      attempts: Type.Integer(),
      nextTryAt: nullable(time),
      queuedAt: time,
      expiresAt: nullable(time),
      reason: nullable(Type.String()),
    }),
    { description: 'Undelivered messages, oldest first (at most 200)' },
  ),
});

export const requeued = Type.Object({ id: Type.String(), state: Type.Literal('pending') });
