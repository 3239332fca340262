// Chooses the store and user directory named by `storage`.
import { CassandraUsers } from "./auth/cassandra-users.ts";
import { MemoryUsers, type UserDirectory } from "./auth/users.ts";
import type { Config } from "./config/index.ts";
import { IngestLease } from "./lease/ingest-lease.ts";
import { instanceId } from "./lease/instance-id.ts";
import type { LeasedStore } from "./lease/lease-runner.ts";
import type { Logger } from "./log/logger.ts";
import { CassandraConnection } from "./store/cassandra/connection.ts";
import { CassandraStore } from "./store/cassandra/cassandra-store.ts";
import { MemoryStore } from "./store/memory-store.ts";
import type { StatsStore } from "./store/stats-store.ts";

export interface Backends {
  store: StatsStore;
  users: UserDirectory;
  /** With Cassandra and ingest on: only the holder of this lease consumes the stream. */
  lease?: { lease: IngestLease; store: LeasedStore };
}

export type BackendFactory = (config: Config, log: Logger) => Backends;

export function createBackends(config: Config, log: Logger): Backends {
  switch (config.storage) {
    case "in-memory":
      return {
        store: new MemoryStore({ maxServerUrls: config.max_server_urls, windowRetentionMs: config.window_retention_hours * 3_600_000 }),
        users: new MemoryUsers(),
      };
    case "cassandra": {
      const conn = new CassandraConnection(
        {
          hosts: config.cassandra_host,
          keyspace: config.cassandra_keyspace,
          datacenter: config.cassandra_datacenter,
          replication: config.cassandra_replication,
          username: config.cassandra_username,
          password: config.cassandra_password,
          consistency: config.cassandra_consistency,
          serialConsistency: config.cassandra_serial_consistency,
        },
        log.child({ component: "cassandra" }),
      );
      const store = new CassandraStore(
        conn,
        {
          streamKey: config.stream_url,
          flushIntervalMs: config.flush_interval_ms,
          newUserCheck: config.cassandra_new_user_check,
          maxServerUrls: config.max_server_urls,
        },
        log.child({ component: "store" }),
      );
      const lease = new IngestLease(
        conn,
        {
          stream: config.stream_url,
          id: instanceId(),
          ttlMs: config.lease_ttl_ms,
          renewMs: config.lease_renew_ms,
        },
        log.child({ component: "lease" }),
      );
      return {
        store,
        users: new CassandraUsers(conn, log.child({ component: "users" })),
        // ingest: false never ingests, so it never competes for the lease either.
        ...(config.ingest ? { lease: { lease, store } } : {}),
      };
    }
  }
}
