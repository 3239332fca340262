// /stats over a range: totals and servers summed, distinct users as the union of the buckets' user
// sets (exact: a user in two buckets counts once).
import type { Stats } from "../stats/types.ts";
import { coveringBuckets, type BucketIndex } from "./bucket-index.ts";

export function rangeStats(index: BucketIndex, fromMs: number, toMs: number): Stats {
  const { marks, tallies, interners } = index;
  marks.begin(interners.users.capacity);
  tallies.begin(interners.servers.capacity);
  let messages = 0;
  let bots = 0;
  let distinctUsers = 0;
  for (const bucket of coveringBuckets(index, fromMs, toMs)) {
    messages += bucket.messages;
    bots += bucket.bots;
    const servers = bucket.servers;
    for (let i = 0; i < servers.size; i++) tallies.add(servers.ids[i]!, servers.bots[i]! + servers.humans[i]!);
    const users = bucket.users;
    for (let i = 0; i < users.size; i++) if (marks.mark(users.ids[i]!)) distinctUsers++;
  }
  const urls: [string, number][] = [];
  for (let i = 0; i < tallies.size; i++) {
    const id = tallies.touched[i]!;
    urls.push([interners.servers.key(id), tallies.counts[id]!]);
  }
  tallies.clear();
  // Code-point order: the same figures give the same body whatever order the events came in.
  urls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { messages, distinct_users: distinctUsers, bots, non_bots: messages - bots, by_server_url: Object.fromEntries(urls) };
}
