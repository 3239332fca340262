// ReadThenInsert against a small in-memory fake of the two statements it sends; the real-Cassandra
// behaviour is covered by the StatsStore contract suite. The fake lets a write land and still time out.
import { describe, expect, test } from "bun:test";
import cassandra from "cassandra-driver";
import { ServerUrlLimit } from "../../stats/server-urls.ts";
import { Delta } from "./delta.ts";
import { ReadThenInsert } from "./new-users.ts";
import { userBucket } from "./user-buckets.ts";
import { changeEvent } from "../../../test/helpers/events.ts";

/** A row of unique_users_by_bucket: found only in the bucket it was written to. */
const row = (bucket: number, user: string) => `${bucket}/${user}`;

class FakeUniqueUsers {
  readonly rows = new Set<string>();

  /** A user already in the table, in the bucket the hash gives. */
  put(user: string) {
    this.rows.add(row(userBucket(user), user));
  }

  users() {
    return [...this.rows].map((r) => r.slice(r.indexOf("/") + 1)).sort();
  }
  /** When set, the next batch is applied and then reported as timed out. */
  timeoutAfterApply = false;

  /** Names per request, and requests naming a user outside their bucket. */
  readonly sizes: number[] = [];
  misplaced = 0;

  private check(bucket: number, users: string[]) {
    this.sizes.push(users.length);
    this.misplaced += users.filter((u) => userBucket(u) !== bucket).length;
  }

  async execute(_query: string, params: [number, string[]]) {
    this.check(params[0], params[1]);
    return { rows: params[1].filter((u) => this.rows.has(row(params[0], u))).map((username) => ({ username })) };
  }

  async batch(queries: { params: [number, string] }[]) {
    const bucket = queries[0]!.params[0];
    if (queries.some((q) => q.params[0] !== bucket)) throw new Error("a batch spans several buckets");
    this.check(
      bucket,
      queries.map((q) => q.params[1]),
    );
    for (const q of queries) this.rows.add(row(q.params[0], q.params[1]));
    if (this.timeoutAfterApply) {
      this.timeoutAfterApply = false;
      throw new cassandra.errors.OperationTimedOutError("timed out", "127.0.0.1:9042");
    }
  }
}

function deltaWith(users: string[]): Delta {
  const delta = new Delta();
  for (const user of users) delta.add(changeEvent({ user, bot: false, serverUrl: undefined }), () => false, new ServerUrlLimit());
  return delta;
}

describe("ReadThenInsert", () => {
  const client = (fake: FakeUniqueUsers) => fake as unknown as cassandra.Client;

  test("counts only users that were not in the table, and inserts them", async () => {
    const fake = new FakeUniqueUsers();
    fake.put("old");
    const delta = deltaWith(["old", "new1", "new2"]);
    const known: string[] = [];
    await new ReadThenInsert("ks").settle(client(fake), delta, (u) => known.push(u));
    expect(delta.newUsers).toBe(2);
    expect(delta.candidateUsers.size).toBe(0);
    expect(fake.users()).toEqual(["new1", "new2", "old"]);
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
    fake.put("someone");
    const delta = deltaWith(["someone"]);
    await new ReadThenInsert("ks").settle(client(fake), delta, () => {});
    expect(delta.newUsers).toBe(0);
  });

  test("sends one bucket per request, at most 200 names each, and counts a large flush exactly", async () => {
    const fake = new FakeUniqueUsers();
    const users = Array.from({ length: 20_000 }, (_, i) => `User ${i}`);
    for (const user of users.slice(0, 6_000)) fake.put(user);
    const delta = deltaWith(users);
    await new ReadThenInsert("ks").settle(client(fake), delta, () => {});
    expect(delta.newUsers).toBe(14_000);
    expect(fake.users()).toEqual([...users].sort());
    expect(fake.misplaced).toBe(0);
    expect(Math.max(...fake.sizes)).toBeLessThanOrEqual(200);
    // 64 buckets: reads and inserts of 20,000 names take a few hundred requests, not thousands.
    expect(fake.sizes.length).toBeLessThan(400);
  });

  test("with every user known, inserts and counts the candidates without reading, a timed-out one once", async () => {
    const fake = new FakeUniqueUsers();
    const reads = () => fake.sizes.length - inserts;
    let inserts = 0;
    const batch = fake.batch.bind(fake);
    fake.batch = async (queries) => (inserts++, batch(queries));
    const writer = new ReadThenInsert("ks");
    const first = deltaWith(["a", "b"]);
    fake.timeoutAfterApply = true;
    await expect(writer.settle(client(fake), first, () => {}, true)).rejects.toThrow("timed out");
    await writer.settle(client(fake), first, () => {}, true);
    expect(first.newUsers).toBe(2);
    expect(first.candidateUsers.size).toBe(0);
    expect(fake.users()).toEqual(["a", "b"]);
    expect(reads()).toBe(0);
  });
});
