import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { classifyBatch, COUNTED, COUNTED_BOT, REJECTED, REJECTIONS } from "../stats/classify.ts";
import { Classifier } from "./classifier.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-classifier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const payloads = [
  JSON.stringify({ user: "Ann", bot: false, server_url: "https://en.wikipedia.org" }),
  JSON.stringify({ user: "Bot", bot: true }),
  "{oops",
  "[]",
  JSON.stringify({ meta: { domain: "canary" } }),
];

describe("Classifier", () => {
  test("gives the verdicts of classifyBatch, in submission order", async () => {
    const classifier = new Classifier(() => {});
    const batches = Array.from({ length: 20 }, (_, i) => payloads.slice(i % payloads.length));
    const verdicts = await Promise.all(batches.map((b) => classifier.classify(b)));
    classifier.close();
    expect(verdicts).toEqual(batches.map((b) => classifyBatch(b)));
    expect([...verdicts[0]!.kinds]).toEqual([COUNTED, COUNTED_BOT, REJECTED + REJECTIONS.indexOf("malformed"),
      REJECTED + REJECTIONS.indexOf("not_object"), REJECTED + REJECTIONS.indexOf("canary")]);
  });

  test("when the worker fails, reports it once and classifies every batch on this thread", async () => {
    const broken = join(dir, "broken-worker.ts");
    writeFileSync(broken, 'self.onmessage = () => { throw new Error("worker broke"); };\n');
    const errors: unknown[] = [];
    const classifier = new Classifier((error) => errors.push(error), pathToFileURL(broken).href);
    const first = await Promise.all([classifier.classify(payloads), classifier.classify(payloads.slice(1))]);
    const later = await classifier.classify(payloads);
    expect(first).toEqual([classifyBatch(payloads), classifyBatch(payloads.slice(1))]);
    expect(later).toEqual(classifyBatch(payloads));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("worker broke");
  });
});
