// A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL), for outage tests: `down()`
// cuts every connection through it and refuses new ones (ECONNREFUSED, as a stopped server
// does); `stall()` keeps every connection open and accepts new ones but forwards nothing (a
// network partition: no refusal, no reset, only silence); `freeze()` silences only the
// connections open now and forwards new ones (a firewall that dropped its state for idle
// connections); `up()` ends frozen connections and forwards again, or listens again on the same port after `down()`. The real
// database behind it keeps running, so the rest of the test run is not disturbed.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  down(): Promise<void>;
  stall(): void;
  freeze(): void;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  let stalled = false;
  const frozen = new Set<Socket>();
  const freezeOpen = () => {
    for (const socket of sockets) {
      socket.unpipe();
      socket.pause();
      frozen.add(socket);
    }
  };
  const serve = () =>
    createServer((client) => {
      track(client);
      client.on('error', () => {});
      // Silence: the connection is accepted, and nothing comes back.
      if (stalled) {
        client.pause();
        frozen.add(client);
        return;
      }
      const upstream = createConnection(target);
      track(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });

  let server: Server | undefined = serve();
  const port = await listen(server, 0);
  const stop = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    port,
    down: stop,
    stall() {
      stalled = true;
      freezeOpen();
    },
    freeze: freezeOpen,
    async up() {
      stalled = false;
      for (const socket of frozen) socket.destroy();
      frozen.clear();
      if (server) return;
      server = serve();
      await listen(server, port);
    },
    close: stop,
  };
}
