// Who ingests: the lease holder renews its row; standbys poll it and take it once it is free.
import type cassandra from "cassandra-driver";
import type { Logger } from "../log/logger.ts";
import { delay } from "../retry/delay.ts";
import type { CassandraConnection } from "../store/cassandra/connection.ts";
import type { WriteGuard } from "../store/write-guard.ts";
import { LeaseTable } from "./lease-table.ts";

interface IngestLeaseOptions {
  /** The lease is per stream, like the saved position. */
  stream: string;
  /** This process's instance id (instance-id.ts). */
  id: string;
  ttlMs: number;
  renewMs: number;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
}

export interface LeaseStatus {
  role: "leader" | "standby";
  holder?: string;
  expires_in_ms: number;
}

/** Cassandra expires a TTL at a whole second: a row can vanish up to this much before its TTL is over. */
const TTL_GRANULARITY_MS = 1000;

export class IngestLease implements WriteGuard {
  readonly flushWindowMs: number;
  /** Called when this process becomes the holder, and when it stops being it. */
  onLead: () => void = () => {};
  onLose: (reason: string) => void = () => {};
  private role: "leader" | "standby" = "standby";
  /** While leader: when the lease may expire at the earliest, by the clock below. */
  private expiresAt = 0;
  private seen: { holder: string; until: number } | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly table: LeaseTable;
  private readonly now: () => number;

  constructor(
    private readonly conn: CassandraConnection,
    private readonly options: IngestLeaseOptions,
    private readonly log: Logger,
  ) {
    this.flushWindowMs = options.ttlMs / 2;
    this.now = options.now ?? (() => performance.now());
    // A lease statement waits at most half the lease: its answer is no use later, and shutdown must not hang on it.
    this.table = new LeaseTable(conn.keyspace, options.stream, options.ttlMs / 1000, options.ttlMs / 2);
  }

  get id(): string {
    return this.options.id;
  }

  get isLeader(): boolean {
    return this.role === "leader";
  }

  start(): void {
    this.loop ??= this.run();
  }

  validForMs(): number {
    return this.role === "leader" ? Math.max(0, this.expiresAt - this.now()) : 0;
  }

  fenced(): void {
    if (this.role === "leader") this.lose("the lease is not valid for long enough to flush");
  }

  status(): LeaseStatus {
    if (this.role === "leader") return { role: "leader", holder: this.id, expires_in_ms: Math.round(this.validForMs()) };
    if (this.seen === undefined) return { role: "standby", expires_in_ms: 0 };
    return { role: "standby", holder: this.seen.holder, expires_in_ms: Math.max(0, Math.round(this.seen.until - this.now())) };
  }

  /** Stops polling and, if this process holds the lease, releases it at once (call after the final flush). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    if (this.role !== "leader") return;
    this.role = "standby";
    const client = this.conn.isReady ? await this.conn.whenReady() : undefined;
    try {
      if (client && (await this.table.release(client, this.id))) this.log.info("released the ingest lease", { holder: this.id });
    } catch (error) {
      this.log.warn("releasing the ingest lease failed; it expires by itself", { error, ttl_ms: this.options.ttlMs });
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    const stopped = new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      else signal.addEventListener("abort", () => resolve(undefined), { once: true });
    });
    const client = await Promise.race([this.conn.whenReady(), stopped]).catch(() => undefined);
    while (client && !signal.aborted) {
      try {
        if (this.role === "leader") await this.renew(client);
        else await this.tryTake(client);
      } catch (error) {
        // Unknown outcome: keep the conservative expiry; the next round finds out.
        this.log.warn("ingest lease round failed", { error, role: this.role });
      }
      if (this.role === "leader" && this.validForMs() === 0) this.lose("the lease expired before it could be renewed");
      await delay(this.options.renewMs, signal);
    }
  }

  private async tryTake(client: cassandra.Client): Promise<void> {
    const readAt = this.now();
    const row = await this.table.read(client);
    if (this.stopping.signal.aborted) return;
    if (row !== undefined && row.holder !== this.id) {
      this.seen = { holder: row.holder, until: readAt + row.ttlSeconds * 1000 };
      return;
    }
    const sentAt = this.now();
    // Our own row: a take whose answer was lost, or a lease this process gave up after a failed fence.
    const won = row !== undefined ? await this.table.renew(client, this.id) : await this.take(client, sentAt);
    if (!won) return;
    if (this.stopping.signal.aborted) {
      await this.table.release(client, this.id);
      return;
    }
    this.extend(sentAt);
    this.role = "leader";
    this.seen = undefined;
    this.log.info("took the ingest lease", { holder: this.id, ttl_ms: this.options.ttlMs });
    this.onLead();
  }

  private async take(client: cassandra.Client, sentAt: number): Promise<boolean> {
    const { taken, holder } = await this.table.take(client, this.id);
    if (!taken && holder !== undefined) this.seen = { holder, until: sentAt + this.options.ttlMs };
    return taken;
  }

  private async renew(client: cassandra.Client): Promise<void> {
    const sentAt = this.now();
    const renewed = await this.table.renew(client, this.id);
    if (this.role !== "leader") return;
    if (renewed) this.extend(sentAt);
    else this.lose("another instance took the lease, or it expired");
  }

  /** Counted from when the statement was sent, before Cassandra applied it: never later than the real expiry. */
  private extend(sentAt: number): void {
    this.expiresAt = sentAt + this.options.ttlMs - TTL_GRANULARITY_MS;
  }

  private lose(reason: string): void {
    this.role = "standby";
    this.expiresAt = 0;
    this.log.warn("lost the ingest lease; standing by", { holder: this.id, reason });
    this.onLose(reason);
  }
}
