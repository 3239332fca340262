import { describe, expect, test } from "bun:test";
import { createLogger } from "../log/logger.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { Ingest } from "./ingest.ts";

function setup() {
  const lines: string[] = [];
  const store = new MemoryStore();
  const ingest = new Ingest(store, createLogger("debug", (line) => lines.push(line)));
  return { store, ingest, lines };
}

const edit = JSON.stringify({ meta: { domain: "en.wikipedia.org" }, user: "Ann", bot: false, server_url: "https://en.wikipedia.org" });

describe("Ingest", () => {
  test("counts a message and moves the stream position past it", async () => {
    const { store, ingest } = setup();
    ingest.onEvent({ type: "message", data: edit, lastEventId: "[1]" });
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
    expect(ingest.counters[counter]).toBe(1);
    expect(ingest.counters.counted).toBe(0);
    expect((await store.stats()).messages).toBe(0);
    expect(await store.position()).toBe("[7]");
  });

  test("logs skipped events at a bounded rate, with the number suppressed", () => {
    const { ingest, lines } = setup();
    for (let i = 0; i < 100; i++) ingest.onEvent({ type: "message", data: "{oops", lastEventId: "" });
    expect(ingest.counters.malformed).toBe(100);
    expect(lines.length).toBe(10);
  });

  test("tallies events cut by a closed connection and oversized events", () => {
    const { ingest } = setup();
    ingest.onIncomplete();
    ingest.onOversized(2_000_000);
    expect(ingest.counters).toMatchObject({ incomplete: 1, oversized: 1, counted: 0 });
  });
});
