import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { classifyBatch, COUNTED, COUNTED_BOT, REJECTED, REJECTIONS } from "../stats/classify.ts";
import { Classifier, INLINE_MAX_EVENTS } from "./classifier.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-classifier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const payloads = [
  JSON.stringify({ user: "Ann", bot: false, server_url: "https://en.wikipedia.org" }),
  JSON.stringify({ user: "Bot", bot: true }),
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
  writeFileSync(file, 'self.onmessage = (m) => self.postMessage({ kinds: new Uint8Array(m.data.length), users: [], serverUrls: [], lastDt: "worker" });\n');
  return pathToFileURL(file).href;
}

describe("Classifier", () => {
  test("gives the verdicts of classifyBatch, in submission order", async () => {
    const classifier = new Classifier(() => {});
    const batches = Array.from({ length: 20 }, (_, i) => events(LARGE + i, i));
    const verdicts = await Promise.all(batches.map((b) => classifier.classify(b)));
    classifier.close();
    expect(verdicts).toEqual(batches.map((b) => classifyBatch(b)));
    expect([...verdicts[0]!.kinds.slice(0, payloads.length)]).toEqual([COUNTED, COUNTED_BOT, REJECTED + REJECTIONS.indexOf("malformed"),
      REJECTED + REJECTIONS.indexOf("not_object"), REJECTED + REJECTIONS.indexOf("canary")]);
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
    expect(answers.map((v) => [v.lastDt, v.kinds.length])).toEqual([["worker", LARGE], ["worker", INLINE_MAX_EVENTS], ["worker", 1]]);
    // Once the worker has answered them all, small batches stay here again.
    expect(await classifier.classify(events(1))).toEqual(classifyBatch(events(1)));
    classifier.close();
  });
});
