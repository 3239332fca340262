// /stats answers serialised once per change of the totals, not once per request.
import type { StatsStore } from "../store/stats-store.ts";
import { EncodedBody } from "./content-coding.ts";
import { StatsJson } from "./stats-json.ts";

/** One serialised answer (compressed on demand, once), with the entity tag clients send back in If-None-Match. */
export interface StatsAnswer {
  body: EncodedBody;
  etag: string;
}

interface Cached extends StatsAnswer {
  revision: number;
  at: number;
}

export class StatsCache {
  private cached: Cached | undefined;
  private readonly json = new StatsJson();
  /** The latest revision a request has seen, and when it first saw it. */
  private seenRevision = -1;
  private seenAt = 0;

  /**
   * @param maxStaleMs while events keep arriving, an answer is reused for at most this long, so a
   *   fast backfill does not re-serialise the totals for every request
   * @param quietMs once the totals have held still this long (a burst is over), the next request
   *   gets them exact, without waiting out maxStaleMs
   */
  constructor(
    private readonly store: StatsStore,
    private readonly maxStaleMs = 100,
    private readonly now = Date.now,
    private readonly quietMs = 20,
  ) {}

  /** The cached answer while it may still be served, without waiting: what most requests get. */
  current(): StatsAnswer | undefined {
    const cached = this.cached;
    if (cached === undefined) return undefined;
    const revision = this.store.revision();
    if (cached.revision === revision) return cached;
    const now = this.now();
    if (revision !== this.seenRevision) {
      this.seenRevision = revision;
      this.seenAt = now;
    }
    // At most one rebuild per quietMs however requests and events interleave: a rebuild needs a
    // revision first seen quietMs ago, and a later one a newer revision.
    return now - cached.at < this.maxStaleMs && now - this.seenAt < this.quietMs ? cached : undefined;
  }

  /** The JSON answer as UTF-8 bytes: a Response over bytes skips re-encoding the totals per request, and compressing them. */
  async answer(): Promise<StatsAnswer> {
    const cached = this.current();
    if (cached) return cached;
    const revision = this.store.revision();
    const t = this.now();
    const body = Buffer.from(this.json.serialise(await this.store.stats()));
    // A hash of the bytes, not the revision: a re-read that finds the same totals keeps the tag.
    this.cached = { revision, at: t, body: new EncodedBody(body), etag: `"${Bun.hash(body).toString(36)}"` };
    return this.cached;
  }
}
