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

  /**
   * @param maxStaleMs while events keep arriving, an answer is reused for at most this long, so a
   *   backfill at 100k events/s does not re-serialise the totals for every request
   */
  constructor(private readonly store: StatsStore, private readonly maxStaleMs = 100, private readonly now = Date.now) {}

  /** The cached answer while it may still be served, without waiting: what most requests get. */
  current(): StatsAnswer | undefined {
    const cached = this.cached;
    if (cached && (cached.revision === this.store.revision() || this.now() - cached.at < this.maxStaleMs)) return cached;
    return undefined;
  }

  /** The JSON answer as UTF-8 bytes: a Response over bytes skips re-encoding ~24 KB per request, and compressing it. */
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
