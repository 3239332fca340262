// Public surface of the stream module: pick a source for a stream_url.
import type { Config } from "../config/index.ts";
import type { Logger } from "../log/logger.ts";
import { FileReplay } from "./file-replay.ts";
import { HttpStream } from "./http-stream.ts";
import type { EventSink, StreamSource } from "./source.ts";

export { emptyIngestCounters, type IngestCounters } from "../stats/ingest-counters.ts";
export { Ingest } from "./ingest.ts";
export { idleStatus, type StreamSource, type StreamStatus } from "./source.ts";

/** `lastEventId` is the position saved for this stream_url: an SSE id, or a replay's file offset. */
export function createStreamSource(config: Config, sink: EventSink, log: Logger, lastEventId: string | undefined): StreamSource {
  const url = config.stream_url;
  if (/^https?:\/\//i.test(url)) {
    return new HttpStream(
      {
        url,
        userAgent: config.user_agent,
        idleTimeoutMs: config.stream_idle_timeout_ms,
        reconnectMinMs: config.reconnect_min_ms,
        reconnectMaxMs: config.reconnect_max_ms,
        maxEventBytes: config.max_event_bytes,
        lastEventId,
        since: config.stream_since,
      },
      sink,
      log,
    );
  }
  const path = url.startsWith("file:") ? Bun.fileURLToPath(url) : url;
  return new FileReplay({ path, pace: config.replay_pace, maxEventBytes: config.max_event_bytes, position: lastEventId }, sink, log);
}
