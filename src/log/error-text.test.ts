import { describe, expect, it } from "bun:test";
import { errorText, firstLine } from "./error-text.ts";

describe("firstLine", () => {
  it("keeps the first line only, trimmed", () => {
    expect(firstLine("  boom  \n    at stack (x.ts:1)")).toBe("boom");
    expect(firstLine("one line")).toBe("one line");
  });
});

describe("errorText", () => {
  it("reads an Error's message, or whatever else was thrown", () => {
    expect(errorText(new Error("bad\nstack"))).toBe("bad");
    expect(errorText("plain")).toBe("plain");
    expect(errorText(42)).toBe("42");
  });
});
