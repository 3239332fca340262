import { expect, test } from "bun:test";
import { mulberry32 } from "../../test/helpers/random.ts";
import { IdCounts } from "./id-counts.ts";
import { IdSet } from "./id-set.ts";
import { PairSet } from "./pair-set.ts";

test("IdSet and IdCounts keep members and counts through growth, freezing and thawing", () => {
  const random = mulberry32(3);
  const set = new IdSet();
  const counts = new IdCounts();
  const reference = new Map<number, { bots: number; humans: number }>();
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 2000; i++) {
      const id = Math.floor(random() ** 2 * 5000);
      const bot = random() < 0.3;
      set.add(id);
      counts.count(id, bot);
      const r = reference.get(id) ?? { bots: 0, humans: 0 };
      if (bot) r.bots++;
      else r.humans++;
      reference.set(id, r);
    }
    if (round % 2 === 0) {
      set.freeze();
      counts.freeze();
      expect(set.ids.length).toBe(set.size);
    }
    expect(set.size).toBe(reference.size);
    expect(counts.size).toBe(reference.size);
    for (const [id, r] of reference) {
      expect(set.indexOf(id)).toBeGreaterThanOrEqual(0);
      const i = counts.indexOf(id);
      expect([counts.ids[i], counts.bots[i], counts.humans[i]]).toEqual([id, r.bots, r.humans]);
    }
    expect(set.indexOf(999_999)).toBe(-1);
  }
});

test("PairSet: distinct pairs through growth, freezing and thawing", () => {
  const random = mulberry32(4);
  const pairs = new PairSet();
  const reference = new Set<string>();
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 2000; i++) {
      const server = Math.floor(random() * 30);
      const user = Math.floor(random() * 300);
      expect(pairs.add(server, user)).toBe(!reference.has(`${server}/${user}`));
      reference.add(`${server}/${user}`);
    }
    if (round % 2 === 0) pairs.freeze();
    expect(pairs.size).toBe(reference.size);
    const members = new Set(Array.from({ length: pairs.size }, (_, i) => `${pairs.servers[i]}/${pairs.users[i]}`));
    expect(members).toEqual(reference);
  }
});
