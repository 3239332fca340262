// Replays a recorded SSE capture once, for offline demos and benchmarks; resumes after a saved position.
import type { Logger } from "../log/logger.ts";
import { delay } from "../retry/delay.ts";
import { payloadTimeMs } from "../stats/event-time.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";
import { idleStatus, type EventSink, type StreamSource, type StreamStatus } from "./source.ts";

interface FileReplayOptions {
  path: string;
  pace: "fast" | "recorded";
  maxEventBytes: number;
  /** Position saved by a previous run of this replay (see replayPosition); it resumes right after it. */
  position?: string | undefined;
}

/**
 * A replay's position: the byte offset where the event after the last counted one starts. Most
 * captures have no SSE ids, so an id cannot be the position; and this form cannot be taken for one
 * (Wikimedia's ids are JSON arrays). Positions are saved per stream_url, so never mixed with a live stream's.
 */
export const replayPosition = (offset: number): string => `file-offset:${offset}`;
const POSITION = /^file-offset:([0-9]{1,15})$/;
const LF = 0x0a;
const CR = 0x0d;

export class FileReplay implements StreamSource {
  private readonly state: StreamStatus;
  /** Aborted by stop(): the replay ends after the chunk or event at hand. */
  private readonly stopping = new AbortController();
  private lastEventMs: number | undefined;

  constructor(
    private readonly options: FileReplayOptions,
    private readonly sink: EventSink,
    private readonly log: Logger,
  ) {
    this.state = idleStatus(options.path);
  }

  status(): StreamStatus {
    return { ...this.state, lastEventAt: this.lastEventMs === undefined ? undefined : new Date(this.lastEventMs).toISOString() };
  }

  async run(): Promise<void> {
    this.state.state = "streaming";
    this.state.connections = 1;
    const started = performance.now();
    const take = (event: SseEvent, position: string) => {
      this.lastEventMs = Date.now();
      this.sink.onEvent(event, position);
    };
    try {
      const from = await this.startOffset();
      if (this.options.pace === "fast") await this.replay(from, take);
      else await this.replayAtRecordedPace(from, take);
    } catch (error) {
      this.state.lastError = `cannot read ${this.options.path}: ${(error as Error).message}`;
      this.log.error("replay failed", { error: this.state.lastError });
    }
    await this.sink.drain();
    if (this.state.state === "streaming") this.state.state = "finished";
    this.log.info("replay finished", {
      file: this.options.path,
      ms: Math.round(performance.now() - started),
      ...this.sink.counters,
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.state.state = "stopped";
  }

  /** Where to start reading: after the saved position when it fits this capture, else at its start. */
  private async startOffset(): Promise<number> {
    const saved = this.options.position;
    if (saved === undefined) return 0;
    const file = Bun.file(this.options.path);
    const offset = Number(POSITION.exec(saved)?.[1] ?? Number.NaN);
    // A saved offset is trusted only at a line end inside the file; anything else belongs to another capture.
    if (offset > 0 && offset <= file.size) {
      const before = (await file.slice(offset - 1, offset).bytes())[0];
      if (before === LF || before === CR) {
        this.log.info("resuming replay after the saved position", { file: this.options.path, offset, size: file.size });
        return offset;
      }
    }
    this.log.warn("saved position does not fit this capture; replaying it from the start", {
      file: this.options.path,
      position: saved.slice(0, 200),
      size: file.size,
    });
    return 0;
  }

  private async replay(from: number, onEvent: (event: SseEvent, position: string) => void): Promise<void> {
    const parser: SseParser = new SseParser(
      {
        onEvent: (event) => onEvent(event, replayPosition(from + parser.offset)),
        onOversized: (bytes) => this.sink.onOversized(bytes),
        onOversizedId: () => this.sink.onOversizedId(),
      },
      // Resumed mid-file, a leading BOM would be content, as anywhere else in the stream.
      { maxEventBytes: this.options.maxEventBytes, atStart: from === 0, binaryData: true },
    );
    for await (const chunk of Bun.file(this.options.path).slice(from).stream()) {
      if (this.stopping.signal.aborted) return;
      parser.push(chunk);
      await this.sink.backpressure();
    }
    if (parser.end()) this.sink.onIncomplete();
  }

  /** Keeps the gaps between the events' meta.dt, so a demo looks like the live stream. */
  private async replayAtRecordedPace(from: number, onEvent: (event: SseEvent, position: string) => void): Promise<void> {
    const events: { event: SseEvent; position: string }[] = [];
    await this.replay(from, (event, position) => events.push({ event, position }));
    const { signal } = this.stopping;
    const start = performance.now();
    let firstDt: number | undefined;
    for (const { event, position } of events) {
      if (signal.aborted) return;
      const dt = payloadTimeMs(event.data);
      if (dt !== undefined) {
        firstDt ??= dt;
        const wait = dt - firstDt - (performance.now() - start);
        // Events of the same moment go on without a turn of the event loop, so Ingest batches them together.
        if (wait > 0) await delay(wait, signal);
      }
      if (signal.aborted) return;
      onEvent(event, position);
    }
  }
}
