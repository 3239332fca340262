import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { classifyBatch, COUNTED, COUNTED_BOT, NO_EVENT_TIME, REJECTED, REJECTIONS } from "../stats/classify.ts";
import { Classifier, INLINE_BUDGET_EVENTS, INLINE_MAX_EVENTS, INLINE_WINDOW_MS } from "./classifier.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-classifier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const payloads = [
  JSON.stringify({
    user: "Ann",
    bot: false,
    server_url: "https://en.wikipedia.org",
    meta: { dt: "2025-05-03T07:46:19Z", uri: "https://en.wikipedia.org/wiki/A" },
  }),
  JSON.stringify({ user: "Bot", bot: true, meta: { dt: "2025-05-03T07:46:20+00:00" } }),
  "{oops",
  "[]",
  JSON.stringify({ meta: { domain: "canary" } }),
];

/** `n` events from the list above, in turn: a batch above INLINE_MAX_EVENTS goes to the worker. */
const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => payloads[(from + i) % payloads.length]!);
const LARGE = INLINE_MAX_EVENTS + 1;

/** A worker whose verdicts say they came from it, so a test can tell where a batch was classified. */
function markingWorker(): string {
  const file = join(dir, "marking-worker.ts");
  writeFileSync(
    file,
    'self.onmessage = (m) => self.postMessage({ kinds: new Uint8Array(m.data.length), timesMs: new Float64Array(0), users: ["worker"], serverUrls: [], pages: [] });\n',
  );
  return pathToFileURL(file).href;
}

describe("Classifier", () => {
  test("gives the verdicts of classifyBatch, in submission order", async () => {
    const classifier = new Classifier(() => {});
    const batches = Array.from({ length: 20 }, (_, i) => events(LARGE + i, i));
    const verdicts = await Promise.all(batches.map((b) => classifier.classify(b)));
    classifier.close();
    expect(verdicts).toEqual(batches.map((b) => classifyBatch(b)));
    expect([...verdicts[0]!.timesMs.slice(0, 2)]).toEqual([Date.UTC(2025, 4, 3, 7, 46, 19), Date.UTC(2025, 4, 3, 7, 46, 20)]);
    expect(verdicts[0]!.pages.slice(0, 2)).toEqual(["https://en.wikipedia.org/wiki/A", undefined]);
    expect([...verdicts[0]!.kinds.slice(0, payloads.length)]).toEqual([
      COUNTED,
      COUNTED_BOT,
      REJECTED + REJECTIONS.indexOf("malformed"),
      REJECTED + REJECTIONS.indexOf("not_object"),
      REJECTED + REJECTIONS.indexOf("canary"),
    ]);
  });

  test("puts an event without meta.dt at the clock of its batch's classification, on the worker as here", async () => {
    const classifier = new Classifier(() => {});
    const undated = (n: number) => Array.from({ length: n }, () => JSON.stringify({ user: "Ann", bot: true }));
    const before = Date.now();
    const verdicts = await Promise.all([classifier.classify(undated(LARGE)), classifier.classify(undated(1))]);
    const after = Date.now();
    classifier.close();
    for (const v of verdicts) {
      expect([...new Set(v.kinds)]).toEqual([COUNTED_BOT | NO_EVENT_TIME]);
      expect(new Set(v.timesMs).size).toBe(1);
      expect(v.timesMs[0]).toBeWithin(before, after + 1);
    }
  });

  test("when the worker fails, reports it once and classifies every batch on this thread", async () => {
    const broken = join(dir, "broken-worker.ts");
    writeFileSync(broken, 'self.onmessage = () => { throw new Error("worker broke"); };\n');
    const errors: unknown[] = [];
    const classifier = new Classifier((error) => errors.push(error), pathToFileURL(broken).href);
    const [a, b] = [events(LARGE), events(LARGE + 1, 1)];
    const first = await Promise.all([classifier.classify(a), classifier.classify(b)]);
    const later = await classifier.classify(a);
    expect(first).toEqual([classifyBatch(a), classifyBatch(b)]);
    expect(later).toEqual(classifyBatch(a));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("worker broke");
  });

  test("classifies a small batch on this thread when the worker has none in flight, and any other batch on the worker, in order", async () => {
    const classifier = new Classifier(() => {}, markingWorker());
    const small = events(INLINE_MAX_EVENTS);
    expect(await classifier.classify(small)).toEqual(classifyBatch(small));
    // A large batch goes to the worker; a small one behind it too, so that answers keep their order.
    const answers = await Promise.all([classifier.classify(events(LARGE)), classifier.classify(small), classifier.classify(events(1))]);
    expect(answers.map((v) => [v.users[0], v.kinds.length])).toEqual([
      ["worker", LARGE],
      ["worker", INLINE_MAX_EVENTS],
      ["worker", 1],
    ]);
    // Once the worker has answered them all, small batches stay here again.
    expect(await classifier.classify(events(1))).toEqual(classifyBatch(events(1)));
    classifier.close();
  });

  test("classifies at most INLINE_BUDGET_EVENTS here per window: under a burst of small batches the rest go to the worker", async () => {
    let now = 0;
    const classifier = new Classifier(
      () => {},
      markingWorker(),
      () => now,
    );
    const where = async (n: number) => ((await classifier.classify(events(n))).users[0] === "worker" ? "worker" : "here");
    // A burst of reads of 50 events each, the worker idle between them: the budget takes the first ones.
    const fits = Math.floor(INLINE_BUDGET_EVENTS / 50);
    const burst: string[] = [];
    for (let i = 0; i < fits + 3; i++) burst.push(await where(50));
    expect(burst).toEqual([...Array<string>(fits).fill("here"), "worker", "worker", "worker"]);
    // Still the same window: the worker again, however small the batch.
    now += INLINE_WINDOW_MS - 1;
    expect(await where(1)).toBe("worker");
    // A new window: small batches stay here again, as at the live stream's pace.
    now += 1;
    expect(await where(50)).toBe("here");
    expect(await where(1)).toBe("here");
    classifier.close();
  });
});
