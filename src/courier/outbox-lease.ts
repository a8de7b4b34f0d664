// Holding an outbox claim while a send is in progress (courier/dispatcher.ts).
import type { Clock } from '../shared/clock.ts';

/**
 * Renews the claim every renewEveryMs while a send is in progress, fenced by the lease value (the
 * dispatcher's `renew`): a renewal that finds the claim no longer ours stops. Renewals never
 * overlap, and the returned release waits for the one in flight, so the final write fences on the
 * latest lease value.
 */
export function holdOutboxLease(
  row: { lease_until: number | null },
  options: { leaseMs: number; renewEveryMs: number; clock: Clock; renew(until: number): Promise<boolean>; onError(error: unknown): void },
): () => Promise<void> {
  let renewing: Promise<void> = Promise.resolve();
  let lost = false;
  const timer = setInterval(() => {
    renewing = renewing
      .then(async () => {
        if (lost) return;
        const until = options.clock.now() + options.leaseMs;
        if (await options.renew(until)) row.lease_until = until;
        else lost = true;
      })
      // The database hiccuped: the next tick tries again (the lease may run out meanwhile).
      .catch(options.onError);
  }, options.renewEveryMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}
