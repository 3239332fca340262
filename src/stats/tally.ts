// Exact in-memory totals; the in-memory store keeps one, the Cassandra store uses one for deltas.
import { StringSet } from "./string-set.ts";
import type { ChangeEvent, Stats } from "./types.ts";

export class Tally {
  messages = 0;
  bots = 0;
  readonly users = new StringSet();
  readonly servers = new Map<string, number>();

  add(event: ChangeEvent): void {
    this.messages++;
    if (event.bot) this.bots++;
    if (event.user !== undefined) this.users.add(event.user);
    if (event.serverUrl !== undefined) {
      this.servers.set(event.serverUrl, (this.servers.get(event.serverUrl) ?? 0) + 1);
    }
  }

  toStats(): Stats {
    return {
      messages: this.messages,
      distinct_users: this.users.size,
      bots: this.bots,
      non_bots: this.messages - this.bots,
      by_server_url: Object.fromEntries(this.servers),
    };
  }
}
