// POST /api/v1/admin/accounts/import: the same import as `gatehouse user import FILE.jsonl`
// (src/import/), for a back office that has no shell on the server. The body is JSON Lines
// (`application/x-ndjson`), one shopper a line; the answer is the summary and every skipped line
// with its number and reason (the address masked, as the CLI prints it).
//
// The body is read whole (unlike the CLI's stream), so it is bounded: 8 MiB, some 40,000 lines
// of typical size. Bigger files go through the CLI, or in parts — the import is idempotent, a
// line already imported is reported as taken, never duplicated.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { maskEmail } from '../courier/mask.ts';
import { createImportStore } from '../import/import-store.ts';
import { importShoppers, type SkippedLine } from '../import/shopper-import.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { adminToken, refusals } from './admin-schemas.ts';

const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;
/** The answer lists this many skipped lines; the counts cover them all. */
const LISTED_SKIPS = 1000;

const importAnswer = Type.Object({
  imported: Type.Integer(),
  skipped: Type.Integer(),
  skippedByReason: Type.Record(Type.String(), Type.Integer()),
  skippedLines: Type.Array(
    Type.Object({ line: Type.Integer(), reason: Type.String({ description: 'e.g. import.email_taken' }), email: Type.Union([Type.String(), Type.Null()], { description: 'Masked' }), field: Type.Union([Type.String(), Type.Null()]) }),
    { description: `The first ${LISTED_SKIPS} skipped lines` },
  ),
});

async function* each(lines: string[]) {
  yield* lines;
}

export function registerAdminImportRoute(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  // Split into lines here, in this scope only: the plain-text guard then checks each line (a
  // line break is what separates them, not text), and no other route reads this type.
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => {
    const text = (body as string).replace(/^\uFEFF/, '');
    done(null, text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/));
  });

  app.post(
    '/api/v1/admin/accounts/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        summary: 'Import existing shoppers: JSON Lines (application/x-ndjson), one account a line, as `gatehouse user import`',
        tags: ['admin'],
        body: Type.Array(Type.String(), { maxItems: 100_000, description: 'The lines of the JSONL body' }),
        security: adminToken,
        response: { 200: importAnswer, ...refusals('request.too_large', 'request.unsupported_type') },
      },
    },
    async (request) => {
      const listed: SkippedLine[] = [];
      const summary = await importShoppers({ store: createImportStore(deps.db), clock: deps.clock }, each(request.body as string[]), (skipped) => {
        if (listed.length < LISTED_SKIPS) listed.push(skipped);
      });
      request.log.info({ admin: request.admin!.name, imported: summary.imported, skipped: summary.skipped }, 'admin import');
      return {
        ...summary,
        skippedLines: listed.map((s) => ({ line: s.line, reason: s.reason, email: s.email ? maskEmail(s.email) : null, field: s.field ?? null })),
      };
    },
  );
}
