import { describe, expect, it } from "bun:test";
import { changeEvent } from "../../test/helpers/events.ts";
import type { WindowEvent } from "../windows/types.ts";
import { classify, type Counted } from "./classify.ts";
import { Tally } from "./tally.ts";
import type { ChangeEvent } from "./types.ts";

const edit = (fields: Record<string, unknown>) => JSON.stringify({ meta: { domain: "en.wikipedia.org" }, type: "edit", ...fields });
/** The clock at classification, and an event time well before it. */
const NOW = Date.UTC(2025, 4, 3, 8, 0, 0);
const AT = Date.UTC(2025, 4, 3, 7, 46, 19);
/** An event with a meta.dt and meta.uri besides its domain. */
const withMeta = (meta: Record<string, unknown>, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ meta: { domain: "en.wikipedia.org", ...meta }, user: "Ann", ...fields });
/** The verdict for an event without meta.dt or meta.uri: at its arrival, NOW. */
const arrived = (fields: Pick<ChangeEvent, "user" | "bot" | "serverUrl">): Counted => ({
  timeMs: NOW,
  ...fields,
  page: undefined,
  noEventTime: true,
});

describe("classify", () => {
  it("counts an ordinary recentchange event with its user, bot flag and server_url", () => {
    const verdict = classify(edit({ user: "Alice", bot: false, server_url: "https://en.wikipedia.org" }), NOW);
    expect(verdict).toEqual(arrived({ user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" }));
  });

  it.each([
    ["the canary domain", { meta: { domain: "canary" }, user: "Alice", server_url: "https://en.wikipedia.org" }],
    ["the canary domain with nothing else", { meta: { domain: "canary" } }],
  ])("excludes an event from %s", (_name, event) => {
    expect(classify(JSON.stringify(event))).toBe("canary");
  });

  it.each([
    ["a domain that only contains canary", { meta: { domain: "canary.wikipedia.org" } }],
    ["a domain in another case", { meta: { domain: "Canary" } }],
    ["canary outside meta", { domain: "canary", meta: { domain: "en.wikipedia.org" } }],
    ["a meta that is not an object", { meta: "canary" }],
    ["a null meta", { meta: null }],
    ["no meta at all", {}],
  ])("does not treat %s as a canary", (_name, event) => {
    const verdict = classify(JSON.stringify(event));
    expect(verdict).not.toBe("canary");
    expect(typeof verdict).toBe("object");
  });

  it.each([
    ["an array", "[]"],
    ["an array of events", JSON.stringify([{ user: "Alice" }])],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"hello"'],
    ["a boolean", "true"],
  ])("rejects JSON that is %s as not_object", (_name, data) => {
    expect(classify(data)).toBe("not_object");
  });

  it.each([
    ["truncated JSON", '{"user": "Alice"'],
    ["an empty payload", ""],
    ["plain text", "hello"],
    ["single quotes", "{'user': 'Alice'}"],
    ["a trailing comma", '{"user": "Alice",}'],
    ["two objects", '{"a":1}{"b":2}'],
  ])("rejects %s as malformed", (_name, data) => {
    expect(classify(data)).toBe("malformed");
  });

  it.each([
    ["user", { bot: true, server_url: "https://x.org" }, { user: undefined, bot: true, serverUrl: "https://x.org" }],
    ["server_url", { user: "Bob", bot: false }, { user: "Bob", bot: false, serverUrl: undefined }],
    ["bot", { user: "Bob", server_url: "https://x.org" }, { user: "Bob", bot: false, serverUrl: "https://x.org" }],
    ["everything", {}, { user: undefined, bot: false, serverUrl: undefined }],
  ])("still counts an event missing %s", (_name, fields, expected) => {
    expect(classify(edit(fields), NOW)).toEqual(arrived(expected));
  });

  it.each([
    ["a user that is a number", { user: 123 }, { user: undefined }],
    ["a user that is null", { user: null }, { user: undefined }],
    ["a server_url that is an object", { server_url: { href: "https://x.org" } }, { serverUrl: undefined }],
  ])("ignores %s rather than counting it", (_name, fields, expected) => {
    expect(classify(edit(fields))).toMatchObject(expected);
  });

  it("keeps an empty user name, which is a name", () => {
    expect(classify(edit({ user: "" }))).toMatchObject({ user: "" });
  });

  it("counts a bot only when bot is exactly true", () => {
    expect(classify(edit({ bot: true }))).toMatchObject({ bot: true });
  });

  it.each([
    ['the string "true"', "true"],
    ["the number 1", 1],
    ['the string "yes"', "yes"],
    ["false", false],
    ["null", null],
    ["an object", { value: true }],
  ])("does not count bot = %s as a bot", (_name, bot) => {
    expect(classify(edit({ bot }))).toMatchObject({ bot: false });
  });
});

describe("classify: an event's time and page", () => {
  it.each([
    ["Z", "2025-05-03T07:46:19Z", AT],
    ["+00:00", "2025-05-03T07:46:19+00:00", AT],
    ["milliseconds", "2025-05-03T07:46:19.123Z", AT + 123],
  ])("takes meta.dt written with %s as the event's time", (_name, dt, ms) => {
    expect(classify(withMeta({ dt }), NOW)).toMatchObject({ timeMs: ms, noEventTime: false });
  });

  it.each([
    ["missing", {}],
    ["null", { dt: null }],
    ["a number", { dt: AT }],
    ["garbage", { dt: "yesterday-ish" }],
    ["without an offset", { dt: "2025-05-03T07:46:19" }],
    ["a month that does not exist", { dt: "2025-13-03T07:46:19Z" }],
    ["11 minutes ahead of the clock", { dt: new Date(NOW + 11 * 60_000).toISOString() }],
  ])("puts an event whose meta.dt is %s at its arrival, as having no event time", (_name, meta) => {
    expect(classify(withMeta(meta), NOW)).toMatchObject({ timeMs: NOW, noEventTime: true });
  });

  it.each([
    ["9 minutes", 9 * 60_000],
    ["exactly 10 minutes", 10 * 60_000],
  ])("keeps a meta.dt %s ahead of the clock", (_name, ahead) => {
    const dt = new Date(NOW + ahead).toISOString();
    expect(classify(withMeta({ dt }), NOW)).toMatchObject({ timeMs: NOW + ahead, noEventTime: false });
  });

  it("has no event time when meta is not an object, or is missing", () => {
    for (const data of [JSON.stringify({ meta: "2025-05-03T07:46:19Z" }), JSON.stringify({ dt: "2025-05-03T07:46:19Z" })])
      expect(classify(data, NOW)).toMatchObject({ timeMs: NOW, noEventTime: true });
  });

  it("reads the clock at classification when not told it", () => {
    const before = Date.now();
    const verdict = classify(withMeta({}));
    expect(verdict).toMatchObject({ noEventTime: true });
    expect((verdict as Counted).timeMs).toBeWithin(before, Date.now() + 1);
  });

  it.each([
    ["present", { uri: "https://en.wikipedia.org/wiki/Main_Page" }, "https://en.wikipedia.org/wiki/Main_Page"],
    ["absent", {}, undefined],
    ["a number", { uri: 42 }, undefined],
    ["null", { uri: null }, undefined],
    ["an object", { uri: { href: "https://x.org" } }, undefined],
  ])("takes meta.uri as the page when it is a string: %s", (_name, meta, page) => {
    expect(classify(withMeta(meta), NOW)).toMatchObject({ page });
  });

  it("reads a meta.uri written with JSON escapes as JSON does", () => {
    const data = String.raw`{"meta":{"domain":"de.wikipedia.org","uri":"https:\/\/de.wikipedia.org\/wiki\/J\u00f6rg_\"x\""},"user":"Ann"}`;
    expect(classify(data, NOW)).toMatchObject({ page: 'https://de.wikipedia.org/wiki/Jörg_"x"' });
  });

  it("does not take a uri outside meta as the page", () => {
    expect(classify(JSON.stringify({ uri: "https://x.org/wiki/A", meta: {} }), NOW)).toMatchObject({ page: undefined });
  });

  it("counts an event with every field it keeps", () => {
    const data = withMeta(
      { dt: "2025-05-03T07:46:19Z", uri: "https://en.wikipedia.org/wiki/A" },
      { bot: true, server_url: "https://en.wikipedia.org" },
    );
    expect(classify(data, NOW)).toEqual({
      timeMs: AT,
      user: "Ann",
      bot: true,
      serverUrl: "https://en.wikipedia.org",
      page: "https://en.wikipedia.org/wiki/A",
      noEventTime: false,
    });
  });

  it("gives a ChangeEvent, which a window index takes as it is", () => {
    const event: ChangeEvent = classify(withMeta({ dt: "2025-05-03T07:46:19Z", uri: "https://x.org/wiki/A" }), NOW) as Counted;
    const windowEvent: WindowEvent = event;
    expect(windowEvent).toMatchObject({ timeMs: AT, page: "https://x.org/wiki/A", user: "Ann" });
  });
});

describe("Tally", () => {
  it("adds up messages, distinct users, bots and events per server", () => {
    const t = new Tally();
    const events: ChangeEvent[] = [
      changeEvent({ user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" }),
      changeEvent({ user: "Alice", bot: false, serverUrl: "https://de.wikipedia.org" }),
      changeEvent({ user: "BotX", bot: true, serverUrl: "https://en.wikipedia.org" }),
      changeEvent({ user: undefined, bot: false, serverUrl: "https://en.wikipedia.org" }),
      changeEvent({ user: "Bob", bot: false, serverUrl: undefined }),
    ];
    for (const e of events) t.add(e);
    expect(t.toStats()).toEqual({
      messages: 5,
      distinct_users: 3,
      bots: 1,
      non_bots: 4,
      by_server_url: { "https://en.wikipedia.org": 3, "https://de.wikipedia.org": 1 },
    });
  });

  it("starts at zero", () => {
    expect(new Tally().toStats()).toEqual({ messages: 0, distinct_users: 0, bots: 0, non_bots: 0, by_server_url: {} });
  });

  it("hands out a copy of by_server_url that cannot change the tally", () => {
    const t = new Tally();
    t.add(changeEvent({ user: "A", bot: false, serverUrl: "https://x.org" }));
    const stats = t.toStats();
    stats.by_server_url["https://x.org"] = 99;
    expect(t.toStats().by_server_url).toEqual({ "https://x.org": 1 });
  });
});
