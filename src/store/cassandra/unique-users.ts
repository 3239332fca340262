// unique_users_by_bucket as this process knows it: the users known to be there, how new ones are settled, the one-off copy from unique_users.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import { KnownUsers } from "./known-users.ts";
import { migrateUniqueUsers } from "./migrate-users.ts";
import { LwtInserts, ReadThenInsert, type NewUserCheck, type NewUserWriter } from "./new-users.ts";

export class UniqueUsers {
  readonly known: KnownUsers;
  /** Settles which candidates are new (see new-users.ts); a hand-over replaces it (see resetWriter). */
  writer: NewUserWriter;
  /** Whether unique_users has been copied into unique_users_by_bucket (see migrate-users.ts). */
  private migrated = false;

  constructor(
    private readonly keyspace: string,
    private readonly check: NewUserCheck | undefined,
    knownLimit: number,
    private readonly log: Logger,
  ) {
    this.known = new KnownUsers(knownLimit);
    this.writer = this.newWriter();
  }

  /** From now on, a fresh writer that counts `uncounted` (users maybe in the table, not counted) when next seen. */
  resetWriter(uncounted: Iterable<string> = []): void {
    this.writer = this.newWriter(uncounted);
  }

  async migrate(client: cassandra.Client): Promise<void> {
    if (this.migrated) return;
    await migrateUniqueUsers(client, this.keyspace, this.log);
    this.migrated = true;
  }

  private newWriter(uncounted: Iterable<string> = []): NewUserWriter {
    return this.check === "lwt" ? new LwtInserts(this.keyspace, uncounted) : new ReadThenInsert(this.keyspace, uncounted);
  }
}
