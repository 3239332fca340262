import { describe, expect, test } from "bun:test";
import { loginResult } from "./request-observer.ts";

describe("loginResult", () => {
  test.each([
    [200, "success"],
    [401, "invalid_credentials"],
    [429, "rate_limited"],
    [503, "unavailable"],
    [400, "bad_request"],
    [413, "bad_request"],
    [405, "bad_request"],
  ] as const)("%d is %s", (status, result) => {
    expect(loginResult(status)).toBe(result);
  });
});
