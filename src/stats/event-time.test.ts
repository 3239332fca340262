import { describe, expect, test } from "bun:test";
import { countedTimeMs, eventTimeMs, MAX_AHEAD_MS, payloadTimeMs } from "./event-time.ts";

const at = Date.UTC(2025, 4, 3, 7, 46, 19);

describe("eventTimeMs", () => {
  test.each([
    ["UTC with Z", "2025-05-03T07:46:19Z", at],
    ["UTC as +00:00", "2025-05-03T07:46:19+00:00", at],
    ["milliseconds", "2025-05-03T07:46:19.123Z", at + 123],
    ["microseconds, read to the millisecond", "2025-05-03T07:46:19.123456Z", at + 123],
    ["another offset", "2025-05-03T09:46:19+02:00", at],
  ])("reads %s", (_name, dt, ms) => {
    expect(eventTimeMs(dt)).toBe(ms);
  });

  test.each([
    ["absent", undefined],
    ["empty", ""],
    ["a word", "yesterday-ish"],
    ["a bare year", "2025"],
    ["a number", "1746258379000"],
    ["no offset, which Date.parse would read as local time", "2025-05-03T07:46:19"],
    ["a space for the T", "2025-05-03 07:46:19Z"],
    ["a month that does not exist", "2025-13-03T07:46:19Z"],
    ["trailing text", "2025-05-03T07:46:19Z✓"],
  ])("is undefined for garbage: %s", (_name, dt) => {
    expect(eventTimeMs(dt)).toBeUndefined();
  });
});

describe("countedTimeMs", () => {
  const now = at + 3_600_000;

  test.each([
    ["Z", "2025-05-03T07:46:19Z", at],
    ["+00:00", "2025-05-03T07:46:19+00:00", at],
    ["milliseconds", "2025-05-03T07:46:19.123Z", at + 123],
  ])("is meta.dt written with %s", (_name, dt, ms) => {
    expect(countedTimeMs(dt, now)).toBe(ms);
  });

  test.each([
    ["missing", undefined],
    ["null", null],
    ["a number", at],
    ["garbage", "not a time"],
    ["11 minutes ahead of the clock", new Date(now + 11 * 60_000).toISOString()],
    ["a millisecond past MAX_AHEAD_MS ahead", new Date(now + MAX_AHEAD_MS + 1).toISOString()],
  ])("is undefined, so the event falls at its arrival, for a meta.dt %s", (_name, dt) => {
    expect(countedTimeMs(dt, now)).toBeUndefined();
  });

  test.each([
    ["9 minutes", 9 * 60_000],
    ["exactly MAX_AHEAD_MS", MAX_AHEAD_MS],
  ])("keeps a meta.dt %s ahead of the clock", (_name, ahead) => {
    expect(countedTimeMs(new Date(now + ahead).toISOString(), now)).toBe(now + ahead);
  });

  test("keeps a meta.dt however far behind the clock", () => {
    expect(countedTimeMs("2001-01-15T00:00:00Z", now)).toBe(Date.UTC(2001, 0, 15));
  });
});

describe("payloadTimeMs", () => {
  test("reads meta.dt of a JSON payload", () => {
    expect(payloadTimeMs(JSON.stringify({ meta: { dt: "2025-05-03T07:46:19Z" } }))).toBe(at);
  });

  test.each(["{}", "null", "nope", '{"meta":null}', '{"meta":{"dt":12}}', JSON.stringify({ meta: { dt: "soon" } })])(
    "is undefined for %p",
    (data) => {
      expect(payloadTimeMs(data)).toBeUndefined();
    },
  );
});
