// The /stats JSON text, with by_server_url in URL order.
import type { Stats } from "../stats/types.ts";

/**
 * Serialises totals with by_server_url sorted by URL, as Go's encoding/json writes a map: answers
 * keep one order whichever store or instance made them, and neighbouring URLs that share most of
 * their text compress smaller. The sorted URLs are reused while the set is unchanged
 * (URLs are only ever added), so a change of counts does not re-sort thousands of keys.
 */
export class StatsJson {
  private order: string[] = [];

  serialise(stats: Stats): string {
    const counts = stats.by_server_url;
    const order = this.sortedUrls(counts);
    const parts = new Array<string>(order.length);
    for (let i = 0; i < order.length; i++) parts[i] = `${JSON.stringify(order[i])}:${counts[order[i]!]}`;
    const { messages, distinct_users, bots, non_bots } = stats;
    return `{"messages":${messages},"distinct_users":${distinct_users},"bots":${bots},"non_bots":${non_bots},"by_server_url":{${parts.join(",")}}}`;
  }

  private sortedUrls(counts: Record<string, number>): string[] {
    const urls = Object.keys(counts);
    if (urls.length !== this.order.length || !this.order.every((url) => Object.hasOwn(counts, url))) {
      this.order = urls.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    return this.order;
  }
}
