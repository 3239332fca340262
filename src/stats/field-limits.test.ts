import { describe, expect, test } from "bun:test";
import { MAX_SERVER_URL_BYTES, MAX_USER_BYTES, serverUrlFits, userFits } from "./field-limits.ts";

describe("field limits", () => {
  test.each([
    ["ASCII at the limit", "x".repeat(MAX_USER_BYTES), true],
    ["ASCII one byte over", "x".repeat(MAX_USER_BYTES + 1), false],
    ["two-byte chars at the limit, half as many chars", `${"ö".repeat(127)}x`, true],
    ["two-byte chars one byte over, fewer chars than the limit", "ö".repeat(128), false],
    ["surrogate pairs (4 bytes) at the limit", `${"😀".repeat(63)}xxx`, true],
    ["surrogate pairs one byte over", "😀".repeat(64), false],
  ])("user: %s", (_name, user, fits) => {
    expect(userFits(user)).toBe(fits);
  });

  test("a server URL is limited in UTF-8 bytes, not chars", () => {
    expect(serverUrlFits(`https://${"a".repeat(MAX_SERVER_URL_BYTES - 8)}`)).toBe(true);
    expect(serverUrlFits(`https://${"a".repeat(MAX_SERVER_URL_BYTES - 7)}`)).toBe(false);
    expect(serverUrlFits(`https://${"ü".repeat(1021)}`)).toBe(false);
  });
});
