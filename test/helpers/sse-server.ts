// A real SSE server on a random loopback port that replays events with scripted misbehaviour.
import type { Socket, TCPSocketListener } from "bun";
import { mulberry32 } from "./random.ts";

/** What the server does on one connection, chosen by the connection's number. */
export type Step =
  /** Sends events from the resume point; `count` of them (all when absent), then acts per `end`. */
  | {
      kind: "events";
      count?: number;
      lineEnd?: "\n" | "\r\n" | "\r";
      end: "close" | "cut" | "hold";
      cutBytes?: number;
      preamble?: string;
      /** With end "hold": a comment line this often afterwards, so bytes flow but no event comes. */
      commentEveryMs?: number;
    }
  /** Answers with an HTTP error. */
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  /** Accepts and then sends nothing (a stall). */
  | { kind: "silent" };

export interface SeenRequest {
  path: string;
  headers: Record<string, string>;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface SseServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Holds every connection's writes between two chunks until resume(): the consumer sees a quiet, open stream. */
  pause(): void;
  resume(): void;
  stop(): void;
}

export interface SseServerOptions {
  payloads: readonly string[];
  script: readonly Step[];
  /** Step for connections past the end of the script. */
  after?: Step;
  /** Random chunk sizes for writes (1..maxChunk), seeded; 0 = one write per step. */
  maxChunk?: number;
  seed?: number;
  /** Pause after each chunk, to keep a stream flowing while a test acts on the consumer. */
  chunkDelayMs?: number;
}

/** Wikimedia-shaped ids: a JSON array of topic/partition positions. */
export const eventId = (index: number) => `[{"topic":"test.recentchange","partition":0,"offset":${index}}]`;

function resumeIndex(lastEventId: string | undefined): number {
  if (!lastEventId) return 0;
  const offset = (JSON.parse(lastEventId) as { offset: number }[])[0]?.offset;
  return offset === undefined ? 0 : offset + 1;
}

export function startSseServer(options: SseServerOptions): SseServer {
  const requests: SeenRequest[] = [];
  let random = mulberry32(options.seed ?? 1);
  const sockets = new Set<Socket<{ buffer: string; done: boolean }>>();
  let paused: PromiseWithResolvers<void> | undefined;

  const frame = (index: number, lineEnd: string) =>
    `event: message${lineEnd}id: ${eventId(index)}${lineEnd}data: ${options.payloads[index]}${lineEnd}${lineEnd}`;

  async function write(socket: Socket<unknown>, text: string) {
    const bytes = Buffer.from(text);
    const max = options.maxChunk ?? 0;
    let at = 0;
    while (at < bytes.length) {
      const size = max > 0 ? 1 + Math.floor(random() * max) : bytes.length;
      const chunk = bytes.subarray(at, at + size);
      let written = 0;
      while (written < chunk.length) {
        const n = socket.write(chunk.subarray(written));
        written += n;
        if (written < chunk.length) await Bun.sleep(1);
      }
      at += size;
      if (max > 0) await Bun.sleep(options.chunkDelayMs ?? 0);
      if (paused) await paused.promise;
    }
  }

  async function serve(socket: Socket<{ buffer: string; done: boolean }>, request: SeenRequest) {
    const step = options.script[requests.length - 1] ?? options.after ?? { kind: "silent" };
    if (step.kind === "status") {
      const extra = step.retryAfter !== undefined ? `Retry-After: ${step.retryAfter}\r\n` : "";
      const body = step.body ?? "unavailable";
      socket.write(
        `HTTP/1.1 ${step.status} Error\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      socket.end();
      return;
    }
    // Close-delimited body, as Wikimedia's edge sends it: a FIN ends the response.
    socket.write(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
    );
    if (step.kind === "silent") return;
    const lineEnd = step.lineEnd ?? "\n";
    await write(socket, `:ok${lineEnd}${lineEnd}${step.preamble ?? ""}`);
    const start = resumeIndex(request.headers["last-event-id"]);
    const end = Math.min(options.payloads.length, start + (step.count ?? options.payloads.length));
    let text = "";
    for (let i = start; i < end; i++) text += frame(i, lineEnd);
    if (step.end === "cut" && end < options.payloads.length) {
      text += frame(end, lineEnd).slice(0, step.cutBytes ?? 300);
    }
    await write(socket, text);
    if (step.end !== "hold") return void socket.end();
    while (step.commentEveryMs !== undefined && sockets.has(socket)) {
      await Bun.sleep(step.commentEveryMs);
      socket.write(`:keep-alive${lineEnd}`);
    }
  }

  const listener: TCPSocketListener<{ buffer: string; done: boolean }> = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.data = { buffer: "", done: false };
        sockets.add(socket);
      },
      data(socket, data) {
        if (socket.data.done) return;
        socket.data.buffer += data.toString("latin1");
        const headEnd = socket.data.buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        socket.data.done = true;
        const [requestLine = "", ...lines] = socket.data.buffer.slice(0, headEnd).split("\r\n");
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(":");
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const request = { path: requestLine.split(" ")[1] ?? "", headers, at: Date.now() };
        requests.push(request);
        serve(socket, request).catch(() => socket.end());
      },
      close(socket) {
        sockets.delete(socket);
      },
    },
  });

  return {
    url: `http://127.0.0.1:${listener.port}/v2/stream/recentchange`,
    port: listener.port,
    requests,
    pause() {
      paused ??= Promise.withResolvers();
    },
    resume() {
      paused?.resolve();
      paused = undefined;
    },
    stop() {
      this.resume();
      for (const socket of sockets) socket.end();
      listener.stop(true);
      random = mulberry32(0);
    },
  };
}
