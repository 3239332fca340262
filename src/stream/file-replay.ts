// Replays a recorded SSE capture once, for offline demos and benchmarks.
import type { Logger } from "../log/logger.ts";
import { Sleeper } from "../retry/sleeper.ts";
import type { Ingest } from "./ingest.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";
import { idleStatus, type StreamSource, type StreamStatus } from "./source.ts";

export interface FileReplayOptions {
  path: string;
  pace: "fast" | "recorded";
  maxEventBytes: number;
}

export class FileReplay implements StreamSource {
  private readonly state: StreamStatus;
  private stopped = false;
  private readonly sleeper = new Sleeper();

  constructor(private readonly options: FileReplayOptions, private readonly ingest: Ingest, private readonly log: Logger) {
    this.state = idleStatus(options.path);
  }

  status(): StreamStatus {
    return { ...this.state };
  }

  async run(): Promise<void> {
    this.state.state = "streaming";
    this.state.connections = 1;
    const started = performance.now();
    try {
      if (this.options.pace === "fast") await this.replay((event) => this.ingest.onEvent(event));
      else await this.replayAtRecordedPace();
    } catch (error) {
      this.state.lastError = `cannot read ${this.options.path}: ${(error as Error).message}`;
      this.log.error("replay failed", { error: this.state.lastError });
    }
    if (this.state.state === "streaming") this.state.state = "finished";
    this.log.info("replay finished", {
      file: this.options.path, ms: Math.round(performance.now() - started), ...this.ingest.counters,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state.state = "stopped";
    this.sleeper.wake();
  }

  private async replay(onEvent: (event: SseEvent) => void): Promise<void> {
    const parser = new SseParser(
      { onEvent, onOversized: (bytes) => this.ingest.onOversized(bytes), onOversizedId: () => this.ingest.onOversizedId() },
      { maxEventBytes: this.options.maxEventBytes },
    );
    for await (const chunk of Bun.file(this.options.path).stream()) {
      if (this.stopped) return;
      parser.push(chunk);
    }
    if (parser.end()) this.ingest.onIncomplete();
    this.state.lastEventAt = new Date().toISOString();
  }

  /** Keeps the gaps between the events' meta.dt, so a demo looks like the live stream. */
  private async replayAtRecordedPace(): Promise<void> {
    const events: SseEvent[] = [];
    await this.replay((event) => events.push(event));
    const start = performance.now();
    let firstDt: number | undefined;
    for (const event of events) {
      if (this.stopped) return;
      const dt = recordedTime(event);
      if (dt !== undefined) {
        firstDt ??= dt;
        const wait = dt - firstDt - (performance.now() - start);
        if (wait > 0) await this.sleeper.sleep(wait);
      }
      if (this.stopped) return;
      this.ingest.onEvent(event);
    }
  }
}

function recordedTime(event: SseEvent): number | undefined {
  try {
    const dt = (JSON.parse(event.data) as { meta?: { dt?: unknown } }).meta?.dt;
    const time = typeof dt === "string" ? Date.parse(dt) : NaN;
    return Number.isNaN(time) ? undefined : time;
  } catch {
    return undefined;
  }
}
