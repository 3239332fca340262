// Tests for the SSE parser: WHATWG rules one by one, then chunking properties over real Wikimedia captures.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { MAX_ID_BYTES, SseParser, type SseEvent, type SseParserOptions } from "./sse-parser.ts";
import { expectedMessagesPerFile, fixtureFiles } from "../../test/helpers/fixtures.ts";
import { mulberry32 } from "../../test/helpers/random.ts";

interface Result {
  events: SseEvent[];
  retries: number[];
  oversized: number[];
  oversizedIds: number;
  /** parser.offset as each event was dispatched. */
  ends: number[];
  discarded: boolean;
  lastEventId: string;
}

const enc = new TextEncoder();
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  concat(parts.map((p) => (typeof p === "string" ? enc.encode(p) : Uint8Array.from(p))));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function parse(chunks: (Uint8Array | string)[], options?: SseParserOptions): Result {
  const r: Result = { events: [], retries: [], oversized: [], oversizedIds: 0, ends: [], discarded: false, lastEventId: "" };
  const parser: SseParser = new SseParser(
    {
      onEvent: (e) => {
        r.events.push(e);
        r.ends.push(parser.offset);
      },
      onRetry: (ms) => r.retries.push(ms),
      onOversized: (n) => r.oversized.push(n),
      onOversizedId: () => r.oversizedIds++,
    },
    options,
  );
  for (const c of chunks) parser.push(typeof c === "string" ? enc.encode(c) : c);
  r.discarded = parser.end();
  r.lastEventId = parser.lastEventId;
  return r;
}

const msg = (data: string, lastEventId = "", type = "message"): SseEvent => ({ type, data, lastEventId });
const datas = (r: Result): string[] => r.events.map((e) => e.data);

function splitAt(b: Uint8Array, ...cuts: number[]): Uint8Array[] {
  const bounds = [0, ...cuts, b.length];
  return bounds.slice(1).map((end, i) => b.subarray(bounds[i], end));
}

/** Random pieces, mostly tiny (to cut inside lines and characters) with some large ones. */
function randomChunks(b: Uint8Array, seed: number): Uint8Array[] {
  const rand = mulberry32(seed);
  const chunks: Uint8Array[] = [];
  for (let pos = 0; pos < b.length; ) {
    const size = rand() < 0.7 ? 1 + Math.floor(rand() * 8) : 1 + Math.floor(rand() * 4096);
    chunks.push(b.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

/** Field-by-field, since toEqual on thousands of chunkings per test would dominate the run time. */
function same(a: Result, b: Result): boolean {
  const { events: ea, ...ra } = a;
  const { events: eb, ...rb } = b;
  if (ea.length !== eb.length || JSON.stringify(ra) !== JSON.stringify(rb)) return false;
  return ea.every((e, i) => e.type === eb[i]!.type && e.data === eb[i]!.data && e.lastEventId === eb[i]!.lastEventId);
}

/** Runs each chunking of `input` and lists those whose result differs from `expected`. */
function mismatches(input: Uint8Array, expected: Result, chunkings: Iterable<[string, Uint8Array[]]>): string[] {
  const bad: string[] = [];
  for (const [label, chunks] of chunkings) if (!same(parse(chunks), expected)) bad.push(label);
  if (bad.length > 0) expect(parse(chunkingOf(input, bad[0]!))).toEqual(expected);
  return bad;
}
const chunkingOf = (input: Uint8Array, label: string): Uint8Array[] =>
  label.startsWith("seed ") ? randomChunks(input, Number(label.slice(5))) : splitAt(input, ...label.split(",").map(Number));

function* everySplit(b: Uint8Array, upTo = b.length): Generator<[string, Uint8Array[]]> {
  for (let i = 0; i <= upTo; i++) yield [String(i), splitAt(b, i)];
}

const replaceLf = (b: Uint8Array, with_: number[]): Uint8Array =>
  concat(Array.from(b, (c) => (c === 0x0a ? Uint8Array.from(with_) : Uint8Array.of(c))));

describe("line ends", () => {
  const body = "data: a\n\ndata: b\r\rdata: c\r\n\r\ndata: d\ndata: e\r\n\rdata: f\r\n\n";
  test("LF, CR, CRLF and mixed each end a line", () => {
    expect(datas(parse([body]))).toEqual(["a", "b", "c", "d\ne", "f"]);
  });

  test("a CR ending one chunk and an LF starting the next are one line end", () => {
    expect(datas(parse(["data: a\r", "\ndata: b\r\n\r\n"]))).toEqual(["a\nb"]);
    expect(datas(parse(["data: a\r", new Uint8Array(0), "\ndata: b\r", "\n\r", "\n"]))).toEqual(["a\nb"]);
  });

  test("a CR ending one chunk and a CR starting the next are two line ends", () => {
    expect(datas(parse(["data: a\r", "\rdata: b\r\r"]))).toEqual(["a", "b"]);
  });

  test("every split of the mixed body gives the same events", () => {
    const input = enc.encode(body);
    const expected = parse([input]);
    const pairs: [string, Uint8Array[]][] = [];
    for (let i = 0; i <= input.length; i++) for (let j = i; j <= input.length; j++) pairs.push([`${i},${j}`, splitAt(input, i, j)]);
    expect(mismatches(input, expected, pairs)).toEqual([]);
  });
});

describe("fields", () => {
  test("comments are ignored, also inside an event", () => {
    expect(parse([":hello\n: data: x\n\ndata: a\n:c\ndata: b\n\n"]).events).toEqual([msg("a\nb")]);
  });

  test("exactly one leading space of the value is stripped", () => {
    expect(datas(parse(["data:a\n\ndata: a\n\ndata:  a\n\ndata: \n\n"]))).toEqual(["a", "a", " a", ""]);
  });

  test("a line without a colon is a field with an empty value", () => {
    expect(parse(["data\n\n"]).events).toEqual([msg("")]);
    expect(parse(["data\ndata\n\n"]).events).toEqual([msg("\n")]);
    expect(parse(["event: x\nevent\ndata: a\n\n"]).events).toEqual([msg("a")]);
  });

  test("the value is split at the first colon only", () => {
    expect(parse(['event: a:b\ndata: {"k": 1}\nid: x: y\n\n']).events).toEqual([msg('{"k": 1}', "x: y", "a:b")]);
  });

  test("multi-line data is joined with \\n, without a trailing one", () => {
    expect(parse(["data: one\ndata:\ndata: three\n\n"]).events).toEqual([msg("one\n\nthree")]);
  });

  test("event sets the type for one event only; unknown fields and other cases are ignored", () => {
    const r = parse(["event: error\ndata: x\n\ndata: y\nfoo: bar\nData: z\nEVENT: q\n data: w\n\n"]);
    expect(r.events).toEqual([msg("x", "", "error"), msg("y")]);
  });

  test("a block without data dispatches nothing and resets the type", () => {
    const r = parse(["event: ping\n\nevent: other\nid: 1\n\n\n\ndata: x\n\n"]);
    expect(r.events).toEqual([msg("x", "1")]);
  });

  test("retry is reported only when it is all ASCII digits", () => {
    const r = parse(["retry: 3000\nretry:0\nretry: 3s\nretry: -1\nretry: 1.5\nretry:\nretry:  5\nretry: ３\nretry: 0042\n\n"]);
    expect(r.retries).toEqual([3000, 0, 42]);
    expect(r.events).toEqual([]);
  });

  test("invalid UTF-8 becomes U+FFFD", () => {
    expect(datas(parse([bytes("data: a", [0xff, 0xc3], "b", [0xe6, 0x97], "\n\n")]))).toEqual(["a\uFFFD\uFFFDb\uFFFD"]);
  });
});

describe("last event ID", () => {
  test("id persists across events until changed, and an empty id clears it", () => {
    const r = parse(["id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\n\n"]);
    expect(r.events).toEqual([msg("a", "1"), msg("b", "1"), msg("c", "")]);
    expect(r.lastEventId).toBe("2");
  });

  test("an id containing U+0000 is ignored", () => {
    expect(parse(["id: 1\n\nid: a\0b\ndata: x\n\n"]).events).toEqual([msg("x", "1")]);
  });

  test("an id longer than 1 KiB is ignored and reported; the previous id stays and the event still counts", () => {
    const long = "x".repeat(MAX_ID_BYTES + 1);
    const input = enc.encode(`id: 1\ndata: a\n\nid: ${long}\ndata: b\n\nid:${long}\ndata: c\n\n`);
    const r = parse([input]);
    expect(r.events).toEqual([msg("a", "1"), msg("b", "1"), msg("c", "1")]);
    expect(r.oversizedIds).toBe(2);
    expect(r.lastEventId).toBe("1");
    expect(mismatches(input, r, everySplit(input))).toEqual([]);
  });

  test("the 1 KiB limit is on the value's UTF-8 bytes, its one leading space not included", () => {
    const max = "x".repeat(MAX_ID_BYTES);
    expect(parse([`id: ${max}\ndata: a\n\nid:${max}\ndata: b\n\n`])).toMatchObject({
      events: [msg("a", max), msg("b", max)],
      oversizedIds: 0,
    });
    // 342 three-byte characters: 1026 bytes in only 342 UTF-16 units.
    const wide = "✓".repeat(342);
    expect(parse([`id: 7\n\nid: ${wide}\ndata: c\n\n`])).toMatchObject({ events: [msg("c", "7")], oversizedIds: 1 });
  });

  test("a huge id, even above the event size limit, is dropped while it arrives and costs the event nothing", () => {
    const events: SseEvent[] = [];
    let oversizedIds = 0;
    const parser = new SseParser(
      { onEvent: (e) => events.push(e), onOversizedId: () => oversizedIds++ },
      { maxEventBytes: 4096, lastEventId: "kept" },
    );
    const piece = enc.encode("9".repeat(1000));
    parser.push(enc.encode("data: a\nid: "));
    for (let i = 0; i < 2000; i++) {
      parser.push(piece);
      // White-box: the carried-over line stays within the longest acceptable id line.
      // biome-ignore lint/complexity/useLiteralKeys: the bracket reads a private field, which the test inspects on purpose
      expect(parser["tailBytes"]).toBeLessThanOrEqual(MAX_ID_BYTES + 4);
    }
    parser.push(enc.encode("\ndata: b\n\n"));
    expect(events).toEqual([msg("a\nb", "kept")]);
    expect(oversizedIds).toBe(1);
    // A whole 1 MiB id line in one chunk, with the default 1 MiB event limit.
    expect(parse([`data: c\nid: ${"9".repeat(1 << 20)}\n\n`])).toMatchObject({ events: [msg("c")], oversized: [], oversizedIds: 1 });
  });

  test("is committed by the blank line, is seeded by the options and survives end()", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e) }, { lastEventId: "seed" });
    expect(parser.lastEventId).toBe("seed");
    parser.push(enc.encode("data: a\n\nid: 7\n"));
    expect(parser.lastEventId).toBe("seed");
    parser.push(enc.encode("data: b\n\nid: 8\ndata: lost\n"));
    expect(parser.lastEventId).toBe("7");
    expect(parser.end()).toBe(true);
    expect(parser.lastEventId).toBe("7");
    parser.push(enc.encode("data: c\n\n"));
    expect(events).toEqual([msg("a", "seed"), msg("b", "7"), msg("c", "7")]);
  });
});

describe("BOM", () => {
  const BOM = [0xef, 0xbb, 0xbf];

  test("a leading BOM is skipped, also when split byte by byte", () => {
    const input = bytes(BOM, "data: a\n\n");
    expect(parse([input]).events).toEqual([msg("a")]);
    expect(parse(splitAt(input, 1, 2, 3)).events).toEqual([msg("a")]);
  });

  test("only one BOM is skipped, and only at the start", () => {
    // With the BOM kept, the field name is "\uFEFFdata", an unknown field.
    expect(parse([bytes(BOM, BOM, "data: a\n\ndata: b\n\n")]).events).toEqual([msg("b")]);
    expect(parse([bytes("data: a\n\n", BOM, "data: b\n\n")]).events).toEqual([msg("a")]);
  });

  test("bytes that begin like a BOM but are not one are kept", () => {
    expect(parse([[0xef, 0xbb], "\ndata: a\n\n"].map((p) => bytes(p)))).toMatchObject({ events: [msg("a")], discarded: false });
    expect(parse([bytes([0xef]), bytes([0xbb]), bytes("data: a\n\n")]).events).toEqual([]);
    expect(parse([bytes([0xef, 0xbb])]).discarded).toBe(true);
  });

  test("a stream restarted after end() may start with a BOM again", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e) });
    parser.push(bytes(BOM, "data: a\n\n"));
    parser.end();
    parser.push(bytes([BOM[0]!]));
    parser.push(bytes(BOM.slice(1), "data: b\n\n"));
    expect(events).toEqual([msg("a"), msg("b")]);
  });
});

describe("end of stream", () => {
  test("a complete stream reports nothing discarded", () => {
    expect(parse(["data: a\n\n"]).discarded).toBe(false);
    expect(parse([]).discarded).toBe(false);
    expect(parse(["data: a\n\n:comment in progress"]).discarded).toBe(false);
    expect(parse(["data: a\n\nevent: x\n"]).discarded).toBe(false);
  });

  test("a trailing incomplete event is not dispatched and is reported", () => {
    for (const tail of ["data: b\n", "data: b", "data: b\n:c\n", "dat", "event: x\nid"]) {
      const r = parse(["data: a\n\n", tail]);
      expect({ tail, events: r.events, discarded: r.discarded }).toEqual({ tail, events: [msg("a")], discarded: true });
    }
  });

  test("state other than the last event ID is reset", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e) });
    parser.push(enc.encode("event: x\ndata: a\r"));
    expect(parser.end()).toBe(true);
    parser.push(enc.encode("\ndata: b\n\n"));
    expect(parser.end()).toBe(false);
    expect(events).toEqual([msg("b")]);
  });

  test("a chunk reused by the caller after push does not corrupt the carried-over line", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e) });
    const chunk = enc.encode("data: hel");
    parser.push(chunk);
    chunk.fill(0x78);
    parser.push(enc.encode("lo\n\n"));
    expect(events).toEqual([msg("hello")]);
  });
});

describe("size limit", () => {
  const line = (n: number) => `data: ${"x".repeat(n - 6)}`;

  test("an event exactly at the limit is kept", () => {
    expect(parse([`${line(100)}\n\n`], { maxEventBytes: 100 }).events).toHaveLength(1);
    expect(parse([`${line(50)}\n${line(50)}\n\n`], { maxEventBytes: 100 }).events).toHaveLength(1);
  });

  test("an oversized event is reported instead of dispatched, and the next one is parsed", () => {
    for (const chunks of [
      [`${line(50)}\n${line(40)}\n${line(40)}\nid: 3\n\ndata: next\n\n`],
      [`${line(50)}\n`, `${line(40)}\n${line(20)}`, `${line(20)}\nid: 3\n`, `\ndata: next\n\n`],
    ]) {
      const r = parse(chunks, { maxEventBytes: 100 });
      expect(r.events).toEqual([msg("next")]);
      expect(r.oversized).toHaveLength(1);
      expect(r.oversized[0]).toBeGreaterThan(100);
      expect(r.discarded).toBe(false);
    }
  });

  test("the limit counts the event's data, not the whole stream", () => {
    const r = parse([`${line(80)}\n\n`.repeat(1000)], { maxEventBytes: 100 });
    expect(r.events).toHaveLength(1000);
    expect(r.oversized).toEqual([]);
  });

  test("an enormous line is dropped while it arrives, never buffered", () => {
    const events: SseEvent[] = [];
    const oversized: number[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e), onOversized: (n) => oversized.push(n) }, { maxEventBytes: 64 });
    const piece = enc.encode("y".repeat(1000));
    parser.push(enc.encode("data: "));
    for (let i = 0; i < 10_000; i++) {
      parser.push(piece);
      // White-box: the carried-over line must stay within the limit.
      // biome-ignore lint/complexity/useLiteralKeys: the bracket reads a private field, which the test inspects on purpose
      expect(parser["tailBytes"]).toBeLessThanOrEqual(64);
    }
    parser.push(enc.encode("\n\ndata: after\n\n"));
    expect(events).toEqual([msg("after")]);
    expect(oversized).toEqual([10_000_006]);
  });

  test("an enormous line inside one chunk is dropped too", () => {
    const r = parse([`data: a\n${line(10_000)}\n\ndata: b\n\n`], { maxEventBytes: 64 });
    expect(r.events).toEqual([msg("b")]);
    expect(r.oversized).toHaveLength(1);
  });

  test("an enormous comment is skipped without costing the event", () => {
    const r = parse(["data: a\n:", "c".repeat(5000), "c".repeat(5000), "\ndata: b\n\n"], { maxEventBytes: 64 });
    expect(r.events).toEqual([msg("a\nb")]);
    expect(r.oversized).toEqual([]);
  });

  test("end() during an oversized event reports it discarded", () => {
    const r = parse([line(200)], { maxEventBytes: 64 });
    expect(r).toMatchObject({ events: [], oversized: [], discarded: true });
  });

  test("a non-positive limit is rejected", () => {
    expect(() => new SseParser({ onEvent() {} }, { maxEventBytes: 0 })).toThrow(RangeError);
  });
});

describe("offset", () => {
  test("read in onEvent, it is the stream offset where the next event starts, a BOM included", () => {
    // After CRLF the offset is that of the LF: a stream resumed there opens with an empty line, which dispatches nothing.
    expect(parse([bytes([0xef, 0xbb, 0xbf], "data: a\n\n:c\ndata: b\r\n\r\n")]).ends).toEqual([12, 25]);
    expect(parse(["data: a\r\r"]).ends).toEqual([9]);
  });

  test("counts from zero again after end()", () => {
    const ends: number[] = [];
    const parser: SseParser = new SseParser({ onEvent: () => ends.push(parser.offset) });
    parser.push(enc.encode("data: a\n\n"));
    parser.end();
    parser.push(enc.encode("data: bb\n\n"));
    expect(ends).toEqual([9, 10]);
  });

  test("with atStart false, a leading BOM is content, as anywhere else in a stream", () => {
    expect(parse([bytes([0xef, 0xbb, 0xbf], "data: a\n\ndata: b\n\n")], { atStart: false }).events).toEqual([msg("b")]);
  });
});

describe("multi-byte UTF-8", () => {
  const input = bytes([0xef, 0xbb, 0xbf], "event: 日本語\r\nid: ✓-1\r\ndata: 日本語 ✓ 😀\r\ndata:😀\r\n\r\n:ü\rdata: é\n\n");

  test("decodes characters of every length", () => {
    expect(parse([input]).events).toEqual([msg("日本語 ✓ 😀\n😀", "✓-1", "日本語"), msg("é", "✓-1")]);
  });

  test("splitting at every pair of byte positions gives the same events", () => {
    const expected = parse([input]);
    const pairs: [string, Uint8Array[]][] = [];
    for (let i = 0; i <= input.length; i++) for (let j = i; j <= input.length; j++) pairs.push([`${i},${j}`, splitAt(input, i, j)]);
    expect(mismatches(input, expected, pairs)).toEqual([]);
  });
});

describe("binary data", () => {
  const binary = (text: string) => Buffer.from(text).toString("latin1");
  const input = bytes([0xef, 0xbb, 0xbf], "event: 日本語\r\nid: ✓-1\r\ndata: 日本語 ✓ 😀\r\ndata:😀\r\n\r\n:ü\rdata: é\n\n");
  const binaryParse = (chunks: Uint8Array[]) => parse(chunks, { binaryData: true });

  test("delivers each byte of data as one char; the type and id are decoded as ever", () => {
    expect(binaryParse([input]).events).toEqual([msg(binary("日本語 ✓ 😀\n😀"), "✓-1", "日本語"), msg(binary("é"), "✓-1")]);
  });

  test("keeps invalid UTF-8 as it came", () => {
    expect(datas(binaryParse([bytes("data: a", [0xff, 0xc3], "b", [0xe6, 0x97], "\n\n")]))).toEqual(["a\xff\xc3b\xe6\x97"]);
  });

  test("splitting at every pair of byte positions gives the same events (lines joined across chunks included)", () => {
    const expected = JSON.stringify(binaryParse([input]));
    const bad: string[] = [];
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) if (JSON.stringify(binaryParse(splitAt(input, i, j))) !== expected) bad.push(`${i},${j}`);
    }
    expect(bad).toEqual([]);
  });

  test("every Wikimedia capture, in random chunks, gives the bytes of the text parse's data", () => {
    const all = concat(fixtureFiles().map((path) => new Uint8Array(readFileSync(path))));
    const text = parse([all]).events;
    const events = binaryParse(randomChunks(all, 11)).events;
    expect(events.map((e) => ({ ...e, data: Buffer.from(e.data, "latin1").toString("utf8") }))).toEqual(text);
    expect(events.some((e) => /[^\x00-\x7f]/.test(e.data))).toBe(true);
  });
});

describe("Wikimedia captures", () => {
  const files = fixtureFiles().map((path) => ({ name: basename(path), input: new Uint8Array(readFileSync(path)) }));
  const perFile = expectedMessagesPerFile();
  const total = Object.values(perFile).reduce((a, b) => a + b, 0);
  const reference = new Map(files.map((f) => [f.name, parse([f.input])]));
  const SMALL = 10_000;
  const PREFIX = 20_000;

  test("reference parse: every capture parses to PROVENANCE.md's message count, all well formed", () => {
    expect(files.map((f) => f.name).sort()).toEqual(Object.keys(perFile).sort());
    const counts = Object.fromEntries(files.map((f) => [f.name, reference.get(f.name)!.events.length]));
    expect(counts).toEqual(perFile);
    for (const r of reference.values()) {
      expect(r).toMatchObject({ discarded: false, retries: [], oversized: [] });
      for (const e of r.events) {
        expect(e.type).toBe("message");
        expect(typeof JSON.parse(e.data)).toBe("object");
      }
    }
    const ids = reference.get("wiki-visualizer_2022-12-11.sse")!.events.map((e) => e.lastEventId);
    expect(ids.every((id) => id.startsWith('[{"topic":"eqiad.mediawiki.recentchange"'))).toBe(true);
  });

  for (const [variant, lineEnd] of [
    ["LF", [0x0a]],
    ["CRLF", [0x0d, 0x0a]],
    ["CR", [0x0d]],
  ] as const) {
    describe(`${variant} line ends`, () => {
      for (const file of files) {
        const input = variant === "LF" ? file.input : replaceLf(file.input, [...lineEnd]);
        // The offsets are this file's own; everything else must equal the LF reference.
        const own = parse([input]);
        const expected = { ...reference.get(file.name)!, ends: own.ends };

        test(`${file.name}: converted file parses to the reference events`, () => {
          expect(own).toEqual(expected);
        });

        test(`${file.name}: parsing resumed at the offset after any event gives exactly the events after it`, () => {
          expect(own.ends).toHaveLength(own.events.length);
          for (let k = 0; k < own.events.length; k += 5) {
            const rest = parse([input.subarray(own.ends[k])], { atStart: false });
            expect(rest.events.map((e) => e.data)).toEqual(own.events.slice(k + 1).map((e) => e.data));
            expect(rest.discarded).toBe(false);
          }
        });

        test(`${file.name}: split into two at every position${input.length > SMALL ? " of a prefix, and at random ones" : ""}`, () => {
          if (input.length <= SMALL) return void expect(mismatches(input, expected, everySplit(input))).toEqual([]);
          // Cut the prefix after a whole event so that it has reference events of its own.
          const blank = variant === "CRLF" ? "\r\n\r\n" : variant === "CR" ? "\r\r" : "\n\n";
          const prefix = input.subarray(0, Buffer.from(input).indexOf(blank, PREFIX) + blank.length);
          const prefixExpected = parse([prefix]);
          expect(prefixExpected.events.length).toBeGreaterThan(5);
          expect(prefixExpected.events).toEqual(expected.events.slice(0, prefixExpected.events.length));
          expect(mismatches(prefix, prefixExpected, everySplit(prefix))).toEqual([]);
          const rand = mulberry32(input.length);
          const cuts = Array.from({ length: 300 }, () => Math.floor(rand() * (input.length + 1)));
          expect(
            mismatches(
              input,
              expected,
              cuts.map((c): [string, Uint8Array[]] => [String(c), splitAt(input, c)]),
            ),
          ).toEqual([]);
        });

        test(`${file.name}: random chunkings`, () => {
          const seeds = [1, 2, 3, 42, 1337, 20250503];
          expect(
            mismatches(
              input,
              expected,
              seeds.map((s): [string, Uint8Array[]] => [`seed ${s}`, randomChunks(input, s)]),
            ),
          ).toEqual([]);
        });
      }
    });
  }

  test("one byte at a time", () => {
    const file = files.find((f) => f.name.startsWith("polars-guide"))!;
    const chunks = Array.from({ length: file.input.length }, (_, i) => file.input.subarray(i, i + 1));
    expect(parse(chunks)).toEqual(reference.get(file.name)!);
  });

  test("all captures in one stream, in many chunks", () => {
    const all = concat(files.map((f) => f.input));
    const r = parse(randomChunks(all, 7));
    expect(r.events).toHaveLength(total);
    expect(r.events).toEqual(files.flatMap((f) => reference.get(f.name)!.events));
  });
});
