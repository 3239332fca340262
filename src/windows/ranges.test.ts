import { describe, expect, test } from "bun:test";
import { parseTime, QueryError, rfc3339, seriesQuery, shown, statsRange, topQuery, type Query } from "./ranges.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./types.ts";

const T14 = Date.UTC(2026, 4, 28, 14, 0, 0);
const RETENTION = 7 * DAY_MS;

/** The QueryError `run` throws: its param and message. */
function rejected(run: () => unknown): { param: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError);
    const e = error as QueryError;
    return { param: e.param, message: e.message };
  }
  throw new Error("expected a QueryError");
}

describe("parseTime", () => {
  test.each([
    ["Z", "2026-05-28T14:00:00Z", T14],
    ["lower-case z and t", "2026-05-28t14:00:00z", T14],
    ["+00:00", "2026-05-28T14:00:00+00:00", T14],
    ["-00:00", "2026-05-28T14:00:00-00:00", T14],
    ["another offset", "2026-05-28T16:30:00+02:30", T14],
    ["a negative offset", "2026-05-28T09:00:00-05:00", T14],
    ["fractional zeros", "2026-05-28T14:00:00.000000Z", T14],
    ["milliseconds", "2026-05-28T14:00:00.25Z", T14 + 250],
    ["unix seconds", String(T14 / 1000), T14],
    ["unix zero", "0", 0],
  ])("reads %s", (_name, value, ms) => {
    expect(parseTime(value)).toBe(ms);
  });

  test("a time finer than a millisecond is never aligned", () => {
    expect(parseTime("2026-05-28T14:00:00.0000001Z")).toBeNaN();
  });

  test.each([
    "",
    "yesterday",
    "-60",
    "1.5",
    "1e9",
    " 60",
    "2026-05-28",
    "2026-05-28T14:00Z",
    "2026-05-28T14:00:00",
    "2026-05-28 14:00:00Z",
    "2026-02-30T14:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-05-28T24:00:00Z",
    "2026-05-28T14:60:00Z",
    "2026-05-28T14:00:60Z",
    "2026-05-28T14:00:00+24:00",
    "1969-12-31T23:59:00Z",
    "1970-01-01T00:00:00+01:00",
    "2026-05-28T14:00:00.Z",
  ])("rejects %p", (value) => {
    expect(parseTime(value)).toBeUndefined();
  });
});

describe("statsRange", () => {
  const now = T14 + 17 * MINUTE_MS + 42_123;
  const endOfMinute = T14 + 18 * MINUTE_MS;

  test("no time parameter: the all-time totals", () => {
    expect(statsRange({}, now, RETENTION)).toBeUndefined();
  });

  test.each([
    ["1m", MINUTE_MS],
    ["90m", 90 * MINUTE_MS],
    ["1h", HOUR_MS],
    ["24h", DAY_MS],
    ["7d", 7 * DAY_MS],
  ])("window=%s ends at the end of the current minute", (window, length) => {
    expect(statsRange({ window }, now, RETENTION)).toEqual({ fromMs: endOfMinute - length, toMs: endOfMinute });
  });

  test("now on a minute boundary belongs to the minute it starts", () => {
    expect(statsRange({ window: "1m" }, T14, RETENTION)).toEqual({ fromMs: T14, toMs: T14 + MINUTE_MS });
  });

  test.each(["0m", "01h", "1", "h", "1w", "1.5h", "-1h", "1H", " 1h", "1h "])("window=%p is rejected", (window) => {
    const e = rejected(() => statsRange({ window }, now, RETENTION));
    expect(e.param).toBe("window");
    expect(e.message).toContain("positive whole number of m, h or d");
  });

  test("a window longer than retention is rejected", () => {
    const e = rejected(() => statsRange({ window: "8d" }, now, RETENTION));
    expect(e).toEqual({ param: "window", message: 'window must be at most the retention of 7d, got "8d"' });
  });

  test("from and to: whole minutes", () => {
    const q = { from: "2026-05-28T14:00:00Z", to: String((T14 + 90 * MINUTE_MS) / 1000) };
    expect(statsRange(q, now, RETENTION)).toEqual({ fromMs: T14, toMs: T14 + 90 * MINUTE_MS });
  });

  test("from not on a whole minute", () => {
    const e = rejected(() => statsRange({ from: "2026-05-28T14:00:30Z", to: "2026-05-28T15:00:00Z" }, now, RETENTION));
    expect(e).toEqual({
      param: "from",
      message: 'from must be a whole minute (RFC 3339 or unix seconds), got "2026-05-28T14:00:30Z"',
    });
  });

  test("to as unix seconds not on a whole minute", () => {
    const e = rejected(() => statsRange({ from: "0", to: "61" }, now, RETENTION));
    expect(e.param).toBe("to");
    expect(e.message).toContain("whole minute");
  });

  test("milliseconds are not a whole minute", () => {
    const e = rejected(() => statsRange({ from: "2026-05-28T14:00:00.001Z", to: "2026-05-28T15:00:00Z" }, now, RETENTION));
    expect(e.param).toBe("from");
  });

  test.each([
    [{ from: "2026-05-28T14:00:00Z" }, "to"],
    [{ to: "2026-05-28T14:00:00Z" }, "from"],
  ])("only one of from and to names the missing one: %p", (query, missing) => {
    const e = rejected(() => statsRange(query as Query, now, RETENTION));
    expect(e.param).toBe(missing);
    expect(e.message).toStartWith(`${missing} is required`);
  });

  test.each([
    { window: "1h", from: "0" },
    { window: "1h", to: "60" },
    { window: "1h", from: "0", to: "60" },
  ])("window with from or to is rejected: %p", (query) => {
    const e = rejected(() => statsRange(query, now, RETENTION));
    expect(e.message).toBe("window cannot be combined with from or to");
  });

  test.each([
    ["empty", "2026-05-28T14:00:00Z", "2026-05-28T14:00:00Z"],
    ["reversed", "2026-05-28T15:00:00Z", "2026-05-28T14:00:00Z"],
  ])("an %s range is rejected", (_name, from, to) => {
    const e = rejected(() => statsRange({ from, to }, now, RETENTION));
    expect(e.param).toBe("to");
    expect(e.message).toStartWith("to must be after from");
  });

  test("a range longer than retention is rejected; exactly retention is accepted", () => {
    const e = rejected(() => statsRange({ from: "0", to: String(7 * 86400 + 60) }, now, RETENTION));
    expect(e.param).toBe("from");
    expect(e.message).toContain("at most the retention of 7d, got 10081m");
    expect(statsRange({ from: "0", to: String(7 * 86400) }, now, RETENTION)).toEqual({ fromMs: 0, toMs: RETENTION });
  });
});

describe("topQuery", () => {
  const hours = { from: "2026-05-28T14:00:00Z", to: "2026-05-28T16:00:00Z" };

  test("defaults: limit 10, both bots and humans", () => {
    expect(topQuery({ by: "user", ...hours }, RETENTION)).toEqual({
      by: "user",
      fromMs: T14,
      toMs: T14 + 2 * HOUR_MS,
      limit: 10,
      bot: undefined,
    });
  });

  test.each([
    ["page", "1", "true", 1, true],
    ["server_url", "1000", "false", 1000, false],
  ])("by=%s limit=%s bot=%s", (by, limit, bot, limitN, botB) => {
    expect(topQuery({ by, limit, bot, ...hours }, RETENTION)).toMatchObject({ by, limit: limitN, bot: botB });
  });

  test.each([
    [{ ...hours }, "by"],
    [{ by: "title", ...hours }, "by"],
    [{ by: "User", ...hours }, "by"],
    [{ by: "user", ...hours, limit: "0" }, "limit"],
    [{ by: "user", ...hours, limit: "1001" }, "limit"],
    [{ by: "user", ...hours, limit: "5.0" }, "limit"],
    [{ by: "user", ...hours, limit: "" }, "limit"],
    [{ by: "user", ...hours, bot: "1" }, "bot"],
    [{ by: "user", ...hours, bot: "TRUE" }, "bot"],
    [{ by: "user", ...hours, bot: "" }, "bot"],
    [{ by: "user", from: "2026-05-28T14:30:00Z", to: hours.to }, "from"],
    [{ by: "user", from: hours.from, to: "2026-05-28T16:01:00Z" }, "to"],
    [{ by: "user", from: hours.from }, "to"],
  ])("rejects %p naming %s", (query, param) => {
    expect(rejected(() => topQuery(query as Query, RETENTION)).param).toBe(param);
  });

  test("the hour rule is in the message", () => {
    expect(rejected(() => topQuery({ by: "user", from: "2026-05-28T14:30:00Z", to: hours.to }, RETENTION)).message).toBe(
      'from must be a whole hour (RFC 3339 or unix seconds), got "2026-05-28T14:30:00Z"',
    );
  });
});

describe("seriesQuery", () => {
  test.each([60, 300, 900, 3600, 86400])("step=%d", (step) => {
    const from = Date.UTC(2026, 4, 28);
    const q = { from: String(from / 1000), to: String(from / 1000 + step * 3), step: String(step) };
    expect(seriesQuery(q, RETENTION)).toEqual({ fromMs: from, toMs: from + step * 3000, stepMs: step * 1000, serverUrl: undefined });
  });

  test("server_url narrows the series", () => {
    const q = { from: "2026-05-28T14:00:00Z", to: "2026-05-28T15:00:00Z", step: "60", server_url: "https://en.wikipedia.org" };
    expect(seriesQuery(q, RETENTION).serverUrl).toBe("https://en.wikipedia.org");
  });

  test.each([
    [{ from: "0", to: "3600" }, "step", "step is required"],
    [{ from: "0", to: "3600", step: "30" }, "step", "step must be one of 60, 300, 900, 3600, 86400 (seconds)"],
    [{ from: "0", to: "3600", step: "060" }, "step", "step must be one of"],
    [{ from: "60", to: "3600", step: "300" }, "from", "from must be a multiple of step (300 s)"],
    [{ from: "0", to: "3660", step: "3600" }, "to", "to must be a multiple of step (3600 s)"],
    [{ from: "0", to: "3600", step: "60", server_url: "" }, "server_url", "server_url must not be empty"],
    [{ from: "0", to: "0", step: "60" }, "to", "to must be after from"],
    [{ from: "0", to: String(8 * 86400), step: "86400" }, "from", "at most the retention of 7d"],
  ])("rejects %p naming %s", (query, param, text) => {
    const e = rejected(() => seriesQuery(query as Query, RETENTION));
    expect(e.param).toBe(param);
    expect(e.message).toContain(text);
  });
});

describe("messages quote the value safely", () => {
  test("long input is cut", () => {
    const e = rejected(() => statsRange({ window: "x".repeat(10_000) }, 0, RETENTION));
    expect(e.message.length).toBeLessThan(200);
    expect(e.message).toEndWith(`"${"x".repeat(40)}…"`);
  });

  test("control, format and line-separator characters are never echoed", () => {
    const value = "1h\n\r\u0000\u001b[31m\u202e\u2028\u0085";
    const e = rejected(() => statsRange({ window: value }, 0, RETENTION));
    expect(e.message).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    expect(e.message).toEndWith('"1h????[31m???"');
  });

  test("astral characters are cut whole, lone surrogates are hidden", () => {
    expect(shown("😀".repeat(50))).toBe(`"${"😀".repeat(40)}…"`);
    expect(shown("a\ud800b")).toBe('"a?b"');
  });
});

describe("rfc3339", () => {
  test("no milliseconds when they are zero", () => {
    expect(rfc3339(T14)).toBe("2026-05-28T14:00:00Z");
    expect(rfc3339(T14 + 5)).toBe("2026-05-28T14:00:00.005Z");
  });

  test("round-trips through parseTime", () => {
    for (const ms of [0, T14, T14 + 59_999, Date.UTC(2030, 0, 1)]) expect(parseTime(rfc3339(ms))).toBe(ms);
  });
});
