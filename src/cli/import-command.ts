// `gatehouse user import FILE.jsonl`: prints each skipped line as it is found (its number, the
// address masked when it had one, the reason) and a summary at the end. Exit code 0 whenever the
// file was read — skipped lines are an expected outcome, and running the same file again must
// succeed with everything skipped; 2 only when the command cannot run (no file, unreadable file).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { maskEmail } from '../courier/mask.ts';
import { importSkipReasons, type ImportSkipReason } from '../import/import-reasons.ts';
import { createImportStore } from '../import/import-store.ts';
import { importShoppers, linesOf, type ImportSummary, type SkippedLine } from '../import/shopper-import.ts';
import type { AdminServices } from './admin-services.ts';
import { UsageError } from './usage-error.ts';

export function describeSkippedLine(skipped: SkippedLine): string {
  const who = skipped.email ? ` (${maskEmail(skipped.email)})` : '';
  // JSON.stringify quotes the field's name and escapes control characters a terminal would obey.
  const field = skipped.field !== undefined ? ` ${JSON.stringify(skipped.field)}` : '';
  return `line ${skipped.line}${who}: skipped, ${importSkipReasons[skipped.reason]}${field}`;
}

export function describeSummary(summary: ImportSummary): string {
  const lines = [`imported: ${summary.imported}`, `skipped: ${summary.skipped}`];
  const reasons = Object.entries(summary.skippedByReason) as [ImportSkipReason, number][];
  for (const [reason, count] of reasons.sort((a, b) => b[1] - a[1])) lines.push(`  ${String(count).padStart(7)}  ${importSkipReasons[reason]}`);
  return lines.join('\n');
}

/** Checked before the database is opened, so a mistyped path answers at once. */
export async function readableImportFile(path: string | undefined): Promise<string> {
  if (!path) throw new UsageError('user import needs a file: gatehouse user import FILE.jsonl');
  const found = await stat(path).catch(() => undefined);
  if (!found) throw new UsageError(`cannot read "${path}": there is no such file`);
  if (!found.isFile()) throw new UsageError(`cannot read "${path}": it is not a file`);
  await access(path, constants.R_OK).catch(() => {
    throw new UsageError(`cannot read "${path}": permission denied`);
  });
  return path;
}

export async function importUsers(services: AdminServices, file: string, print: (line: string) => void): Promise<ImportSummary> {
  const summary = await importShoppers({ store: createImportStore(services.db), clock: services.clock }, linesOf(file), (skipped) => print(describeSkippedLine(skipped)));
  print(describeSummary(summary));
  return summary;
}
