// Counts gathered in memory between two flushes to Cassandra.
import type { ServerUrlLimit } from "../../stats/server-urls.ts";
import type { ChangeEvent, Stats } from "../../stats/types.ts";

export class Delta {
  messages = 0;
  bots = 0;
  /** Users not known to be in unique_users yet; new-users.ts settles which of them are new. */
  readonly candidateUsers = new Set<string>();
  /** Users found new whose user_count increment is not written yet, and their names. */
  newUsers = 0;
  readonly newUserNames = new Set<string>();
  readonly servers = new Map<string, number>();

  /** Counts one event; false when `limit` refuses its server URL (the event counts without it). */
  add(event: ChangeEvent, isKnownUser: (user: string) => boolean, limit: ServerUrlLimit): boolean {
    this.messages++;
    if (event.bot) this.bots++;
    if (event.user !== undefined && !isKnownUser(event.user)) this.candidateUsers.add(event.user);
    return event.serverUrl === undefined || limit.count(this.servers, event.serverUrl);
  }

  /** A user settled as new: counted in newUsers until the user_count increment is written. */
  countNew(user: string): void {
    this.newUsers++;
    this.newUserNames.add(user);
  }

  /** The user_count increment of `n` users landed. */
  newUsersWritten(n: number): void {
    this.newUsers -= n;
    if (this.newUsers === 0) this.newUserNames.clear();
  }

  /** Drops candidates confirmed meanwhile (by the flush that was in flight when they were seen again). */
  dropKnown(isKnownUser: (user: string) => boolean): void {
    for (const user of this.candidateUsers) if (isKnownUser(user)) this.candidateUsers.delete(user);
  }

  isEmpty(): boolean {
    return this.messages === 0 && this.candidateUsers.size === 0 && this.newUsers === 0 && this.servers.size === 0;
  }

  /** Takes back what a failed flush did not write, so no count is ever dropped. */
  absorb(other: Delta): void {
    this.messages += other.messages;
    this.bots += other.bots;
    this.newUsers += other.newUsers;
    for (const user of other.newUserNames) this.newUserNames.add(user);
    for (const user of other.candidateUsers) this.candidateUsers.add(user);
    for (const [url, n] of other.servers) this.servers.set(url, (this.servers.get(url) ?? 0) + n);
  }

  /** Adds these counts to a Stats value in place. */
  addTo(stats: Stats): void {
    stats.messages += this.messages;
    stats.bots += this.bots;
    stats.non_bots += this.messages - this.bots;
    stats.distinct_users += this.newUsers;
    for (const [url, n] of this.servers) stats.by_server_url[url] = (stats.by_server_url[url] ?? 0) + n;
  }
}
