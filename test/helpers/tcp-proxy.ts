// A loopback TCP proxy that a test can cut and restore, to take a real Cassandra "away" and back.
import type { Socket, TCPSocketListener } from "bun";
import { freePort } from "./free-port.ts";

export { freePort };

interface End {
  peer: Socket<End> | undefined;
  /** Bytes for this socket, waiting for it to drain. */
  backlog: Buffer[];
  /** Bytes from this client that arrived before its upstream connection opened. */
  early: Buffer[];
}

export interface TcpProxy {
  readonly port: number;
  /** Stops listening and drops every connection: clients see the server vanish. */
  cut(): void;
  /** Listens again on the same port. */
  restore(): void;
}

/** Writes all of `data`, keeping what the kernel did not take until the socket drains. */
function send(to: Socket<End> | undefined, from: Socket<End>, data: Uint8Array): void {
  if (!to) {
    from.data.early.push(Buffer.from(data));
    return;
  }
  if (to.data.backlog.length > 0) {
    to.data.backlog.push(Buffer.from(data));
    return;
  }
  const written = to.write(data);
  if (written < data.length) to.data.backlog.push(Buffer.from(data.subarray(Math.max(0, written))));
}

function drain(socket: Socket<End>): void {
  while (socket.data.backlog.length > 0) {
    const chunk = socket.data.backlog[0]!;
    const written = socket.write(chunk);
    if (written < chunk.length) {
      socket.data.backlog[0] = chunk.subarray(Math.max(0, written));
      return;
    }
    socket.data.backlog.shift();
  }
}

export async function startTcpProxy(target: { host: string; port: number }, port?: number): Promise<TcpProxy> {
  const listenPort = port ?? freePort();
  const sockets = new Set<Socket<End>>();
  let listener: TCPSocketListener<End> | undefined;

  const listen = () => {
    listener = Bun.listen<End>({
      hostname: "127.0.0.1",
      port: listenPort,
      socket: {
        async open(client) {
          client.data = { peer: undefined, backlog: [], early: [] };
          sockets.add(client);
          try {
            const upstream = await Bun.connect<End>({
              hostname: target.host,
              port: target.port,
              socket: {
                open(up) {
                  up.data = { peer: client, backlog: [], early: [] };
                },
                data: (up, data) => send(up.data.peer, up, data),
                drain,
                close(up) {
                  up.data.peer?.end();
                },
                error(up) {
                  up.data.peer?.end();
                },
              },
            });
            sockets.add(upstream);
            client.data.peer = upstream;
            const early = client.data.early;
            client.data.early = [];
            for (const chunk of early) send(upstream, client, chunk);
          } catch {
            client.end();
          }
        },
        data: (client, data) => send(client.data.peer, client, data),
        drain,
        close(client) {
          client.data.peer?.end();
          sockets.delete(client);
        },
      },
    });
  };
  listen();
  return {
    port: listenPort,
    cut() {
      listener?.stop(true);
      listener = undefined;
      for (const socket of sockets) socket.terminate();
      sockets.clear();
    },
    restore() {
      if (!listener) listen();
    },
  };
}
