// A TCP port that was free a moment ago on 127.0.0.1, for a server that must know its port before
// it listens (PUBLIC_URL). Chosen below the kernel's ephemeral range (Linux: 32768–60999): a port
// the OS handed out for `listen(0)` and took back is the first it may hand out again, so a catcher
// started on port 0 between our pick and our listen could take it (EADDRINUSE, seen in a test run).
// Another process could still take it; prefer listening on port 0 yourself when the server allows it.
import { createServer } from 'node:net';

const LOWEST = 20_000;
const SPAN = 12_000; // 20000–31999

function tryPort(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * SPAN);
    if (await tryPort(port, host)) return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${LOWEST + SPAN - 1} after 50 tries`);
}
