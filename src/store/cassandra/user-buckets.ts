// Which partition of unique_users_by_bucket holds a user name, and requests grouped by partition.
import { chunks } from "./limited.ts";

/**
 * Fixed for the life of a keyspace: a user is looked up only in its own bucket. 64 partitions keep a
 * backfill's flush at a few dozen single-partition requests, and a partition under 50 MB up to about
 * a hundred million users.
 */
export const USER_BUCKETS = 64;

/**
 * FNV-1a (32 bits) of the name's UTF-8 bytes, modulo USER_BUCKETS: cheap, allocation-free, and easy to
 * reproduce in any language (a lone surrogate is hashed as U+FFFD, as the driver encodes it).
 */
export function userBucket(name: string): number {
  let hash = 0x811c9dc5;
  const byte = (b: number) => {
    hash = Math.imul(hash ^ b, 0x01000193);
  };
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c < 0x80) {
      byte(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = name.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      byte(0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3f));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3f));
      byte(0x80 | ((c >> 6) & 0x3f));
    }
    byte(0x80 | (c & 0x3f));
  }
  return (hash >>> 0) % USER_BUCKETS;
}

/** Names per request: one bucket's share of a large flush, in requests of a bounded size. */
const NAMES_PER_REQUEST = 200;

/** Users grouped by bucket, in groups of at most NAMES_PER_REQUEST: one single-partition request each. */
export function groupByBucket(users: Iterable<string>): { bucket: number; users: string[] }[] {
  const groups: { bucket: number; users: string[] }[] = [];
  for (const [bucket, list] of Map.groupBy(users, userBucket))
    for (const part of chunks(list, NAMES_PER_REQUEST)) groups.push({ bucket, users: part });
  return groups;
}
