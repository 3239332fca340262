// classifyBinary must give classify()'s verdict on the UTF-8 text of the same bytes, whatever the bytes.
import { describe, expect, it, test } from "bun:test";
import { fixturePayloads } from "../../test/helpers/fixtures.ts";
import { mulberry32 } from "../../test/helpers/random.ts";
import { classify, classifyBinary, utf8Text } from "./classify.ts";

/** The payload as SseParser's binaryData delivers it, and as the text parser would have. */
const asBinary = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const utf8 = (text: string) => new Uint8Array(Buffer.from(text));
/** Text as UTF-8 with raw bytes between, to write invalid sequences. */
const raw = (...parts: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Uint8Array.from(p)))));

/** One clock for both paths: an event without a usable meta.dt falls at it. */
const NOW = Date.UTC(2025, 4, 3, 8, 0, 0);
const verdictsDiffer = (bytes: Uint8Array) => !Bun.deepEquals(classifyBinary(asBinary(bytes), NOW), classify(asText(bytes), NOW), true);

describe("classifyBinary", () => {
  test("gives classify()'s verdict for every recorded Wikimedia event", () => {
    const payloads = fixturePayloads();
    expect(payloads.length).toBe(248);
    expect(payloads.filter((p) => verdictsDiffer(utf8(p)))).toEqual([]);
    // They carry raw UTF-8 (48 events) and users escaped to non-ASCII chars (6), each of which a binary string must survive.
    expect(payloads.filter((p) => /[^\x00-\x7f]/.test(p)).length).toBe(48);
    expect(payloads.filter((p) => /[^\x00-\x7f]/.test(String((JSON.parse(p) as { user?: unknown }).user))).length).toBe(6);
    // Every one has an event time, and all but the oldest capture's a page.
    const verdicts = payloads.map((p) => classifyBinary(p));
    expect(verdicts.filter((v) => typeof v !== "object" || v.noEventTime)).toEqual([]);
  });

  it.each([
    ["a non-ASCII user", utf8('{"user":"Jörg","bot":false,"server_url":"https://de.wikipedia.org","meta":{"domain":"de.wikipedia.org"}}')],
    ["a non-ASCII server_url", utf8('{"user":"Ann","server_url":"https://xn--80a.example/ü"}')],
    ["a non-ASCII meta.dt", utf8('{"user":"Ann","meta":{"dt":"2025-05-03T07:46:19Z✓"}}')],
    ["a meta.dt with a non-ASCII digit", utf8('{"user":"Ann","meta":{"dt":"2025-05-03T07:46:1٩Z"}}')],
    ["a meta.dt with invalid UTF-8", raw('{"user":"Ann","meta":{"dt":"2025-05-03T07:46:19', [0xff], 'Z"}}')],
    ["a meta.dt escaped to ASCII chars", utf8('{"meta":{"dt":"\\u0032025-05-03T07:46:19\\u005a"}}')],
    ["each meta.dt form", utf8('{"meta":{"dt":"2025-05-03T07:46:19.123+00:00","uri":"https://x.org/é"}}')],
    ["a meta.dt 11 minutes ahead", utf8(`{"meta":{"dt":"${new Date(NOW + 11 * 60_000).toISOString()}"},"user":"é"}`)],
    ["an ASCII meta.uri", utf8('{"meta":{"uri":"https://en.wikipedia.org/wiki/Main_Page","dt":"2025-05-03T07:46:19Z"}}')],
    ["a non-ASCII meta.uri", utf8('{"meta":{"uri":"https://de.wikipedia.org/wiki/Größe_✓"},"user":"Ann"}')],
    ["an astral meta.uri", utf8('{"meta":{"uri":"https://x.org/wiki/😀"}}')],
    ["a meta.uri escaped to non-ASCII chars", utf8('{"meta":{"uri":"https:\\/\\/x.org\\/J\\u00f6rg_\\"q\\""}}')],
    ["a meta.uri escaped to an astral char", utf8('{"meta":{"uri":"https://x.org/\\ud83d\\ude00"}}')],
    ["a meta.uri with invalid UTF-8", raw('{"meta":{"uri":"https://x.org/', [0xc3, 0x28], '"}}')],
    ["a meta.uri that is not a string", utf8('{"meta":{"uri":["é"]},"user":"Ann"}')],
    ["a key that is non-ASCII but close to uri", utf8('{"meta":{"urí":"https://x.org/a","uri":"https://x.org/b"}}')],
    ["a user escaped to a non-ASCII char", utf8('{"user":"Jos\\u00e9"}')],
    ["a user escaped to ASCII chars", utf8('{"user":"\\u0041nn","bot":true}')],
    ["an astral user", utf8('{"user":"😀"}')],
    ["non-ASCII elsewhere only", utf8('{"user":"Ann","title":"日本語","comment":"é"}')],
    ["a key that is non-ASCII but close to user", utf8('{"usér":"Ann","user":"Bob"}')],
    ["a canary with non-ASCII elsewhere", utf8('{"meta":{"domain":"canary"},"title":"é"}')],
    ["malformed, with non-ASCII", utf8('{"user":"é"')],
    ["a string, not an object", utf8('"é"')],
    ["an array", utf8('["é"]')],
    ["a BOM before the object", utf8("\uFEFF{}")],
    ["a no-break space before the object", utf8("\u00A0{}")],
    ["a next-line char after the object", utf8('{"user":"Ann"}\u0085')],
    ["invalid UTF-8 in the user", raw('{"user":"a', [0xff, 0xc3], 'b"}')],
    ["a truncated sequence right before a quote", raw('{"user":"a', [0xe2], '","bot":true}')],
    ["a lone continuation byte outside strings", raw('{"user":"a"', [0x80], "}")],
    ["an overlong encoding of a quote", raw('{"user":"a', [0xc0, 0xa2], '"}')],
  ])("gives classify()'s verdict for %s", (_name, bytes) => {
    expect(classifyBinary(asBinary(bytes), NOW)).toEqual(classify(asText(bytes), NOW));
  });

  test("gives classify()'s verdict for 5,000 recorded events with random bytes inserted or replaced", () => {
    const payloads = fixturePayloads().map(utf8);
    const rand = mulberry32(20261128);
    // Bytes most likely to tell the two decodings apart: UTF-8 leads and continuations, invalid bytes, JSON delimiters.
    const tricky = [0x80, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xe2, 0xef, 0xf0, 0xf4, 0xf8, 0xff, 0x22, 0x5c, 0x2c, 0x3a, 0x7d, 0x20];
    const differing: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const bytes = [...payloads[Math.floor(rand() * payloads.length)]!];
      // Aim half of the changes at a value the verdict keeps (user, meta.uri, meta.dt) or reads.
      const text = Buffer.from(bytes);
      const kept = ['"user"', '"uri"', '"dt"'].map((key) => text.indexOf(key)).filter((at) => at >= 0);
      for (let m = 1 + Math.floor(rand() * 3); m > 0; m--) {
        const keyAt = kept[Math.floor(rand() * kept.length)];
        const at = keyAt !== undefined && rand() < 0.5 ? keyAt + 6 + Math.floor(rand() * 16) : Math.floor(rand() * bytes.length);
        const byte = rand() < 0.8 ? tricky[Math.floor(rand() * tricky.length)]! : Math.floor(rand() * 256);
        if (rand() < 0.5) bytes.splice(at, 0, byte);
        else bytes[at] = byte;
      }
      const mutated = Uint8Array.from(bytes);
      if (verdictsDiffer(mutated)) differing.push(asBinary(mutated).slice(0, 120));
    }
    expect(differing).toEqual([]);
  });

  test("utf8Text decodes a binary string as the text parser decodes its bytes", () => {
    const bytes = raw("a é ✓ 😀 ", [0xff, 0xe2, 0x28]);
    expect(utf8Text(asBinary(bytes))).toBe(asText(bytes));
  });
});
