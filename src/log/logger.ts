// Structured logging: one JSON object per line on stdout, filtered by level.
import { firstLine } from "./error-text.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
  /** Whether lines of this level are written: to skip gathering fields nobody will see. */
  enabled(level: LogLevel): boolean;
}

type Sink = (line: string) => void;

const stdoutSink: Sink = (line) => process.stdout.write(`${line}\n`);

export function createLogger(level: LogLevel = "info", sink: Sink = stdoutSink, base: Fields = {}): Logger {
  const min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: Fields) => {
    if (RANK[lvl] < min) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorsAsText));
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
    enabled: (lvl) => RANK[lvl] >= min,
  };
}

/**
 * Errors serialise as `{}` by default; keep their name and the first line of their message and cause
 * (some libraries put inner errors, stacks included, into messages; logs are not for traces).
 */
function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const cause = value.cause instanceof Error ? `: ${firstLine(value.cause.message)}` : "";
    return `${value.name}: ${firstLine(value.message)}${cause}`;
  }
  return value;
}

/**
 * Lets through at most `burst` calls per `intervalMs` window, and reports with the next call let
 * through how many were suppressed, so a flood of bad events cannot flood the log.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly log: (msg: string, fields: Fields) => void,
    private readonly burst = 10,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  write(msg: string, fields: Fields = {}): void {
    const t = this.now();
    if (t - this.windowStart >= this.intervalMs) {
      this.windowStart = t;
      this.inWindow = 0;
    }
    if (this.inWindow++ < this.burst) {
      const extra = this.suppressed > 0 ? { suppressed: this.suppressed } : {};
      this.suppressed = 0;
      this.log(msg, { ...fields, ...extra });
    } else {
      this.suppressed++;
    }
  }
}
