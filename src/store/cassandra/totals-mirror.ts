// The read model: what Cassandra holds, as last read plus what this process has written since, and a revision that changes with it.
import type cassandra from "cassandra-driver";
import { ServerUrlLimit } from "../../stats/server-urls.ts";
import { emptyStats, type Stats } from "../../stats/types.ts";
import { counterValue } from "./counter-writes.ts";
import { copyStats } from "./landed-ahead.ts";
import { IDEMPOTENT } from "./query-options.ts";

export class TotalsMirror {
  /** The totals; counter writes add what lands to them (see counter-writes.ts). */
  readonly totals: Stats = emptyStats();
  /** Every URL in server_counts (read at each refresh) and every one admitted since. */
  readonly servers: ServerUrlLimit;
  private changes = 0;

  constructor(
    private readonly keyspace: string,
    maxServerUrls: number | undefined,
    private readonly answered: () => void,
  ) {
    this.servers = new ServerUrlLimit(maxServerUrls);
  }

  /** Bumped by every added event, newly confirmed user and re-read of the totals (see changed()). */
  get revision(): number {
    return this.changes;
  }

  /** What the store answers has changed. */
  changed(): void {
    this.changes++;
  }

  snapshot(): Stats {
    return copyStats(this.totals);
  }

  /** Reads the totals again. */
  async refresh(client: cassandra.Client): Promise<void> {
    const ks = this.keyspace;
    const n = counterValue;
    const [summary, users, servers] = await Promise.all([
      client.execute(`SELECT total_messages, bot_count, non_bot_count FROM ${ks}.stats_summary WHERE id = 'global'`, [], IDEMPOTENT),
      client.execute(`SELECT distinct_users FROM ${ks}.user_count WHERE id = 'global'`, [], IDEMPOTENT),
      // server_counts grows with the number of wikis (about a thousand), not with users or events.
      client.execute(`SELECT server_url, count FROM ${ks}.server_counts`, [], { ...IDEMPOTENT, fetchSize: 10_000 }),
    ]);
    const s = summary.first();
    const byServer: Record<string, number> = {};
    for (const row of servers.rows) {
      byServer[row.server_url as string] = n(row.count);
      this.servers.know(row.server_url as string);
    }
    this.totals.messages = n(s?.total_messages);
    this.totals.bots = n(s?.bot_count);
    this.totals.non_bots = n(s?.non_bot_count);
    this.totals.distinct_users = n(users.first()?.distinct_users);
    this.totals.by_server_url = byServer;
    this.changes++;
    this.answered();
  }
}
