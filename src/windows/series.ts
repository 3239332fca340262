// /stats/series: a step of one bucket (60 s, 3600 s) reads that bucket's counts directly; a longer
// step (300 s, 900 s in minutes, 86400 s in hours) sums its buckets and unions their users. Narrowed
// to one wiki, the distinct users come from the buckets' (server, user) pairs.
import type { Bucket } from "./buckets.ts";
import type { BucketIndex } from "./bucket-index.ts";
import { HOUR_MS, MINUTE_MS, type SeriesCounts } from "./types.ts";

export function series(index: BucketIndex, fromMs: number, toMs: number, stepMs: number, serverUrl?: string): SeriesCounts[] {
  // A wiki with no retained event still gets its points, all zero.
  const server = serverUrl === undefined ? undefined : (index.interners.servers.lookup(serverUrl) ?? -1);
  const unitMs = stepMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS;
  const buckets: Map<number, Bucket> = unitMs === HOUR_MS ? index.hours : index.minutes;
  const perStep = stepMs / unitMs;
  const points: SeriesCounts[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    const point = { tMs: t, messages: 0, bots: 0, non_bots: 0, distinct_users: 0 };
    if (server !== -1) {
      const first = t / unitMs;
      if (perStep === 1) countOne(point, buckets.get(first), server);
      else countMany(point, index, buckets, first, first + perStep, server);
    }
    point.non_bots = point.messages - point.bots;
    points.push(point);
  }
  return points;
}

function countOne(point: SeriesCounts, bucket: Bucket | undefined, server: number | undefined): void {
  if (bucket === undefined) return;
  if (server === undefined) {
    point.messages = bucket.messages;
    point.bots = bucket.bots;
    point.distinct_users = bucket.users.size;
    return;
  }
  const i = bucket.servers.indexOf(server);
  if (i < 0) return;
  point.bots = bucket.servers.bots[i]!;
  point.messages = point.bots + bucket.servers.humans[i]!;
  point.distinct_users = bucket.servers.users[i]!;
}

function countMany(
  point: SeriesCounts,
  index: BucketIndex,
  buckets: Map<number, Bucket>,
  first: number,
  end: number,
  server: number | undefined,
): void {
  const { marks } = index;
  marks.begin(index.interners.users.capacity);
  for (let b = first; b < end; b++) {
    const bucket = buckets.get(b);
    if (bucket === undefined) continue;
    if (server === undefined) {
      point.messages += bucket.messages;
      point.bots += bucket.bots;
      const users = bucket.users;
      for (let i = 0; i < users.size; i++) if (marks.mark(users.ids[i]!)) point.distinct_users++;
      continue;
    }
    const s = bucket.servers.indexOf(server);
    if (s < 0) continue;
    point.bots += bucket.servers.bots[s]!;
    point.messages += bucket.servers.bots[s]! + bucket.servers.humans[s]!;
    const pairs = bucket.pairs;
    for (let i = 0; i < pairs.size; i++) if (pairs.servers[i] === server && marks.mark(pairs.users[i]!)) point.distinct_users++;
  }
}
