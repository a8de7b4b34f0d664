// `gatehouse outbox`, `gatehouse outbox retry ID|--parked`: what the courier has not delivered,
// and putting it back in the queue after an outage. Addresses are masked and nothing sealed is
// printed: an operator's terminal (and its scroll-back) is no place for codes or who gets them.
import type { AdminServices } from './admin-services.ts';
import { listUndelivered, requeue, requeueParked, type OutboxEntry, type RequeueProblem } from '../courier/outbox-admin.ts';
import { UsageError } from './usage-error.ts';

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + 'Z');

const columns: Array<[string, (e: OutboxEntry) => string]> = [
  ['ID', (e) => e.id],
  ['STATE', (e) => e.state],
  ['KIND', (e) => `${e.kind} ${e.channel}`],
  ['TEMPLATE', (e) => e.template],
  ['TO', (e) => e.to],
  ['TRIES', (e) => String(e.attempts)],
  ['NEXT TRY', (e) => time(e.nextTryAt)],
  ['QUEUED', (e) => time(e.queuedAt)],
  ['CODE EXPIRES', (e) => time(e.expiresAt)],
  ['REASON', (e) => e.reason ?? '-'],
];

export function formatTable(entries: OutboxEntry[]): string {
  const cells = entries.map((e) => columns.map(([, get]) => get(e)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(columns.map(([title]) => title)), ...cells.map(line)].join('\n');
}

export async function showOutbox(services: AdminServices): Promise<string> {
  const { entries, counts } = await listUndelivered(services.db, services.secrets);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (total === 0) return 'the outbox is empty: everything queued has been delivered';
  const summary =
    `${counts.pending} pending, ${counts.retrying} retrying, ${counts.sending} sending, ${counts.parked} parked, ${counts.expired} expired` +
    ' (expired code mails are kept 7 days, parked mail 30)';
  const more = total > entries.length ? `\n… and ${total - entries.length} more` : '';
  return `${summary}\n${formatTable(entries)}${more}`;
}

const whyNot: Record<RequeueProblem, string> = {
  'outbox.not_found': 'no outbox message has this id (delivered mail is deleted after 7 days)',
  'outbox.code_expired': 'not re-queued: this mail carries a verification code that has expired, so the shopper could not use it; they ask for a new code on the page instead',
  'outbox.already_sent': 'not re-queued: this message was delivered already',
  'outbox.sending': 'not re-queued: a courier node is sending it right now',
};

export async function retryOutbox(services: AdminServices, id: string | undefined, parked: boolean | undefined): Promise<string> {
  if (parked && id) throw new UsageError('outbox retry takes an ID or --parked, not both');
  if (parked) {
    const { requeued, deadCodes } = await requeueParked(services.db, services.clock);
    const dead = deadCodes > 0 ? `; ${deadCodes} parked code mail(s) not re-queued: their codes have expired, the shopper asks for a new one` : '';
    return `re-queued ${requeued} parked message(s)${dead}`;
  }
  if (!id) throw new UsageError('outbox retry needs an ID (see gatehouse outbox) or --parked');
  const result = await requeue(services.db, services.clock, id);
  if (!result.ok) throw new UsageError(whyNot[result.code]);
  return `re-queued ${id}: a courier node sends it within a few seconds`;
}
