// A promise that gives up waiting: what `work` settles to, or after timeoutMs a rejection with
// code ETIMEDOUT (which storage/database-errors.ts reads as "database unavailable"). The work
// itself is not stopped; the caller makes sure it ends on its own (a pool's connect timeout, a
// query's own timeout), and its late rejection is handled by the race, never unhandled.
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
