// Route body schemas describe only shape (which fields, strings, length caps); the rules of
// meaning (is this an email, is this password allowed) live in each flow and return typed
// failures. So each rule is in exactly one place.
import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { CSRF_FIELD } from './csrf-guard.ts';

export const shortText = (maxLength = 320) => Type.String({ maxLength });

/** A form body: the given string fields, the CSRF token, nothing else of another type. */
export function formBody<P extends TProperties>(fields: P, optional: (keyof P)[] = []): TObject {
  const properties: TProperties = { [CSRF_FIELD]: Type.String({ maxLength: 128 }) };
  for (const [name, schema] of Object.entries(fields)) {
    properties[name] = optional.includes(name) ? Type.Optional(schema) : schema;
  }
  return Type.Object(properties, { additionalProperties: Type.String({ maxLength: 1024 }) });
}
