// Wires config → store → stream → HTTP, and takes them down again in the right order.
import { randomBytes } from "node:crypto";
import { SHIPPED_ADMIN_PASSWORD, type Config } from "./config/index.ts";
import type { BackendFactory } from "./backends.ts";
import { createApp } from "./http/app.ts";
import { listen } from "./http/listen.ts";
import { LeaseRunner } from "./lease/lease-runner.ts";
import type { Logger } from "./log/logger.ts";
import { CASSANDRA_READ } from "./retry/policies.ts";
import { retry } from "./retry/retry.ts";
import type { StatsStore } from "./store/stats-store.ts";
import { createStreamSource, idleStatus, Ingest, type StreamSource, type StreamStatus } from "./stream/index.ts";

export interface RunningService {
  readonly port: number;
  readonly store: StatsStore;
  readonly ingest: Ingest;
  /** Resolves when the stream source has ended (a replayed file finished, or stop()). */
  readonly streamDone: Promise<void>;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: Logger, backends: BackendFactory): Promise<RunningService> {
  const jwtSecret = config.jwt_secret ?? generatedSecret(log);
  if (config.admin_password === SHIPPED_ADMIN_PASSWORD) {
    log.warn("admin_password is the shipped default; set ADMIN_PASSWORD before exposing this service", {
      admin_username: config.admin_username,
    });
  }
  const { store, users, lease } = backends(config, log);
  await store.open();
  await users.ensureUser(config.admin_username, config.admin_password);
  const ingest = new Ingest(store, log.child({ component: "ingest" }));

  let source: StreamSource | undefined;
  let runner: LeaseRunner | undefined;
  /** Aborted by stop(): ends what the service itself runs (the wait for the saved position). */
  const stopping = new AbortController();
  const { signal } = stopping;
  const idle = (): StreamStatus => ({
    ...idleStatus(config.stream_url),
    ...(config.ingest ? {} : { state: "disabled" as const }),
    ...(runner ? { state: "standby" as const } : {}),
  });
  const streamStatus = (): StreamStatus => (runner ? runner.current : source)?.status() ?? idle();

  const app = createApp({
    jwtSecret,
    tokenTtlSeconds: config.token_ttl_seconds,
    loginMaxFailures: config.login_max_failures,
    loginWindowSeconds: config.login_window_seconds,
    trustedProxies: config.trusted_proxies,
    store,
    users,
    stream: streamStatus,
    ingest: ingest.counters,
    lastEventDt: () => ingest.lastCountedDt,
    ...(lease ? { lease: () => lease.lease.status() } : {}),
    log: log.child({ component: "http" }),
    // Skipped, not built and filtered, when the log level hides info lines.
    accessLog: config.access_log && (config.log_level === "info" || config.log_level === "debug"),
    metricsToken: config.metrics_token,
  });
  let port: number;
  try {
    port = listen(app, config.host, config.port);
  } catch (error) {
    await store.close();
    throw error;
  }
  log.info("listening", {
    url: `http://${config.host}:${port}`,
    storage: store.kind,
    stream_url: config.stream_url,
    ...(lease ? { instance: lease.lease.id } : {}),
  });

  // The stream starts once the store knows where the last run stopped, so nothing is skipped or re-counted.
  const savedPosition = (): Promise<string | undefined> =>
    retry(() => store.position(), {
      backoff: CASSANDRA_READ,
      signal,
      onRetry: (error, attempt, retryInMs) =>
        log.warn("reading the saved stream position failed; retrying", { error, attempt, retry_in_ms: retryInMs }),
    });
  const open = async (): Promise<StreamSource | undefined> => {
    const position = await savedPosition();
    if (signal.aborted) return undefined;
    if (position !== undefined) log.info("resuming stream", { position });
    return createStreamSource(config, ingest, log.child({ component: "stream" }), position);
  };
  if (lease) {
    runner = new LeaseRunner({ ...lease, open, log: log.child({ component: "lease" }) });
    log.info("standing by for the ingest lease", { instance: lease.lease.id, ttl_ms: config.lease_ttl_ms });
    runner.start();
  }
  const streamDone = (async () => {
    if (!config.ingest) {
      log.info("ingest is off: serving the totals other instances write to Cassandra");
      return;
    }
    if (runner) return runner.done;
    source = await open();
    await source?.run();
  })().catch((error) => {
    if (!signal.aborted) log.error("stream consumer crashed", { error });
  });

  return {
    port,
    store,
    ingest,
    streamDone,
    async stop() {
      stopping.abort();
      await app.stop();
      if (runner) {
        // Stream stopped, counts flushed, lease released: a standby takes over within lease_renew_ms.
        await runner.stop();
        await ingest.close();
        await store.close();
      } else if (source) {
        await source.stop();
        await streamDone;
        // Everything read is counted before the final flush, which saves the position with those counts.
        await ingest.close();
        await store.close();
      } else {
        // Still waiting for the store (Cassandra unreachable): closing it ends that wait.
        await store.close();
        await streamDone;
        await ingest.close();
      }
      log.info("stopped", { ...ingest.counters });
    },
  };
}

function generatedSecret(log: Logger): string {
  log.warn("jwt_secret is not set; using a random one, so tokens will not survive a restart");
  return randomBytes(32).toString("hex");
}
