import { describe, expect, test } from "bun:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { codedEtag, EncodedBody, isCurrent, negotiate, Negotiator } from "./content-coding.ts";

describe("negotiate", () => {
  test.each([
    [null, undefined],
    ["", undefined],
    ["identity", undefined],
    ["gzip", "gzip"],
    ["x-gzip", "gzip"],
    ["gzip, deflate, br", "br"],
    ["gzip, deflate, br, zstd", "br"],
    ["br;q=0.5, gzip", "gzip"],
    ["br;q=0, gzip;q=0", undefined],
    ["*", "br"],
    ["*;q=0.1, br;q=0", "gzip"],
    ["GZIP;Q=0.8", "gzip"],
    ["deflate", undefined],
    ["gzip;q=abc", undefined],
    ["gzip;q=2", undefined],
  ] as const)("Accept-Encoding %p → %p", (header, coding) => {
    expect(negotiate(header)).toBe(coding);
  });
});

describe("EncodedBody", () => {
  const json = Buffer.from(
    JSON.stringify({ by_server_url: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`https://w${i}.org`, i])) }),
  );

  test("compresses once per coding, and each form decodes to the body", () => {
    const body = new EncodedBody(json);
    const gz = body.get("gzip");
    const br = body.get("br");
    expect(body.get("gzip")).toBe(gz);
    expect(body.get("br")).toBe(br);
    expect(body.get(undefined)).toBe(json);
    expect(Buffer.from(gunzipSync(gz)).equals(json)).toBe(true);
    expect(Buffer.from(brotliDecompressSync(br)).equals(json)).toBe(true);
    expect(br.length).toBeLessThan(json.length / 3);
  });
});

describe("entity tags per coding", () => {
  const etag = '"abc123"';

  test("a coding's tag differs from the identity tag, and names it", () => {
    expect(codedEtag(etag, undefined)).toBe(etag);
    expect(codedEtag(etag, "br")).toBe('"abc123-br"');
    expect(codedEtag(etag, "gzip")).toBe('"abc123-gzip"');
  });

  test.each([
    [null, false],
    ['"abc123"', true],
    ['"abc123-br"', true],
    ['W/"abc123-gzip"', true],
    ['"old", "abc123"', true],
    ["*", true],
    ['"abc12"', false],
    ['"abc1234"', false],
    ['"abc123-zstd"', false],
    ['"other-br"', false],
  ] as const)("If-None-Match %p is current: %p", (header, current) => {
    expect(isCurrent(header, etag)).toBe(current);
  });
});

describe("Negotiator", () => {
  test("answers as negotiate() does, asked once or many times", () => {
    const negotiator = new Negotiator();
    const headers = [null, "", "gzip", "br;q=0, gzip", "identity", "*;q=0", "gzip;q=0.5, br;q=0.4", "x-gzip", "GZIP, BR"];
    for (let round = 0; round < 3; round++) {
      for (const header of headers) expect([header, negotiator.coding(header)]).toEqual([header, negotiate(header)]);
    }
  });
});
