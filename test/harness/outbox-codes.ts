// Reads verification codes out of the outbox, for the many tests where a code is only the way
// into the next step and the mail delivery is not what is tested. A code mail reaches the catcher
// 115–210 ms after the request (smtp-server holds every greeting 100 ms to catch early talkers);
// the outbox row is committed before the answer, so it can be read at once. The row is unsealed
// with the courier's own key (GATEHOUSE_SECRET), exactly as the dispatcher does.
//
// The dispatcher keeps running, so the mail still goes out and tests that check it (test/courier,
// notices, the journeys that look at the mailbox) use `mail.waitFor` as before. A row already
// delivered has its payload wiped (codes do not outlive delivery): its code is then read from the
// caught mail with the row's Message-ID, so the answer never depends on who was faster.
import { domainToASCII } from 'node:url';
import type { Kysely } from 'kysely';
import { codeTemplates } from '../../src/courier/outbox.ts';
import { messageIdFor } from '../../src/courier/dispatcher.ts';
import type { CaughtMessage, MailCatcher } from '../../src/courier/mail-catcher.ts';
import type { Secrets } from '../../src/shared/secrets.ts';
import type { Tables } from '../../src/storage/tables.ts';

export const CODE_WAIT_MS = 10_000;

export function codeIn(message: CaughtMessage): string {
  const match = /\b(\d{6})\b/.exec(message.text);
  if (!match) throw new Error(`no code in mail "${message.subject}"`);
  return match[1]!;
}

/** An address with its domain in ASCII (punycode), as Gatehouse stores and sends it. */
function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

/** The outbox id a caught mail was sent for (its Message-ID is `<outbox id@host>`), or its own id. */
const outboxIdOf = (message: CaughtMessage) => /^<([^@>]+)@/.exec(message.messageId)?.[1] ?? message.id;

export interface CodeReaders {
  /** The newest code queued for this address (not handed out before): from the outbox. */
  queued(to: string, after: Date): Promise<string>;
  /** The newest code mail caught for this address (not handed out before): over real SMTP. */
  mailed(to: string, after: Date): Promise<string>;
}

export function createCodeReaders(deps: {
  db: () => Kysely<Tables>;
  secrets: () => Secrets;
  mail: MailCatcher;
  /** PUBLIC_URL's host: the right-hand side of every Message-ID. */
  messageIdDomain: () => string;
  /** Whether the app runs on the real clock: only then can `after` be compared with created_at. */
  realClock: boolean;
}): CodeReaders {
  // A code handed out is never handed out again (by either reader): two can share a millisecond.
  const handedOut = new Set<string>();

  async function mailed(to: string, after: Date): Promise<string> {
    const message = await deps.mail.waitFor(
      (m) => !handedOut.has(outboxIdOf(m)) && m.to.includes(to) && m.receivedAt >= after && /\b\d{6}\b/.test(m.text),
      CODE_WAIT_MS,
    );
    handedOut.add(outboxIdOf(message));
    return codeIn(message);
  }

  async function queued(to: string, after: Date): Promise<string> {
    const deadline = Date.now() + CODE_WAIT_MS;
    // The SMTP envelope showed a Unicode domain as written; the outbox holds its punycode.
    const wanted = [to, asciiAddress(to)];
    const isFor = (recipient: string) => wanted.some((address) => recipient.includes(address) || asciiAddress(recipient).includes(address));
    for (;;) {
      let query = deps
        .db()
        .selectFrom('outbox')
        .select(['id', 'status', 'recipient_sealed', 'payload_sealed'])
        .where('channel', '=', 'email')
        .where('template', 'in', [...codeTemplates])
        .where('recipient_sealed', '<>', '');
      // `after` is taken by the test a moment (+1 ms) before its request; the row can be written
      // in that very millisecond. With a manual clock created_at is not real time: newest first
      // and "never twice" are what keep an old code out then.
      if (deps.realClock) query = query.where('created_at', '>=', after.getTime() - 1);
      const rows = await query.orderBy('created_at', 'desc').execute();
      for (const row of rows) {
        if (handedOut.has(row.id) || !isFor(deps.secrets().unseal(row.recipient_sealed))) continue;
        if (row.payload_sealed !== '') {
          handedOut.add(row.id);
          return String((JSON.parse(deps.secrets().unseal(row.payload_sealed)) as { code: string | number }).code);
        }
        // Delivered (the payload is wiped once the mail server took it, so the catcher has it);
        // an expired code mail was never sent and is passed over, as it was never caught.
        if (row.status !== 'sent') continue;
        const messageId = messageIdFor(row.id, deps.messageIdDomain());
        const message = await deps.mail.waitFor((m) => m.messageId === messageId, Math.max(1, deadline - Date.now()));
        handedOut.add(row.id);
        return codeIn(message);
      }
      if (Date.now() > deadline) throw new Error(`no code queued for ${to} within ${CODE_WAIT_MS / 1000} s`);
      // The row is committed before the answer, so this only waits for a request still running.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  return { queued, mailed };
}
