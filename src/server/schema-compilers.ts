// The route schema compilers, one of each for the process instead of one per app.
//
// Fastify's defaults make a new Ajv and a new serializer compiler for each app it builds, and
// compile every route's schemas again: about 110 ms of CPU per build for the validators, and
// 40 ms more for the ~190 answer schemas the JSON API describes for its OpenAPI document (most of
// them alike: every route's 400/413/415/500/503). Every test builds its own app, and a short test
// file spent a fifth of its CPU here. Our schemas are made where the route is registered
// (formBody(...)), so they are new objects each build: a compiled function is kept by the
// schema's JSON. Sharing one is safe: a validator or serializer is a pure function of its schema,
// the shared schemas and the options, and the pools are keyed by those (Fastify's own keys).
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Compile = (route: any) => unknown;

/**
 * Wraps a compiler factory so that what it compiled is kept, per shared schemas and options (as
 * JSON: we pass no plugin functions), by the schema's JSON.
 */
function keptBySchema<Pool extends (externalSchemas: any, options: any) => Compile>(pool: Pool): Pool {
  const compiledBy = new Map<string, Map<string, unknown>>();
  return ((externalSchemas: unknown, options: unknown) => {
    const compile = pool(externalSchemas, options);
    const shared = JSON.stringify([externalSchemas, options]);
    let cache = compiledBy.get(shared);
    if (!cache) compiledBy.set(shared, (cache = new Map()));
    const kept = cache;
    return (route: { schema: object }) => {
      const key = JSON.stringify(route.schema);
      let compiled = kept.get(key);
      if (!compiled) kept.set(key, (compiled = compile(route)));
      return compiled;
    };
  }) as Pool;
}

export const buildValidator = keptBySchema(AjvCompiler() as unknown as (externalSchemas: any, options: any) => Compile) as unknown as ReturnType<typeof AjvCompiler>;
export const buildSerializer = keptBySchema(SerializerSelector() as unknown as (externalSchemas: any, options: any) => Compile) as unknown as ReturnType<typeof SerializerSelector>;
