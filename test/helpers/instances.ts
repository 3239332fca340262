// Several wikitally processes on one keyspace, as replicas run: spawned, watched through /health and logs, killed.
import type { Subprocess } from "bun";
import { ROOT } from "./binary.ts";
import { testEnv, waitFor } from "./service.ts";

interface Health {
  status: string;
  store: { ready: boolean; pending_events: number };
  stream: { state: string; connections: number };
  ingest: { counted: number };
  lease?: { role: "leader" | "standby"; holder?: string; expires_in_ms: number };
}

export interface Instance {
  name: string;
  child: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** This process's lease holder id (from its "listening" line). */
  id: string;
}

/** Starts `bun src/main.ts` with `env` on top of the test defaults and waits until it listens. */
export async function spawnInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...testEnv({ LOG_LEVEL: "info", ...env }) },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: Record<string, unknown>[] = [];
  void pump(child.stdout, logs);
  const listening = await waitFor(
    async () => logs.find((e) => e.msg === "listening"),
    (e) => e !== undefined || child.exitCode !== null,
    30_000,
    `${name} to listen`,
  );
  if (listening === undefined) throw new Error(`${name} exited with ${child.exitCode}: ${await new Response(child.stderr).text()}`);
  // The id is on the "listening" line itself: a later line may not have been read yet.
  return { name, child, base: `http://127.0.0.1:${new URL(String(listening.url)).port}`, logs, id: String(listening.instance ?? "") };
}

async function pump(stream: ReadableStream<Uint8Array>, logs: Record<string, unknown>[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
  }
}

export async function health(instance: Instance): Promise<Health> {
  return (await fetch(`${instance.base}/health`)).json() as Promise<Health>;
}

/** Waits until exactly one of `instances` reports itself leader, and returns it. */
export async function theLeader(instances: readonly Instance[], timeoutMs = 30_000): Promise<Instance> {
  const roles = await waitFor(
    () => Promise.all(instances.map(async (i) => (await health(i)).lease?.role)),
    (r) => r.filter((role) => role === "leader").length === 1 && r.every((role) => role !== undefined),
    timeoutMs,
    "exactly one leader",
  );
  return instances[roles.indexOf("leader")]!;
}

/**
 * With the stream paused: waits until the leader has written everything it counted, position
 * included (nothing pending or in flight, and nothing new arriving). Returns how many it counted.
 */
export async function flushed(instance: Instance, timeoutMs = 20_000): Promise<number> {
  let last = -1;
  const h = await waitFor(
    async () => {
      const before = last;
      const now = await health(instance);
      last = now.ingest.counted;
      await Bun.sleep(200);
      return { ...now, stable: before === now.ingest.counted };
    },
    (h) => h.stable && h.store.pending_events === 0 && h.lease?.role === "leader",
    timeoutMs,
    `${instance.name} to flush`,
  );
  return h.ingest.counted;
}

/** An instance's warnings and errors, for a failing test's message. */
export function troubles(instance: Instance): string {
  const lines = instance.logs.filter((e) => e.level === "warn" || e.level === "error");
  return `${instance.name}:\n${lines.map((e) => `  ${e.time} ${e.component ?? ""} ${e.msg} ${e.error ?? ""}`).join("\n")}`;
}

/** SIGTERM and wait for the exit code. */
export async function stopInstance(instance: Instance): Promise<number> {
  instance.child.kill("SIGTERM");
  return instance.child.exited;
}

/** Never leaves a process behind, whatever state a test left it in. */
export function killAll(instances: Iterable<Instance>): void {
  for (const instance of instances) {
    instance.child.kill("SIGCONT");
    instance.child.kill("SIGKILL");
  }
}
