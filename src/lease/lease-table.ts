// The ingest lease row in Cassandra: taken, renewed and released with lightweight transactions and a TTL.
import type cassandra from "cassandra-driver";
import { PREPARED } from "../store/cassandra/query-options.ts";

/** What a standby reads: who holds the lease and for how many more seconds (Cassandra's own TTL count). */
interface LeaseRow {
  holder: string;
  ttlSeconds: number;
}

export class LeaseTable {
  private readonly options: cassandra.QueryOptions;

  constructor(
    private readonly keyspace: string,
    private readonly stream: string,
    private readonly ttlSeconds: number,
    timeoutMs: number,
  ) {
    this.options = { ...PREPARED, readTimeout: timeoutMs };
  }

  async read(client: cassandra.Client): Promise<LeaseRow | undefined> {
    const row = (
      await client.execute(
        `SELECT holder, TTL(holder) AS ttl FROM ${this.keyspace}.ingest_lease WHERE stream = ?`,
        [this.stream],
        this.options,
      )
    ).first();
    const holder = row?.holder as string | null | undefined;
    return holder ? { holder, ttlSeconds: Number(row?.ttl ?? 0) } : undefined;
  }

  /** Takes the lease when nobody holds it; answers the current holder when somebody does. */
  async take(client: cassandra.Client, holder: string): Promise<{ taken: boolean; holder: string | undefined }> {
    const result = await client.execute(
      `INSERT INTO ${this.keyspace}.ingest_lease (stream, holder) VALUES (?, ?) IF NOT EXISTS USING TTL ?`,
      [this.stream, holder, this.ttlSeconds],
      this.options,
    );
    return { taken: result.wasApplied(), holder: result.wasApplied() ? holder : (result.first()?.holder as string | undefined) };
  }

  /** Extends the lease by a full TTL, only if `holder` still holds it (false: it expired or someone else took it). */
  async renew(client: cassandra.Client, holder: string): Promise<boolean> {
    const result = await client.execute(
      `UPDATE ${this.keyspace}.ingest_lease USING TTL ? SET holder = ? WHERE stream = ? IF holder = ?`,
      [this.ttlSeconds, holder, this.stream, holder],
      this.options,
    );
    return result.wasApplied();
  }

  /** Gives the lease up at once, so a standby need not wait for the TTL. */
  async release(client: cassandra.Client, holder: string): Promise<boolean> {
    const result = await client.execute(
      `DELETE FROM ${this.keyspace}.ingest_lease WHERE stream = ? IF holder = ?`,
      [this.stream, holder],
      this.options,
    );
    return result.wasApplied();
  }
}
