// A loopback SSE server that sends pre-rendered bytes as fast as the socket takes them.
//
// Raw TCP (Bun.listen), answering any request with a close-delimited HTTP/1.1 200 text/event-stream,
// like test/helpers/sse-server.ts and Wikimedia's edge. The first connection waits for open(), then
// gets the feed; the connection is then held open, silent, so the consumer never reconnects. Any
// later connection (a reconnect, which a benchmark should never see) is held silent too and counted.
import type { Socket, TCPSocketListener } from "bun";
import { renderSse } from "./synthetic.ts";

/** Writes all of `chunk`, resolving once the kernel has taken it (waits for drain when it is full). */
export type Write = (chunk: Uint8Array) => Promise<void>;
export type Feed = (write: Write, stopped: () => boolean) => Promise<void>;

interface Pending {
  data: Uint8Array;
  offset: number;
  resolve(): void;
  reject(error: Error): void;
}

interface Conn {
  head: string;
  answered: boolean;
  pending: Pending | undefined;
}

export interface Blaster {
  url: string;
  /** Connections made so far; 1 in a clean run. */
  readonly connections: number;
  /** performance.now() of the first feed byte written, and of the last. */
  readonly firstByteAt: number | undefined;
  readonly lastByteAt: number | undefined;
  readonly bytesSent: number;
  /** Resolves when a consumer is connected and waiting for the feed. */
  connected: Promise<void>;
  /** Lets the feed start. */
  open(): void;
  /** Resolves when the whole feed was written. */
  finished: Promise<void>;
  stop(): void;
}

const HEAD =
  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n:ok\n\n";

export function startBlaster(feed: Feed): Blaster {
  const gate = Promise.withResolvers<void>();
  const connected = Promise.withResolvers<void>();
  const finished = Promise.withResolvers<void>();
  finished.promise.catch(() => {});
  const sockets = new Set<Socket<Conn>>();
  let stopped = false;
  const state = { connections: 0, firstByteAt: undefined as number | undefined, lastByteAt: undefined as number | undefined, bytesSent: 0 };

  const writer =
    (socket: Socket<Conn>): Write =>
    (chunk) => {
      if (stopped) return Promise.reject(new Error("blaster stopped"));
      state.firstByteAt ??= performance.now();
      state.bytesSent += chunk.length;
      const written = socket.write(chunk);
      if (written >= chunk.length) {
        state.lastByteAt = performance.now();
        return Promise.resolve();
      }
      if (written < 0) return Promise.reject(new Error("socket closed"));
      return new Promise((resolve, reject) => {
        socket.data.pending = { data: chunk, offset: written, resolve, reject };
      });
    };

  async function serve(socket: Socket<Conn>, first: boolean) {
    socket.write(HEAD);
    if (!first) return;
    connected.resolve();
    await gate.promise;
    await feed(writer(socket), () => stopped);
    finished.resolve();
  }

  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.data = { head: "", answered: false, pending: undefined };
        sockets.add(socket);
      },
      data(socket, data) {
        if (socket.data.answered) return;
        socket.data.head += data.toString("latin1");
        if (!socket.data.head.includes("\r\n\r\n")) return;
        socket.data.answered = true;
        serve(socket, state.connections++ === 0).catch((error: Error) => {
          finished.reject(error);
          socket.end();
        });
      },
      drain(socket) {
        const p = socket.data.pending;
        if (!p) return;
        const written = socket.write(p.data.subarray(p.offset));
        if (written < 0) {
          socket.data.pending = undefined;
          p.reject(new Error("socket closed"));
          return;
        }
        p.offset += written;
        if (p.offset >= p.data.length) {
          socket.data.pending = undefined;
          state.lastByteAt = performance.now();
          p.resolve();
        }
      },
      close(socket) {
        sockets.delete(socket);
        const p = socket.data.pending;
        socket.data.pending = undefined;
        p?.reject(new Error("consumer closed the stream"));
      },
      error() {},
    },
  });

  return {
    url: `http://127.0.0.1:${listener.port}/v2/stream/recentchange`,
    get connections() {
      return state.connections;
    },
    get firstByteAt() {
      return state.firstByteAt;
    },
    get lastByteAt() {
      return state.lastByteAt;
    },
    get bytesSent() {
      return state.bytesSent;
    },
    connected: connected.promise,
    open: () => gate.resolve(),
    finished: finished.promise,
    stop() {
      stopped = true;
      gate.resolve();
      for (const socket of sockets) socket.terminate();
      listener.stop(true);
    },
  };
}

/** A feed of pre-rendered chunks, sent back to back. */
export const chunksFeed =
  (chunks: readonly Uint8Array[]): Feed =>
  async (write, stopped) => {
    for (const chunk of chunks) {
      if (stopped()) return;
      await write(chunk);
    }
  };

/**
 * A burst of the first `warm` payloads, then `events` more every `tickMs` (the rest of the payloads
 * in turn, over and over) for as long as the server runs: a steady stream, each write one read.
 * With `once`, the paced payloads are sent once each, and the stream then stays open and silent.
 */
export function pacedFeed(payloads: readonly string[], pace: { warm?: number; events: number; tickMs: number; once?: boolean }): Feed {
  const warm = pace.warm ?? 0;
  const burst = renderSse(payloads.slice(0, warm));
  const writes: Uint8Array[] = [];
  for (let i = warm; i + pace.events <= payloads.length; i += pace.events) writes.push(...renderSse(payloads.slice(i, i + pace.events), i));
  return async (write, stopped) => {
    for (const chunk of burst) await write(chunk);
    let next = performance.now();
    for (let i = 0; !stopped() && !(pace.once && i >= writes.length); i++) {
      await write(writes[i % writes.length]!);
      next += pace.tickMs;
      const wait = next - performance.now();
      if (wait > 0) await Bun.sleep(wait);
    }
  };
}
