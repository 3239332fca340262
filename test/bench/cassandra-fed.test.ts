import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addFed, fedEvents } from "./cassandra-fed.ts";
import { processIdentity } from "./common.ts";

const dir = mkdtempSync(join(tmpdir(), "wikitally-fed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("what the bench fed a Cassandra process", () => {
  test("adds up across bench runs for the same process", () => {
    const file = join(dir, "same.json");
    expect(fedEvents("100@5", file)).toBe(0);
    expect(addFed("100@5", 100_000, file)).toBe(100_000);
    expect(addFed("100@5", 100_000, file)).toBe(200_000);
    expect(fedEvents("100@5", file)).toBe(200_000);
  });

  test("starts from zero for another process, even one with the same pid", () => {
    const file = join(dir, "other.json");
    addFed("100@5", 300_000, file);
    expect(fedEvents("100@6", file)).toBe(0);
    expect(addFed("100@6", 100_000, file)).toBe(100_000);
    expect(fedEvents("100@5", file)).toBe(0);
  });

  test("an unreadable record counts as nothing fed", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, "{not json");
    expect(fedEvents("100@5", file)).toBe(0);
  });

  test("a process is named by its pid and start time", () => {
    expect(processIdentity(process.pid)).toMatch(new RegExp(`^${process.pid}@[1-9][0-9]*$`));
  });
});
