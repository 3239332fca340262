import { describe, expect, test } from "bun:test";
import { createLogger } from "../log/logger.ts";
import { eventTimeMs } from "../stats/event-time.ts";
import type { ChangeEvent, CountSink } from "../stats/types.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { Ingest } from "./ingest.ts";

function setup(maxServerUrls?: number) {
  const lines: string[] = [];
  const store = new MemoryStore(maxServerUrls === undefined ? {} : { maxServerUrls });
  const ingest = new Ingest(
    store,
    createLogger("debug", (line) => lines.push(line)),
  );
  return { store, ingest, lines };
}

const edit = JSON.stringify({ meta: { domain: "en.wikipedia.org" }, user: "Ann", bot: false, server_url: "https://en.wikipedia.org" });

describe("Ingest", () => {
  test("counts a message and moves the stream position past it", async () => {
    const { store, ingest } = setup();
    ingest.onEvent({ type: "message", data: edit, lastEventId: "[1]" });
    await ingest.drain();
    expect(ingest.counters.counted).toBe(1);
    expect((await store.stats()).messages).toBe(1);
    expect(await store.position()).toBe("[1]");
  });

  test.each([
    ["error frame", { type: "error", data: '{"message":"boom"}' }, "error_frames"],
    ["other type", { type: "ping", data: "{}" }, "other_types"],
    ["malformed", { type: "message", data: "{oops" }, "malformed"],
    ["non-object", { type: "message", data: "[]" }, "not_object"],
    ["canary", { type: "message", data: JSON.stringify({ meta: { domain: "canary" }, user: "C" }) }, "canary"],
  ] as const)("tallies a %s apart, counts nothing, and still moves the position", async (_name, event, counter) => {
    const { store, ingest } = setup();
    ingest.onEvent({ ...event, lastEventId: "[7]" });
    await ingest.drain();
    expect(ingest.counters[counter]).toBe(1);
    expect(ingest.counters.counted).toBe(0);
    expect((await store.stats()).messages).toBe(0);
    expect(await store.position()).toBe("[7]");
  });

  test("logs skipped events at a bounded rate, with the number suppressed", async () => {
    const { ingest, lines } = setup();
    for (let i = 0; i < 100; i++) ingest.onEvent({ type: "message", data: "{oops", lastEventId: "" });
    await ingest.drain();
    expect(ingest.counters.malformed).toBe(100);
    expect(lines.length).toBe(10);
  });

  test("logs a skipped event's data and an error frame's as text, decoded from the bytes they came as", async () => {
    const { ingest, lines } = setup();
    const binary = (text: string) => Buffer.from(text).toString("latin1");
    ingest.onEvent({ type: "message", data: binary('{"title":"Größe ✓"'), lastEventId: "" });
    ingest.onEvent({ type: "error", data: binary("überlastet"), lastEventId: "" });
    await ingest.drain();
    expect(ingest.counters).toMatchObject({ malformed: 1, error_frames: 1 });
    const logged = lines.map((line) => JSON.parse(line) as { data?: string }).map((line) => line.data);
    expect(logged).toEqual(["überlastet", '{"title":"Größe ✓"']);
  });

  test("tallies events cut by a closed connection and oversized events", () => {
    const { ingest } = setup();
    ingest.onIncomplete();
    ingest.onOversized(2_000_000);
    expect(ingest.counters).toMatchObject({ incomplete: 1, oversized: 1, counted: 0 });
  });

  test("counts the event under the position the source gives instead of its SSE id", async () => {
    const { store, ingest } = setup();
    ingest.onEvent({ type: "message", data: edit, lastEventId: "[1]" }, "file-offset:99");
    await ingest.drain();
    expect(await store.position()).toBe("file-offset:99");
  });

  test("tallies an ignored oversized id", () => {
    const { ingest } = setup();
    ingest.onOversizedId();
    expect(ingest.counters).toMatchObject({ oversized_id: 1, counted: 0 });
  });

  test("a user name over 255 UTF-8 bytes counts the event, but not as a distinct user", async () => {
    const { store, ingest } = setup();
    // As sources deliver it (SseParser's binaryData): the UTF-8 bytes, one char each.
    const change = (user: string, bot: boolean) => ({
      type: "message",
      data: Buffer.from(JSON.stringify({ user, bot, server_url: "https://en.wikipedia.org" })).toString("latin1"),
      lastEventId: "",
    });
    ingest.onEvent(change("x".repeat(255), false));
    ingest.onEvent(change("é".repeat(127), false)); // 254 bytes
    ingest.onEvent(change("x".repeat(256), true));
    ingest.onEvent(change("é".repeat(128), false)); // 256 bytes in 128 UTF-16 units
    ingest.onEvent(change("x".repeat(10_240), false));
    await ingest.drain();
    expect(ingest.counters).toMatchObject({ counted: 5, invalid_user: 3 });
    expect(await store.stats()).toEqual({
      messages: 5,
      distinct_users: 2,
      bots: 1,
      non_bots: 4,
      by_server_url: { "https://en.wikipedia.org": 5 },
    });
  });

  test("a server_url over 2 KiB counts as none, and the event still counts", async () => {
    const { store, ingest } = setup();
    const url = (u: string) => ({ type: "message", data: JSON.stringify({ user: "Ann", server_url: u }), lastEventId: "" });
    const fits = `https://${"a".repeat(2040)}`;
    ingest.onEvent(url(fits));
    ingest.onEvent(url(`${fits}x`));
    await ingest.drain();
    expect(ingest.counters).toMatchObject({ counted: 2, invalid_server_url: 1 });
    expect(await store.stats()).toMatchObject({ messages: 2, distinct_users: 1, by_server_url: { [fits]: 1 } });
  });

  test("beyond max_server_urls, events count everywhere but by_server_url, are tallied, and one warning is logged", async () => {
    const { store, ingest, lines } = setup(2);
    const at = (n: number, bot = false) => ({
      type: "message",
      data: JSON.stringify({ user: `U${n}`, bot, server_url: `https://w${n}.org` }),
      lastEventId: "",
    });
    for (const n of [1, 2, 3, 4, 1, 3]) ingest.onEvent(at(n, n === 4));
    await ingest.drain();
    expect(ingest.counters).toMatchObject({ counted: 6, server_url_overflow: 3 });
    expect(await store.stats()).toEqual({
      messages: 6,
      distinct_users: 4,
      bots: 1,
      non_bots: 5,
      by_server_url: { "https://w1.org": 2, "https://w2.org": 1 },
    });
    const warnings = lines.filter((l) => l.includes("max_server_urls"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("https://w3.org");
  });
});

describe("Ingest: event time and page", () => {
  /** A store that keeps what it is handed. */
  function recording() {
    const added: ChangeEvent[] = [];
    const sink: CountSink = {
      add: (event) => added.push({ ...event }) > 0,
      setPosition: () => {},
    };
    return { added, ingest: new Ingest(sink, createLogger("error")) };
  }
  const message = (meta: Record<string, unknown>, user = "Ann") => ({
    type: "message",
    data: Buffer.from(JSON.stringify({ meta: { domain: "de.wikipedia.org", ...meta }, user, bot: false })).toString("latin1"),
    lastEventId: "",
  });
  const AT = Date.UTC(2025, 4, 3, 7, 46, 19);

  test("hands the store each event at its meta.dt and with its meta.uri, decoded from the bytes it came as", async () => {
    const { added, ingest } = recording();
    ingest.onEvent(message({ dt: "2025-05-03T07:46:19Z", uri: "https://de.wikipedia.org/wiki/Größe" }, "Jörg"));
    ingest.onEvent(message({ dt: "2025-05-03T07:46:19.5+00:00" }));
    await ingest.drain();
    expect(added).toEqual([
      { timeMs: AT, user: "Jörg", bot: false, serverUrl: undefined, page: "https://de.wikipedia.org/wiki/Größe" },
      { timeMs: AT + 500, user: "Ann", bot: false, serverUrl: undefined, page: undefined },
    ]);
    expect(ingest.counters).toMatchObject({ counted: 2, no_event_time: 0 });
  });

  test("counts an event without a usable meta.dt at its arrival, tallied as no_event_time; a canary never counts", async () => {
    const { added, ingest } = recording();
    const before = Date.now();
    ingest.onEvent(message({}));
    ingest.onEvent(message({ dt: "garbage" }));
    ingest.onEvent(message({ dt: 1746258379000 }));
    ingest.onEvent(message({ dt: new Date(Date.now() + 11 * 60_000).toISOString() }));
    ingest.onEvent(message({ dt: new Date(before + 9 * 60_000).toISOString() }));
    ingest.onEvent(message({ domain: "canary" }));
    await ingest.drain();
    const after = Date.now();
    expect(ingest.counters).toMatchObject({ counted: 5, no_event_time: 4, canary: 1 });
    for (const event of added.slice(0, 4)) expect(event.timeMs).toBeWithin(before, after + 1);
    expect(added[4]!.timeMs).toBe(before + 9 * 60_000);
  });

  test("the stream lag reads the last counted event that has an event time", async () => {
    const { ingest } = recording();
    expect(ingest.lastCountedDt).toBeUndefined();
    ingest.onEvent(message({ dt: "2025-05-03T09:46:19.123456+02:00" }));
    await ingest.drain();
    expect(ingest.lastCountedDt).toBe("2025-05-03T07:46:19.123Z");
    expect(eventTimeMs(ingest.lastCountedDt)).toBe(AT + 123);
    // Events at their arrival say nothing of the lag.
    ingest.onEvent(message({}));
    ingest.onEvent(message({ dt: "garbage" }));
    await ingest.drain();
    expect(ingest.lastCountedDt).toBe("2025-05-03T07:46:19.123Z");
  });
});

describe("Ingest on the classifier worker", () => {
  const edits = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      type: "message",
      data: JSON.stringify({ user: `U${(from + i) % 700}`, bot: (from + i) % 4 === 0, server_url: `https://w${(from + i) % 9}.org` }),
      lastEventId: `[${from + i}]`,
    }));

  test("counts many chunks exactly, and saves the position of the last counted event", async () => {
    const { store, ingest } = setup();
    for (let chunk = 0; chunk < 20; chunk++) {
      for (const event of edits(2500, chunk * 2500)) ingest.onEvent(event);
      // Between chunks, as a source awaits its next read.
      await Promise.resolve();
    }
    await ingest.drain();
    const stats = await store.stats();
    expect({ counted: ingest.counters.counted, messages: stats.messages, bots: stats.bots, users: stats.distinct_users }).toEqual({
      counted: 50_000,
      messages: 50_000,
      bots: 12_500,
      users: 700,
    });
    expect(Object.values(stats.by_server_url).reduce((a, b) => a + b, 0)).toBe(50_000);
    // None has a meta.dt: the worker's verdicts tally them as the inline ones do.
    expect(ingest.counters.no_event_time).toBe(50_000);
    expect(await store.position()).toBe("[49999]");
  });

  test("never lets the saved position run ahead of the counts", async () => {
    const { store, ingest } = setup();
    const seen: [string | undefined, number][] = [];
    const setPosition = store.setPosition.bind(store);
    store.setPosition = (position) => {
      seen.push([position, ingest.counters.counted]);
      setPosition(position);
    };
    for (const event of edits(5000)) ingest.onEvent(event);
    await ingest.drain();
    expect(seen.length).toBeGreaterThan(1);
    for (const [position, counted] of seen) expect(counted).toBeGreaterThanOrEqual(Number(/\d+/.exec(position!)![0]) + 1);
  });

  test("a small chunk read while a large one is still being classified is counted after it, and the position only moves forward", async () => {
    const { store, ingest } = setup();
    const positions: number[] = [];
    const setPosition = store.setPosition.bind(store);
    store.setPosition = (position) => {
      positions.push(Number(/\d+/.exec(position)![0]));
      setPosition(position);
    };
    const events = edits(3003);
    for (const event of events.slice(0, 3000)) ingest.onEvent(event);
    for (const event of events.slice(3000)) {
      await Promise.resolve();
      ingest.onEvent(event);
    }
    // A chunk that moves the position without an event to count.
    await Promise.resolve();
    ingest.onEvent({ type: "ping", data: "", lastEventId: "[3003]" });
    await ingest.drain();
    expect(positions.at(-1)).toBe(3003);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(ingest.counters.counted).toBe(3003);
  });

  test("asks its source to wait while too many events are queued, and releases it", async () => {
    const { ingest } = setup();
    for (const event of edits(40_000)) ingest.onEvent(event);
    const wait = ingest.backpressure();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    await ingest.drain();
    expect(ingest.backpressure()).toBeUndefined();
    expect(ingest.counters.counted).toBe(40_000);
  });

  test("counts events still in flight when closed", async () => {
    const { store, ingest } = setup();
    for (const event of edits(3000)) ingest.onEvent(event);
    await ingest.close();
    expect((await store.stats()).messages).toBe(3000);
    expect(await store.position()).toBe("[2999]");
  });
});
