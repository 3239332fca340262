import { describe, expect, it } from "bun:test";
import { classify } from "./classify.ts";
import { Tally } from "./tally.ts";
import type { ChangeEvent } from "./types.ts";

const edit = (fields: Record<string, unknown>) => JSON.stringify({ meta: { domain: "en.wikipedia.org" }, type: "edit", ...fields });

describe("classify", () => {
  it("counts an ordinary recentchange event with its user, bot flag and server_url", () => {
    const verdict = classify(edit({ user: "Alice", bot: false, server_url: "https://en.wikipedia.org" }));
    expect(verdict).toEqual({ user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" });
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
    expect(classify(edit(fields))).toEqual(expected as ChangeEvent);
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

describe("Tally", () => {
  it("adds up messages, distinct users, bots and events per server", () => {
    const t = new Tally();
    const events: ChangeEvent[] = [
      { user: "Alice", bot: false, serverUrl: "https://en.wikipedia.org" },
      { user: "Alice", bot: false, serverUrl: "https://de.wikipedia.org" },
      { user: "BotX", bot: true, serverUrl: "https://en.wikipedia.org" },
      { user: undefined, bot: false, serverUrl: "https://en.wikipedia.org" },
      { user: "Bob", bot: false, serverUrl: undefined },
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
    t.add({ user: "A", bot: false, serverUrl: "https://x.org" });
    const stats = t.toStats();
    stats.by_server_url["https://x.org"] = 99;
    expect(t.toStats().by_server_url).toEqual({ "https://x.org": 1 });
  });
});
