// A replayed capture resumes after the saved position: stopped anywhere and started again, it counts each event once.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concatenatedCapture, expectFixtureStats, expectedFigures, pacedCapture } from "../../test/helpers/fixtures.ts";
import { waitFor } from "../../test/helpers/service.ts";
import { createLogger } from "../log/logger.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { FileReplay, replayPosition } from "./file-replay.ts";
import { Ingest } from "./ingest.ts";
import { SseParser } from "./sse-parser.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The in-memory store, also keeping every position it was given. */
class RecordingStore extends MemoryStore {
  readonly positions: string[] = [];
  override setPosition(position: string): void {
    super.setPosition(position);
    this.positions.push(position);
  }
}

function replay(store: MemoryStore, path: string, options: { position?: string | undefined; pace?: "fast" | "recorded" } = {}) {
  const lines: string[] = [];
  const log = createLogger("info", (line) => lines.push(line));
  const source = new FileReplay(
    { path, pace: options.pace ?? "fast", maxEventBytes: 1 << 20, position: options.position },
    new Ingest(store, log),
    log,
  );
  return { source, lines, done: source.run() };
}

describe("FileReplay", () => {
  for (const lineEnd of ["\n", "\r\n"] as const) {
    const path = concatenatedCapture(dir, lineEnd);
    const label = lineEnd === "\n" ? "LF" : "CRLF";

    test(`${label}: a whole replay saves the end of the file as its position, and resuming there counts nothing`, async () => {
      const store = new MemoryStore();
      await replay(store, path).done;
      expectFixtureStats(await store.stats());
      const position = await store.position();
      // After CRLF the position is that of the final LF (see SseParser.offset).
      expect(position).toBe(replayPosition(readFileSync(path).length - (lineEnd === "\r\n" ? 1 : 0)));
      const again = new MemoryStore();
      const second = replay(again, path, { position });
      await second.done;
      expect((await again.stats()).messages).toBe(0);
      expect(second.lines.some((l) => l.includes("resuming replay after the saved position"))).toBe(true);
    });

    test(`${label}: stopped after any event and resumed from its position, every event counts exactly once`, async () => {
      const bytes = readFileSync(path);
      // Where each event ends, by the parser alone; the replay must resume at any of them.
      const parser: SseParser = new SseParser({ onEvent: () => ends.push(replayPosition(parser.offset)) });
      const ends: string[] = [];
      parser.push(bytes);
      const { messages } = expectedFigures();
      expect(ends).toHaveLength(messages);
      const recorder = new RecordingStore();
      await replay(recorder, path).done;
      expect(recorder.positions.at(-1)).toBe(ends.at(-1));
      for (const k of [0, 1, 2, 3, 50, 103, 104, 105, 200, messages - 2]) {
        const position = ends[k]!;
        const offset = Number(position.slice("file-offset:".length));
        // The first run saw the file only up to that event (as if stopped there), the second resumes.
        const prefix = join(dir, `prefix-${label}-${k}.sse`);
        writeFileSync(prefix, bytes.subarray(0, offset));
        const store = new MemoryStore();
        await replay(store, prefix).done;
        expect((await store.stats()).messages).toBe(k + 1);
        expect(await store.position()).toBe(position);
        await replay(store, path, { position }).done;
        expectFixtureStats(await store.stats());
      }
    });
  }

  test("a replay at the recorded pace, stopped midway and resumed, ends exact", async () => {
    const path = pacedCapture(dir, 8);
    const store = new MemoryStore();
    const first = replay(store, path, { pace: "recorded" });
    await waitFor(
      () => store.stats(),
      (s) => s.messages >= 40,
      10_000,
      "part of the replay",
    );
    await first.source.stop();
    await first.done;
    const counted = (await store.stats()).messages;
    expect(counted).toBeLessThan(expectedFigures().messages);
    await replay(store, path, { pace: "recorded", position: await store.position() }).done;
    expectFixtureStats(await store.stats());
  });

  test.each([
    ["an SSE id", '[{"topic":"eqiad.mediawiki.recentchange","partition":0,"offset":5}]'],
    ["an offset inside a line", replayPosition(10)],
    ["an offset past the end", replayPosition(10_000_000)],
    ["offset zero", replayPosition(0)],
  ])("a saved position that does not fit the capture (%s) replays it from the start, with a warning", async (_name, position) => {
    const store = new MemoryStore();
    const run = replay(store, concatenatedCapture(dir), { position });
    await run.done;
    expectFixtureStats(await store.stats());
    expect(run.lines.some((l) => l.includes("does not fit this capture"))).toBe(true);
  });
});
