// The wait between sends (DESIGN.md §2 "resend"): 60 s after the last send to that account (or,
// in sign-up, that address) on that channel, across flows. Per flow it was not a limit at all:
// 50 parallel recovery starts for one account mailed 5 codes in one second.
//
// One row per subject and channel, claimed by ONE conditional upsert (INSERT … ON CONFLICT DO
// UPDATE … WHERE last_sent_at <= now − 60 s): both databases run it atomically against the row, so
// of any number of parallel requests exactly one gets a row back, the others none.
import type { Clock } from '../shared/clock.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import { voidOtherCodes } from './void-codes.ts';

export type SendChannel = 'email' | 'sms';

export interface CooldownKey {
  subject: string;
  channel: SendChannel;
}

export function createSendCooldowns(deps: { db: Database; clock: Clock; secrets: Secrets; cooldownSeconds: number }) {
  const { db, clock, secrets } = deps;
  const cooldownMs = deps.cooldownSeconds * 1000;
  const destinationHash = (destination: string) => secrets.keyedHash('send-destination', destination);

  return {
    /** Claims the send for `flowId`: the claim time when this request may send now, else null. */
    async claim(key: CooldownKey, flowId: string, destination: string): Promise<number | null> {
      const now = clock.now();
      const fields = { last_sent_at: now, flow_id: flowId, destination_hash: destinationHash(destination) };
      const claimed = await db
        .insertInto('send_cooldowns')
        .values({ subject: key.subject, channel: key.channel, ...fields })
        .onConflict((oc) => oc.columns(['subject', 'channel']).doUpdateSet(fields).where('send_cooldowns.last_sent_at', '<=', now - cooldownMs))
        .returning('last_sent_at')
        .executeTakeFirst();
      return claimed ? now : null;
    },

    /**
     * A claimed send that a cap then refused: nothing went out, so the next request may send at
     * once. Only this claim's own row state is undone (same flow, same claim time).
     */
    async release(key: CooldownKey, flowId: string, claimedAt: number): Promise<void> {
      await db
        .updateTable('send_cooldowns')
        .set({ last_sent_at: 0 })
        .where('subject', '=', key.subject)
        .where('channel', '=', key.channel)
        .where('flow_id', '=', flowId)
        .where('last_sent_at', '=', claimedAt)
        .execute();
    },

    /** Seconds until the next send to this subject on this channel may go (0 = now). */
    async secondsLeft(key: CooldownKey): Promise<number> {
      const row = await db.selectFrom('send_cooldowns').select('last_sent_at').where('subject', '=', key.subject).where('channel', '=', key.channel).executeTakeFirst();
      const left = row ? row.last_sent_at + cooldownMs - clock.now() : 0;
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },

    /**
     * The shopper started again within the minute: the code sent a moment ago moves to the new
     * flow when the same browser started both and it went to the same place, so the code in their
     * mailbox (or on their phone) works where they are now. Another browser gets nothing: a code
     * proves the mailbox to the browser that asked for it, never to whoever asks next.
     * `liveCode` is the code service's rule for a code that may still be used.
     */
    async handOver(key: CooldownKey, to: { flowId: string; purpose: string }, destination: string, liveCodeLimit: { wrongAttemptsBelow: number }): Promise<boolean> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('send_cooldowns').selectAll().where('subject', '=', key.subject).where('channel', '=', key.channel).executeTakeFirst();
        if (!row || row.flow_id === to.flowId || row.last_sent_at <= now - cooldownMs || row.destination_hash !== destinationHash(destination)) return false;
        const flows = await trx.selectFrom('flows').select(['id', 'browser_hash']).where('id', 'in', [row.flow_id, to.flowId]).execute();
        const from = flows.find((flow) => flow.id === row.flow_id);
        const into = flows.find((flow) => flow.id === to.flowId);
        if (!from || !into || from.browser_hash !== into.browser_hash) return false;
        const moved = await trx
          .updateTable('verification_codes')
          .set({ flow_id: to.flowId, purpose: to.purpose })
          .where('flow_id', '=', row.flow_id)
          .where('channel', '=', key.channel)
          .where('used_at', 'is', null)
          .where('voided_at', 'is', null)
          .where('expires_at', '>', now)
          .where('wrong_attempts', '<', liveCodeLimit.wrongAttemptsBelow)
          .returning('id')
          .execute();
        if (moved.length === 0) return false;
        // As with a new code: an older one of the flow stops working (the moved one is the latest).
        await voidOtherCodes(trx, to, now, moved.map((code) => code.id));
        await trx.updateTable('send_cooldowns').set({ flow_id: to.flowId }).where('subject', '=', key.subject).where('channel', '=', key.channel).where('flow_id', '=', row.flow_id).execute();
        return true;
      });
    },
  };
}

export type SendCooldowns = ReturnType<typeof createSendCooldowns>;
