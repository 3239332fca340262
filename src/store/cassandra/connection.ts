// One Cassandra session for the store and the user directory: connects, applies the schema, retries.
import cassandra from "cassandra-driver";
import { firstLine } from "../../log/error-text.ts";
import type { Logger } from "../../log/logger.ts";
import { delay } from "../../retry/delay.ts";
import { CASSANDRA_CONNECT, SCHEMA_STATEMENT } from "../../retry/policies.ts";
import { retry } from "../../retry/retry.ts";
import { schemaStatements } from "./schema.ts";

/** What the store's writers need of a driver session; a flush wraps it to enforce the ingest lease. */
export interface Session {
  execute(query: string, params?: unknown[], options?: cassandra.QueryOptions): Promise<cassandra.types.ResultSet>;
  batch(queries: { query: string; params?: unknown[] }[], options?: cassandra.QueryOptions): Promise<cassandra.types.ResultSet>;
}

interface CassandraOptions {
  /** Comma-separated host[:port] contact points. */
  hosts: string;
  keyspace: string;
  datacenter: string;
  replication: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Consistency of every statement, e.g. "LOCAL_QUORUM" (default), and of lightweight transactions' Paxos phase. */
  consistency?: string;
  serialConsistency?: string;
  /** Reconnect backoff bounds while Cassandra cannot be reached at start-up. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

export class CassandraConnection {
  private client: cassandra.Client | undefined;
  private readonly ready: PromiseWithResolvers<cassandra.Client> = Promise.withResolvers();
  private started: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  lastError: string | undefined;
  isReady = false;

  constructor(
    readonly options: CassandraOptions,
    private readonly log: Logger,
  ) {
    // A rejection here would otherwise surface as unhandled when close() happens before connecting.
    this.ready.promise.catch(() => {});
  }

  get isClosed(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Aborted by close(): what waits on Cassandra through this connection stops waiting. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  get keyspace(): string {
    return this.options.keyspace;
  }

  /** Starts connecting in the background; safe to call more than once. */
  start(): void {
    this.started ??= this.connectLoop();
  }

  /** Resolves with the session once connected and the schema is in place. */
  whenReady(): Promise<cassandra.Client> {
    this.start();
    return this.ready.promise;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.started;
    this.ready.reject(new Error("Cassandra connection closed"));
    await this.client?.shutdown().catch(() => {});
  }

  private async connectLoop(): Promise<void> {
    let client: cassandra.Client;
    try {
      client = await retry(
        async () => {
          if (this.isClosed) throw new Error("Cassandra connection closed");
          const attempt = this.newClient();
          try {
            await attempt.connect();
            await this.applySchema(attempt);
            return attempt;
          } catch (error) {
            await attempt.shutdown().catch(() => {});
            this.lastError = `Cassandra at ${this.options.hosts}: ${driverErrorText(error)}`;
            throw error;
          }
        },
        {
          backoff: { minMs: this.options.retryMinMs ?? CASSANDRA_CONNECT.minMs, maxMs: this.options.retryMaxMs ?? CASSANDRA_CONNECT.maxMs },
          signal: this.stopping.signal,
          onRetry: (_error, attempt, retryInMs) =>
            this.log.warn("Cassandra unavailable; retrying", { error: this.lastError, attempt, retry_in_ms: retryInMs }),
        },
      );
    } catch {
      // Given up only because the connection was closed.
      return;
    }
    this.client = client;
    this.isReady = true;
    this.lastError = undefined;
    this.log.info("connected to Cassandra", { hosts: this.options.hosts, keyspace: this.keyspace });
    this.ready.resolve(client);
  }

  private newClient(): cassandra.Client {
    const { username, password } = this.options;
    const contactPoints = this.options.hosts
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    const port = sharedPort(contactPoints);
    return new cassandra.Client({
      contactPoints,
      // The driver gives the nodes it discovers this port, not their contact point's (9042 by default).
      ...(port === undefined ? {} : { protocolOptions: { port } }),
      localDataCenter: this.options.datacenter,
      ...(username !== undefined && password !== undefined
        ? { authProvider: new cassandra.auth.PlainTextAuthProvider(username, password) }
        : {}),
      socketOptions: { connectTimeout: 5000, readTimeout: 12_000 },
      // Every statement inherits these; the schema statements too (Cassandra applies DDL cluster-wide regardless).
      queryOptions: {
        consistency: consistencyLevel(this.options.consistency ?? "LOCAL_QUORUM"),
        serialConsistency: consistencyLevel(this.options.serialConsistency ?? "LOCAL_SERIAL"),
      },
      policies: {
        reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(250, 5000, false),
        // An idempotent statement (reads, plain inserts) unanswered after 500 ms is also sent to another
        // node: a node that just died stalls requests until the cluster notices, which takes seconds.
        speculativeExecution: new cassandra.policies.speculativeExecution.ConstantSpeculativeExecutionPolicy(500, 1),
      },
    });
  }

  /**
   * CREATE ... IF NOT EXISTS is idempotent, but two instances racing on a new keyspace can briefly
   * disagree on schema; the driver waits for agreement, and a failed statement is retried.
   */
  private async applySchema(client: cassandra.Client): Promise<void> {
    await this.applyStatements(client);
    // Every node must know the tables before they are used: a statement reaching a node that has not
    // heard of a new keyspace fails with "keyspace does not exist".
    const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    const { signal } = this.stopping;
    for (let waited = 0; waited < 30_000 && !signal.aborted && !(await metadata.checkSchemaAgreement()); waited += 200)
      await delay(200, signal);
  }

  private async applyStatements(client: cassandra.Client): Promise<void> {
    const statements = schemaStatements({
      keyspace: this.keyspace,
      replication: this.options.replication,
      datacenter: this.options.datacenter,
    });
    for (const statement of statements) {
      await retry(() => client.execute(statement), { attempts: 5, backoff: SCHEMA_STATEMENT, signal: this.stopping.signal });
    }
  }
}

/**
 * A driver error in one line, for logs and /health. The driver's NoHostAvailableError embeds its
 * per-host errors, stacks included, in its message; the first host's own message says what went wrong.
 */
export function driverErrorText(error: unknown): string {
  const line = (e: unknown) => firstLine(String((e as Error)?.message ?? e));
  const inner = (error as { innerErrors?: Record<string, unknown> })?.innerErrors;
  const first = inner ? Object.entries(inner)[0] : undefined;
  return first ? `no host answered; ${first[0]}: ${line(first[1])}` : line(error);
}

/** The port every contact point names, when they all name the same one. */
export function sharedPort(contactPoints: readonly string[]): number | undefined {
  const ports = new Set(contactPoints.map((point) => /:(\d+)$/.exec(point)?.[1]));
  const [only] = ports;
  return ports.size === 1 && only !== undefined ? Number(only) : undefined;
}

/** A consistency level by its CQL name ("LOCAL_QUORUM") as the driver's number. */
export function consistencyLevel(name: string): number {
  const key = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof typeof cassandra.types.consistencies;
  const level = cassandra.types.consistencies[key];
  if (level === undefined) throw new Error(`unknown Cassandra consistency level ${name}`);
  return level;
}
