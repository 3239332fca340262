// Consumes a live SSE stream with Bun's fetch, resuming with Last-Event-ID and reconnecting forever.
import type { Logger } from "../log/logger.ts";
import { Backoff, parseRetryAfter } from "../retry/backoff.ts";
import { delay } from "../retry/delay.ts";
import { requestedTime, resumeGapMs } from "./resume-gap.ts";
import { SseParser } from "./sse-parser.ts";
import { idleStatus, type EventSink, type StreamSource, type StreamStatus } from "./source.ts";

interface HttpStreamOptions {
  url: string;
  userAgent: string;
  idleTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  maxEventBytes: number;
  /** Position saved by a previous run; wins over `since`. */
  lastEventId?: string | undefined;
  since?: string | undefined;
}

/** Longest wait a server's Retry-After can impose; also keeps the delay inside setTimeout's range. */
const MAX_RETRY_AFTER_MS = 600_000;

/** A first event this much later than the position asked for means history was lost. */
const GAP_WARN_MS = 5 * 60_000;

/** Status codes that mean our request is wrong; retried slowly, since a fix may land server-side. */
const CONFIG_ERRORS: Record<number, string> = {
  400: "the stream rejected the request (bad stream name, since or Last-Event-ID)",
  401: "the stream requires authentication",
  403: "the stream refused this client; Wikimedia rejects generic User-Agents: set user_agent with contact details",
  404: "no such stream: check stream_url",
};

type Outcome = { kind: "closed"; events: number } | { kind: "stalled" } | { kind: "failed"; error: string; delayMs?: number };

export class HttpStream implements StreamSource {
  private readonly parser: SseParser;
  private readonly backoff: Backoff;
  private readonly state: StreamStatus;
  /** Aborted by stop(): ends the wait between connections and a connection still waiting for headers. */
  private readonly stopping = new AbortController();
  private serverRetryMs: number | undefined;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private eventsThisConnection = 0;
  /** Time this connection asked to resume from, until its first message is checked against it. */
  private resumeFrom: number | undefined;
  /** When the last event arrived, and when the current connection started streaming (epoch ms). */
  private lastEventMs: number | undefined;
  private streamingSince = 0;

  constructor(
    private readonly options: HttpStreamOptions,
    private readonly sink: EventSink,
    private readonly log: Logger,
  ) {
    this.parser = new SseParser(
      {
        onEvent: (event) => {
          // An event means the stream works again: /health stops reporting the last failure.
          if (this.eventsThisConnection++ === 0) this.state.lastError = undefined;
          if (this.resumeFrom !== undefined && event.type === "message") this.checkResumeGap(event.data);
          sink.onEvent(event);
        },
        // Clamped: a huge value overflows the timer into a reconnect loop, and a server cannot make us wait for hours.
        onRetry: (ms) => (this.serverRetryMs = Math.min(options.reconnectMaxMs, Math.max(options.reconnectMinMs, ms))),
        onOversized: (bytes) => sink.onOversized(bytes),
        onOversizedId: () => sink.onOversizedId(),
      },
      // Data stays undecoded, as Ingest takes it.
      { maxEventBytes: options.maxEventBytes, lastEventId: options.lastEventId ?? "", binaryData: true },
    );
    this.backoff = new Backoff({ minMs: options.reconnectMinMs, maxMs: options.reconnectMaxMs });
    this.state = idleStatus(options.url);
  }

  status(): StreamStatus {
    const status = { ...this.state, lastEventAt: this.lastEventMs === undefined ? undefined : new Date(this.lastEventMs).toISOString() };
    // Bytes may keep flowing (comments) while no event comes: connected is not the same as working.
    const quietMs = Date.now() - Math.max(this.lastEventMs ?? 0, this.streamingSince);
    if (status.state === "streaming" && quietMs > this.options.idleTimeoutMs) {
      status.lastError = `no event for ${Math.round(quietMs / 1000)} s while connected (stream_idle_timeout_ms ${this.options.idleTimeoutMs})`;
    }
    return status;
  }

  async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const outcome = await this.connectOnce();
      if (signal.aborted) break;
      const retryInMs = this.delayAfter(outcome);
      this.state.state = "waiting";
      this.state.retryInMs = retryInMs;
      await delay(retryInMs, signal);
      this.state.retryInMs = undefined;
    }
    await this.sink.drain();
    this.state.state = "stopped";
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    // Cancelling the reader (not aborting the fetch) releases the body without Bun's abort leak.
    await this.reader?.cancel().catch(() => {});
  }

  private delayAfter(outcome: Outcome): number {
    switch (outcome.kind) {
      case "closed":
        // Wikimedia closes every ~15 minutes; that is normal and resumes at once. A server that
        // closes without sending anything is failing, and gets backoff like any error.
        if (outcome.events > 0) {
          this.backoff.reset();
          this.log.info("stream closed by server; resuming", { events: outcome.events, last_event_id: this.parser.lastEventId });
          return this.serverRetryMs ?? 0;
        }
        this.state.lastError = "server closed the stream without sending an event";
        break;
      case "stalled":
        this.state.lastError = `no bytes for ${this.options.idleTimeoutMs} ms`;
        break;
      case "failed":
        this.state.lastError = outcome.error;
        if (outcome.delayMs !== undefined) {
          this.backoff.next();
          this.log.warn("stream unavailable; retrying", { error: outcome.error, retry_in_ms: outcome.delayMs });
          return outcome.delayMs;
        }
    }
    const delay = Math.max(this.backoff.next(), this.serverRetryMs ?? 0);
    this.log.warn("stream interrupted; reconnecting with backoff", {
      error: this.state.lastError,
      failures: this.backoff.failures,
      retry_in_ms: delay,
    });
    return delay;
  }

  private async connectOnce(): Promise<Outcome> {
    this.state.state = "connecting";
    this.state.connections++;
    const headers: Record<string, string> = { Accept: "text/event-stream", "User-Agent": this.options.userAgent };
    const lastEventId = this.parser.lastEventId;
    if (lastEventId !== "") headers["Last-Event-ID"] = lastEventId;
    const url = new URL(this.options.url);
    if (lastEventId === "" && this.options.since !== undefined) url.searchParams.set("since", this.options.since);
    this.resumeFrom = requestedTime(lastEventId, this.options.since);

    // The abort only guards the wait for headers: aborting a streaming body leaks in Bun (#32659),
    // so the fetch gets its own controller, which stop() reaches only until the headers are in.
    const abort = new AbortController();
    const abortConnect = () => abort.abort();
    this.stopping.signal.addEventListener("abort", abortConnect, { once: true });
    const connectTimer = setTimeout(abortConnect, this.options.idleTimeoutMs);
    let response: Response;
    try {
      // Bun's fetch gives up on bodies idle for 5 minutes by default; the watchdog below owns idleness instead.
      response = await fetch(url, { headers, signal: abort.signal, timeout: false } as RequestInit);
    } catch (error) {
      return { kind: "failed", error: `connect to ${url.origin} failed: ${(error as Error).message}` };
    } finally {
      clearTimeout(connectTimer);
      this.stopping.signal.removeEventListener("abort", abortConnect);
    }
    if (response.status !== 200 || !response.body) return this.rejected(response);
    const type = response.headers.get("content-type") ?? "";
    if (!type.toLowerCase().startsWith("text/event-stream")) {
      await response.body.cancel().catch(() => {});
      return { kind: "failed", error: `expected text/event-stream, got "${type}"`, delayMs: this.options.reconnectMaxMs };
    }
    return this.consume(response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>);
  }

  private async rejected(response: Response): Promise<Outcome> {
    const status = response.status;
    const body = (await response.text().catch(() => "")).slice(0, 300);
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    const cause = CONFIG_ERRORS[status];
    if (cause !== undefined) {
      this.log.error(`stream HTTP ${status}: ${cause}`, { url: this.options.url, body, retry_in_ms: this.options.reconnectMaxMs });
      return {
        kind: "failed",
        error: `HTTP ${status}: ${cause}`,
        delayMs: Math.min(MAX_RETRY_AFTER_MS, Math.max(retryAfter ?? 0, this.options.reconnectMaxMs)),
      };
    }
    const error = `HTTP ${status}${body ? `: ${body}` : ""}`;
    // 429 and 5xx are temporary; Retry-After, when given, is the server's own word on when.
    return retryAfter === undefined
      ? { kind: "failed", error }
      : { kind: "failed", error, delayMs: Math.min(retryAfter, MAX_RETRY_AFTER_MS) };
  }

  private async consume(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Outcome> {
    this.reader = reader;
    this.state.state = "streaming";
    this.eventsThisConnection = 0;
    let lastByteAt = (this.streamingSince = Date.now());
    let stalled = false;
    // No keep-alives come from Wikimedia, so silence is the only sign of a dead socket.
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastByteAt > this.options.idleTimeoutMs) {
          stalled = true;
          reader.cancel().catch(() => {});
        }
      },
      Math.max(50, Math.min(1000, this.options.idleTimeoutMs / 4)),
    );
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        lastByteAt = Date.now();
        const eventsBefore = this.eventsThisConnection;
        this.parser.push(value);
        if (this.eventsThisConnection !== eventsBefore) this.lastEventMs = lastByteAt;
        // Reading pauses while too many events wait to be counted; the pause is not the stream's silence.
        const counting = this.sink.backpressure();
        if (counting) {
          await counting;
          lastByteAt = Date.now();
        }
      }
    } catch (error) {
      if (!stalled && !this.stopping.signal.aborted) {
        this.endConnection();
        return { kind: "failed", error: `stream read failed: ${(error as Error).message}` };
      }
    } finally {
      clearInterval(watchdog);
      this.reader = undefined;
    }
    this.endConnection();
    if (stalled) return { kind: "stalled" };
    return { kind: "closed", events: this.eventsThisConnection };
  }

  private checkResumeGap(data: string): void {
    const gap = resumeGapMs(this.resumeFrom, data);
    this.resumeFrom = undefined;
    if (gap !== undefined && gap > GAP_WARN_MS) {
      this.log.warn("stream resumed later than the requested position; the events in between are not in the stream's history", {
        requested: new Date(gap > 0 ? Date.now() - gap : Date.now()).toISOString(),
        gap_s: Math.round(gap / 1000),
      });
    }
  }

  /** A frame cut by the close is never counted; Last-Event-ID makes the server send it again. */
  private endConnection(): void {
    if (this.parser.end()) this.sink.onIncomplete();
  }
}
