// ReadThenInsert against a small in-memory fake of the two statements it sends; the real-Cassandra
// behaviour is covered by the StatsStore contract suite. The fake lets a write land and still time out.
import { describe, expect, test } from "bun:test";
import cassandra from "cassandra-driver";
import { Delta } from "./delta.ts";
import { ReadThenInsert } from "./new-users.ts";

class FakeUniqueUsers {
  readonly rows = new Set<string>();
  /** When set, the next batch is applied and then reported as timed out. */
  timeoutAfterApply = false;

  async execute(_query: string, params: [string[]]) {
    return { rows: params[0].filter((u) => this.rows.has(u)).map((username) => ({ username })) };
  }

  async batch(queries: { params: [string] }[]) {
    for (const q of queries) this.rows.add(q.params[0]);
    if (this.timeoutAfterApply) {
      this.timeoutAfterApply = false;
      throw new cassandra.errors.OperationTimedOutError("timed out", "127.0.0.1:9042");
    }
  }
}

function deltaWith(users: string[]): Delta {
  const delta = new Delta();
  for (const user of users) delta.add({ user, bot: false, serverUrl: undefined }, () => false);
  return delta;
}

describe("ReadThenInsert", () => {
  const client = (fake: FakeUniqueUsers) => fake as unknown as cassandra.Client;

  test("counts only users that were not in the table, and inserts them", async () => {
    const fake = new FakeUniqueUsers();
    fake.rows.add("old");
    const delta = deltaWith(["old", "new1", "new2"]);
    const known: string[] = [];
    await new ReadThenInsert("ks").settle(client(fake), delta, (u) => known.push(u));
    expect(delta.newUsers).toBe(2);
    expect(delta.candidateUsers.size).toBe(0);
    expect([...fake.rows].sort()).toEqual(["new1", "new2", "old"]);
    expect(known.sort()).toEqual(["new1", "new2", "old"]);
  });

  test("counts a user whose insert timed out but landed exactly once, on the next flush", async () => {
    const fake = new FakeUniqueUsers();
    const writer = new ReadThenInsert("ks");
    const delta = deltaWith(["ghost"]);
    fake.timeoutAfterApply = true;
    await expect(writer.settle(client(fake), delta, () => {})).rejects.toThrow("timed out");
    expect(delta.newUsers).toBe(0);
    expect(delta.candidateUsers.has("ghost")).toBe(true);
    await writer.settle(client(fake), delta, () => {});
    expect(delta.newUsers).toBe(1);
    // Seen again in a later flush, the user is already in the table: not new a second time.
    const later = deltaWith(["ghost"]);
    await writer.settle(client(fake), later, () => {});
    expect(later.newUsers).toBe(0);
    expect(later.candidateUsers.size).toBe(0);
  });

  test("does not count a user found in the table that it never tried to insert", async () => {
    const fake = new FakeUniqueUsers();
    fake.rows.add("someone");
    const delta = deltaWith(["someone"]);
    await new ReadThenInsert("ks").settle(client(fake), delta, () => {});
    expect(delta.newUsers).toBe(0);
  });
});
