// `gatehouse user import FILE.jsonl`: existing shoppers from another system, one JSON object per
// line, read as a stream (a line at a time, never the whole file) and written in batches. No
// password is hashed here — the old system's hash is kept as it is, verified by its format at
// sign-in, and replaced by our argon2id at the first successful one (identity/password-hasher.ts).
import { createReadStream } from 'node:fs';
import type { Clock } from '../shared/clock.ts';
import { MAX_LINE_LENGTH, readImportLine, type ImportedAccount } from './import-line.ts';
import type { ImportSkipReason } from './import-reasons.ts';
import type { ImportStore } from './import-store.ts';

/** Rows per transaction: 500 × 10 columns stays far below both databases' bound-parameter limits. */
export const IMPORT_BATCH_SIZE = 500;

export interface SkippedLine {
  line: number;
  reason: ImportSkipReason;
  /** The line's address when it had a valid one: the caller shows it masked, never whole. */
  email?: string;
  /** The unknown field's name, for import.unknown_field. */
  field?: string;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  skippedByReason: Partial<Record<ImportSkipReason, number>>;
}

/** Stands in for a line over MAX_LINE_LENGTH: only its length was read, and it is too long. */
const OVERLONG_LINE = 'x'.repeat(MAX_LINE_LENGTH + 1);

/**
 * The lines of a file, read through a stream (64 KiB at a time, the next read only when the
 * lines so far are consumed). Not readline: it keeps a line whole however long it is, so one
 * line of a gigabyte without a newline (a dump of the wrong table) would be held in memory and end
 * the process; here a line is kept only up to MAX_LINE_LENGTH, and the rest of it is skipped.
 * "\r\n" line ends count as "\n".
 */
export async function* linesOf(path: string): AsyncIterable<string> {
  let pending = '';
  let overlong = false;
  const line = (piece: string) => (overlong || pending.length + piece.length > MAX_LINE_LENGTH ? OVERLONG_LINE : (pending + piece).replace(/\r$/, ''));
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 }) as AsyncIterable<string>) {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      yield line(chunk.slice(start, end));
      pending = '';
      overlong = false;
      start = end + 1;
    }
    const rest = chunk.slice(start);
    if (overlong || pending.length + rest.length > MAX_LINE_LENGTH) [overlong, pending] = [true, ''];
    else pending += rest;
  }
  if (overlong || pending !== '') yield line('');
}

export async function importShoppers(
  deps: { store: ImportStore; clock: Clock },
  lines: AsyncIterable<string>,
  onSkipped: (skipped: SkippedLine) => void,
  batchSize = IMPORT_BATCH_SIZE,
): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, skipped: 0, skippedByReason: {} };
  const skip = (skipped: SkippedLine) => {
    summary.skipped += 1;
    summary.skippedByReason[skipped.reason] = (summary.skippedByReason[skipped.reason] ?? 0) + 1;
    onSkipped(skipped);
  };
  let batch: ImportedAccount[] = [];
  const flush = async () => {
    const { inserted, taken } = await deps.store.insertNewAccounts(batch, deps.clock.now());
    summary.imported += inserted;
    for (const line of taken) skip(line);
    batch = [];
  };
  let number = 0;
  for await (const text of lines) {
    number += 1;
    // A byte order mark is how some exporters start a UTF-8 file; a blank line is no account.
    const line = number === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (line.trim() === '') continue;
    const verdict = readImportLine(line, number);
    if (!verdict.ok) skip({ line: number, reason: verdict.reason, email: verdict.email, field: verdict.field });
    else batch.push(verdict.account);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
