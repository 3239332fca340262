import { describe, expect, test } from "bun:test";
import { StatsJson } from "./stats-json.ts";

const totals = (by_server_url: Record<string, number>) => ({ messages: 7, distinct_users: 3, bots: 2, non_bots: 5, by_server_url });

describe("StatsJson", () => {
  test("writes the totals as JSON.stringify would, with by_server_url sorted by URL", () => {
    const stats = totals({
      "https://www.wikidata.org": 3,
      "https://de.wikipedia.org": 1,
      "https://commons.wikimedia.org": 2,
      'https://odd"\\\u2028.org': 1,
    });
    const text = new StatsJson().serialise(stats);
    expect(JSON.parse(text)).toEqual(stats);
    expect(Object.keys(JSON.parse(text).by_server_url)).toEqual([
      "https://commons.wikimedia.org",
      "https://de.wikipedia.org",
      'https://odd"\\\u2028.org',
      "https://www.wikidata.org",
    ]);
    expect(text).toBe(
      JSON.stringify({
        ...stats,
        by_server_url: Object.fromEntries(Object.entries(stats.by_server_url).sort(([a], [b]) => (a < b ? -1 : 1))),
      }),
    );
  });

  test("writes empty totals", () => {
    expect(new StatsJson().serialise(totals({}))).toBe('{"messages":7,"distinct_users":3,"bots":2,"non_bots":5,"by_server_url":{}}');
  });

  test("keeps sorting right as URLs are added between answers, the same number of them included", () => {
    const json = new StatsJson();
    expect(Object.keys(JSON.parse(json.serialise(totals({ "https://b.org": 1, "https://a.org": 1 }))).by_server_url)).toEqual([
      "https://a.org",
      "https://b.org",
    ]);
    // Another set of the same size (another store's totals): must not reuse the first order.
    expect(Object.keys(JSON.parse(json.serialise(totals({ "https://d.org": 1, "https://c.org": 2 }))).by_server_url)).toEqual([
      "https://c.org",
      "https://d.org",
    ]);
    const grown = JSON.parse(json.serialise(totals({ "https://d.org": 4, "https://c.org": 2, "https://a.org": 1 })));
    expect(grown.by_server_url).toEqual({ "https://a.org": 1, "https://c.org": 2, "https://d.org": 4 });
    expect(Object.keys(grown.by_server_url)).toEqual(["https://a.org", "https://c.org", "https://d.org"]);
  });
});
