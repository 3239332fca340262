import { describe, expect, it } from "bun:test";
import { createLogger, RateLimitedLog, type Fields, type LogLevel } from "./logger.ts";

function capture(level: LogLevel, base?: Fields) {
  const lines: string[] = [];
  const log = createLogger(level, (line) => lines.push(line), base);
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, records };
}

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

describe("createLogger", () => {
  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
  ] as [LogLevel, LogLevel[]][])("at level %s writes only %p", (level, written) => {
    const { log, records } = capture(level);
    for (const l of LEVELS) log[l](`a ${l} message`);
    expect(records().map((r) => r.level)).toEqual(written);
    expect(records().map((r) => r.msg)).toEqual(written.map((l) => `a ${l} message`));
  });

  it("writes one JSON object per line with time, level, message and fields", () => {
    const { log, lines } = capture("debug");
    log.info("listening", { url: "http://0.0.0.0:7000", storage: "in-memory" });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toContain("\n");
    const record = JSON.parse(line);
    expect(record).toMatchObject({ level: "info", msg: "listening", url: "http://0.0.0.0:7000", storage: "in-memory" });
    expect(new Date(record.time).toISOString()).toBe(record.time);
    expect(Math.abs(Date.parse(record.time) - Date.now())).toBeLessThan(5_000);
  });

  it("keeps a message with newlines and quotes on one line", () => {
    const { log, lines } = capture("info");
    log.warn('line one\nline two "quoted"\r\n', { data: "a\nb" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'line one\nline two "quoted"\r\n', data: "a\nb" });
  });

  it("writes an Error as its name and message, without the stack", () => {
    const { log, lines, records } = capture("info");
    const error = new TypeError("boom");
    log.error("request failed", { error });
    expect(records()[0]!.error).toBe("TypeError: boom");
    expect(lines[0]).not.toContain("    at ");
    expect(lines[0]).not.toContain("logger.test.ts");
    expect(lines[0]).not.toContain("stack");
  });

  it("adds the message of an Error's cause", () => {
    const { log, lines, records } = capture("info");
    const error = new Error("cannot connect", { cause: new Error("ECONNREFUSED 127.0.0.1:9042") });
    log.error("store down", { error });
    expect(records()[0]!.error).toBe("Error: cannot connect: ECONNREFUSED 127.0.0.1:9042");
    expect(lines[0]).not.toContain("    at ");
  });

  it("serialises Errors nested inside fields too", () => {
    const { log, lines, records } = capture("info");
    log.warn("retry", { attempt: { n: 2, error: new RangeError("too far") }, errors: [new Error("one")] });
    expect(records()[0]).toMatchObject({ attempt: { n: 2, error: "RangeError: too far" }, errors: ["Error: one"] });
    expect(lines[0]).not.toContain("    at ");
  });

  it("carries a child's fields on every line, after the parent's", () => {
    const { log, records } = capture("info", { service: "wikitally" });
    const child = log.child({ component: "http" });
    child.info("request", { path: "/stats" });
    log.info("plain");
    expect(records()[0]).toMatchObject({ service: "wikitally", component: "http", path: "/stats" });
    expect(records()[1]).toMatchObject({ service: "wikitally" });
    expect(records()[1]).not.toHaveProperty("component");
  });

  it("keeps the parent's level in a child", () => {
    const { log, lines } = capture("warn");
    log.child({ component: "x" }).info("hidden");
    expect(lines).toHaveLength(0);
  });
});

describe("RateLimitedLog", () => {
  function limited(burst: number, intervalMs: number) {
    const clock = { now: 1_000_000 };
    const calls: { msg: string; fields: Fields }[] = [];
    const log = new RateLimitedLog(
      (msg, fields) => calls.push({ msg, fields }),
      burst,
      intervalMs,
      () => clock.now,
    );
    return { log, calls, clock };
  }

  it("lets the first burst of messages through unchanged", () => {
    const { log, calls } = limited(3, 10_000);
    for (let i = 0; i < 3; i++) log.write("bad event", { n: i });
    expect(calls).toEqual([0, 1, 2].map((n) => ({ msg: "bad event", fields: { n } })));
    expect(calls.some((c) => "suppressed" in c.fields)).toBe(false);
  });

  it("suppresses messages beyond the burst within the interval", () => {
    const { log, calls, clock } = limited(3, 10_000);
    for (let i = 0; i < 50; i++) {
      log.write("bad event", { n: i });
      clock.now += 10;
    }
    expect(calls).toHaveLength(3);
  });

  it("reports how many were suppressed on the next message that gets through, then resets the count", () => {
    const { log, calls, clock } = limited(2, 10_000);
    for (let i = 0; i < 7; i++) log.write("bad event", { n: i });
    clock.now += 10_000;
    log.write("bad event", { n: 7 });
    log.write("bad event", { n: 8 });
    expect(calls.map((c) => c.fields)).toEqual([{ n: 0 }, { n: 1 }, { n: 7, suppressed: 5 }, { n: 8 }]);
  });

  it("never writes more than the burst per interval under a sustained flood", () => {
    const { log, calls, clock } = limited(5, 1_000);
    const perInterval = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const before = calls.length;
      log.write("flood");
      if (calls.length > before) {
        const slot = Math.floor((clock.now - 1_000_000) / 1_000);
        perInterval.set(slot, (perInterval.get(slot) ?? 0) + 1);
      }
      clock.now += 3;
    }
    expect(Math.max(...perInterval.values())).toBeLessThanOrEqual(5);
    // Something is still written in every interval, so the flood stays visible.
    expect(perInterval.size).toBeGreaterThanOrEqual(29);
    // Every message is either written or counted; only those of the last interval are still unreported.
    const reported = calls.reduce((sum, c) => sum + ((c.fields.suppressed as number | undefined) ?? 0), 0);
    expect(reported + calls.length).toBeLessThanOrEqual(10_000);
    expect(reported + calls.length).toBeGreaterThanOrEqual(10_000 - Math.ceil(1_000 / 3));
  });

  it("adds no suppressed field while nothing was suppressed", () => {
    const { log, calls } = limited(1, 1_000);
    log.write("first", { reason: "malformed" });
    expect(calls[0]!.fields).toEqual({ reason: "malformed" });
  });
});
