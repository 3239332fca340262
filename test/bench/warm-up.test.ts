import { describe, expect, test } from "bun:test";
import { warmedUp } from "./ingest-cassandra.ts";

describe("the Cassandra warm-up is settled", () => {
  test("only after five runs", () => {
    expect(warmedUp([5, 5, 5, 5])).toBe(false);
    expect(warmedUp([5, 5, 5, 5, 5])).toBe(true);
  });

  test("when the last two runs are near the cheapest so far, not merely near each other", () => {
    // Seen on a fresh Cassandra: the last two agree, at twice the cost of the second run.
    expect(warmedUp([15.3, 8.5, 18.6, 16.6, 18.1])).toBe(false);
    expect(warmedUp([12.1, 8.8, 5.2, 5.4, 5.2])).toBe(true);
  });

  test("not when only the last run is near the cheapest", () => {
    expect(warmedUp([12, 11, 10, 9, 5])).toBe(false);
    expect(warmedUp([12, 11, 10, 5.7, 5])).toBe(true);
    expect(warmedUp([12, 11, 10, 5.8, 5])).toBe(false);
  });
});
