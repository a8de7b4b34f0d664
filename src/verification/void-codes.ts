// A flow has one live code per purpose: issuing a new one, or moving an earlier one in
// (send-cooldowns.ts handOver), voids the others, so a code seen in an older mail stops working.
import type { Database } from '../storage/database.ts';

export async function voidOtherCodes(executor: Database, target: { flowId: string; purpose: string }, now: number, keep: string[] = []): Promise<void> {
  let query = executor
    .updateTable('verification_codes')
    .set({ voided_at: now })
    .where('flow_id', '=', target.flowId)
    .where('purpose', '=', target.purpose)
    .where('voided_at', 'is', null);
  if (keep.length > 0) query = query.where('id', 'not in', keep);
  await query.execute();
}
