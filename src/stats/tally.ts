// Exact in-memory totals; the in-memory store keeps one, the Cassandra store uses one for deltas.
import { ServerUrlLimit } from "./server-urls.ts";
import { StringSet } from "./string-set.ts";
import type { ChangeEvent, Stats } from "./types.ts";

export class Tally {
  messages = 0;
  bots = 0;
  readonly users = new StringSet();
  readonly servers = new Map<string, number>();
  private readonly serverLimit: ServerUrlLimit;

  constructor(maxServerUrls?: number) {
    this.serverLimit = new ServerUrlLimit(maxServerUrls);
  }

  /** Counts the event; false when its server URL was left out of by_server_url (max_server_urls reached). */
  add(event: ChangeEvent): boolean {
    this.messages++;
    if (event.bot) this.bots++;
    if (event.user !== undefined) this.users.add(event.user);
    return event.serverUrl === undefined || this.serverLimit.count(this.servers, event.serverUrl);
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
