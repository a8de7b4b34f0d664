// What a development catcher (mail-catcher.ts, sms-catcher.ts) keeps: the newest messages in
// memory, and waiters for tests and harnesses that expect a message to arrive.
export interface CaughtList<Message> {
  add(message: Message): void;
  /** Newest first. */
  messages(): Message[];
  /** Resolves with the newest message (already caught or arriving later) that matches. */
  waitFor(predicate: (message: Message) => boolean, timeoutMs?: number): Promise<Message>;
}

/** @param where names the catcher in the timeout error ("the mail catcher"). */
export function createCaughtList<Message>(keep: number, where: string): CaughtList<Message> {
  const caught: Message[] = []; // newest first
  const waiters = new Set<(message: Message) => void>();
  return {
    add(message) {
      caught.unshift(message);
      caught.length = Math.min(caught.length, keep);
      for (const notify of [...waiters]) notify(message);
    },
    messages: () => [...caught],
    waitFor(predicate, timeoutMs = 5000) {
      const already = caught.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching message reached ${where} within ${timeoutMs} ms`));
        }, timeoutMs);
        function check(message: Message) {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(message);
        }
        waiters.add(check);
      });
    },
  };
}
