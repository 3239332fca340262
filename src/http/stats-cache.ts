// /stats answers serialised once per change of the totals, not once per request.
import type { StatsStore } from "../store/stats-store.ts";

interface Cached {
  revision: number;
  at: number;
  body: Uint8Array;
}

export class StatsCache {
  private cached: Cached | undefined;

  /**
   * @param maxStaleMs while events keep arriving, an answer is reused for at most this long, so a
   *   backfill at 100k events/s does not re-serialise the totals for every request
   */
  constructor(private readonly store: StatsStore, private readonly maxStaleMs = 100, private readonly now = Date.now) {}

  /** The JSON answer as UTF-8 bytes: a Response over bytes skips re-encoding ~24 KB per request. */
  async body(): Promise<Uint8Array> {
    const revision = this.store.revision();
    const cached = this.cached;
    const t = this.now();
    if (cached && (cached.revision === revision || t - cached.at < this.maxStaleMs)) return cached.body;
    const body = Buffer.from(JSON.stringify(await this.store.stats()));
    this.cached = { revision, at: t, body };
    return body;
  }
}
