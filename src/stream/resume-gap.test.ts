import { describe, expect, test } from "bun:test";
import { requestedTime, resumeGapMs } from "./resume-gap.ts";

const id =
  '[{"topic":"eqiad.mediawiki.recentchange","partition":0,"timestamp":1746030241001},{"topic":"codfw.mediawiki.recentchange","partition":0,"offset":-1}]';

describe("requestedTime", () => {
  test("takes the newest timestamp of a Wikimedia Last-Event-ID", () => {
    expect(requestedTime(id, undefined)).toBe(1746030241001);
  });
  test("prefers the Last-Event-ID over since, as the server does", () => {
    expect(requestedTime(id, "0")).toBe(1746030241001);
  });
  test.each([
    ["1746030241001", 1746030241001],
    ["2025-04-30T16:24:01Z", Date.parse("2025-04-30T16:24:01Z")],
  ])("reads since=%s", (since, want) => {
    expect(requestedTime("", since)).toBe(want);
  });
  test.each(['[{"offset":5}]', "not json", '{"timestamp":1}', ""])("knows no time for id %p without since", (lastId) => {
    expect(requestedTime(lastId, undefined)).toBeUndefined();
  });
});

describe("resumeGapMs", () => {
  test("measures how much later the first event is than the requested time", () => {
    const data = JSON.stringify({ meta: { dt: "2025-04-30T17:24:01.001Z" } });
    expect(resumeGapMs(Date.parse("2025-04-30T16:24:01.001Z"), data)).toBe(3_600_000);
  });
  test.each(["{}", "nope", JSON.stringify({ meta: { dt: "yesterday-ish" } })])("is undefined for %p", (data) => {
    expect(resumeGapMs(0, data)).toBeUndefined();
  });
  test("is undefined when nothing was requested", () => {
    expect(resumeGapMs(undefined, JSON.stringify({ meta: { dt: "2025-04-30T17:24:01Z" } }))).toBeUndefined();
  });
});
