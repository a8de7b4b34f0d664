// Shutting a node down (SIGTERM in main.ts → gatehouse.close()) must end promptly and let go of
// everything the node opened: its HTTP server and the connections on it, open QR event streams,
// the mail and SMS catchers, the courier, the LISTEN connection and the database pool. A socket or
// timer left behind keeps the process alive, and an orchestrator kills it mid-write instead.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTestGatehouse } from '../harness/test-app.ts';
import { testDialects } from '../harness/databases.ts';
import { liveResources } from '../harness/hang-watchdog.mjs';
import { addPhone, signedInShopper } from '../factors/factors-kit.ts';
import { api, appSignIn, newBrowser, openEvents, showQr, startQrGatehouse } from '../qr-login/qr-kit.ts';

/** Resolves with `work`, or fails saying what was waited for; the bound only stops a hang here. */
function boundedBy<T>(seconds: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Sockets close a moment after their server does; ask again until nothing new is left. */
async function leftSince(before: Set<unknown>): Promise<string[]> {
  let left: string[] = [];
  for (let i = 0; i < 50; i++) {
    left = liveResources().filter((entry) => !before.has(entry.resource)).map((entry) => entry.description);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return left;
}

for (const dialect of testDialects) {
  describe(`shutting down on ${dialect}`, () => {
    test('closing Gatehouse ends the QR event streams still open, and leaves no socket, server or timer of its own behind', async () => {
      const before = new Set(liveResources().map((entry) => entry.resource));
      const app = await startQrGatehouse(dialect);

      // Put every part to work: mail and a text through the courier, QR notices (LISTEN/NOTIFY
      // on PostgreSQL), and a waiting browser whose event stream is still open at shutdown.
      const shopper = await signedInShopper(app, 'closing.time@example.com');
      await addPhone(app, shopper);
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const stream = await openEvents(app.url, browser.cookie());
      assert.equal((await stream.next()).status, 'pending');
      const bearer = await appSignIn(app, shopper.email, shopper.password);
      assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 200);
      assert.equal((await stream.next(10_000)).status, 'scanned');

      // An open stream would hold server.close() for its whole 150 s lifetime.
      await boundedBy(20, app.close(), 'close() with an event stream open');
      await boundedBy(5, stream.ended, 'the event stream ending at shutdown');
      assert.deepEqual(stream.events.map((e) => e.status), ['pending', 'scanned'], 'the stream ends without a made-up status');

      assert.deepEqual(await leftSince(before), [], 'nothing Gatehouse opened is still alive after close()');
    });

    test('closing Gatehouse does not wait on a client that stopped reading or never finished its request: after the grace the connections are cut', async (t) => {
      const app = await startTestGatehouse(dialect, { shutdownGraceMs: 300 });
      const { host, port } = new URL(app.url);
      const opened = (): Promise<Socket> =>
        new Promise((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => resolve(socket)).on('error', reject);
        });
      // A reader that asked for far more than the socket buffers hold and then stopped reading:
      // its response can never be finished, so its connection is never idle.
      const stalledReader = await opened();
      stalledReader.pause();
      stalledReader.write(`GET /static/jsQR.js HTTP/1.1\r\nHost: ${host}\r\n\r\n`.repeat(40));
      // A request whose headers never end: Node would hold it until its 60 s headers timeout.
      const halfSent = await opened();
      halfSent.write(`GET /login HTTP/1.1\r\nHost: ${host}\r\nX-Still-Typing: `);
      t.after(() => {
        stalledReader.destroy();
        halfSent.destroy();
      });
      const cut = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const bothCut = Promise.all([cut(stalledReader), cut(halfSent)]);
      await new Promise((resolve) => setTimeout(resolve, 200));

      await boundedBy(5, app.close(), 'close() with a stalled reader and a half-sent request');
      // The reader reads again only to see the end of what reached it: the server's side is gone.
      stalledReader.resume();
      await boundedBy(5, bothCut, 'both connections cut');
    });
  });
}
