// Runs a real Apache Cassandra node (or one node of a local cluster: cluster.ts) from Maven Central jars with plain `java`.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { auth as auth_, Client } from "cassandra-driver";

const HERE = import.meta.dir;
const CACHE = resolve(HERE, "../../.cache/cassandra");
export const HOST = "127.0.0.1";
export const DEFAULT_PORT = 9042;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

/** The pinned cassandra-all version; db/cassandra/pom.xml is its only source of truth. */
export function cassandraVersion(): string {
  const pom = readFileSync(join(HERE, "pom.xml"), "utf8");
  const match = /<artifactId>cassandra-all<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(pom);
  if (!match?.[1]) throw new Error("db/cassandra/pom.xml: no <version> for cassandra-all");
  return match[1].trim();
}

/** CASSANDRA_PORT, else 9042. */
export function portFromEnv(): number {
  const raw = process.env.CASSANDRA_PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 64_535) throw new Error(`CASSANDRA_PORT=${raw} is not a usable port`);
  return port;
}

/**
 * One node's files: .cache/cassandra/<port> for the single node, .cache/cassandra/<port>/node<N> for
 * node N of a cluster (see cluster.ts), so a cluster and a single node on one port never share data.
 */
export function instanceDir(port: number, node = 0): string {
  return node === 0 ? join(CACHE, String(port)) : join(CACHE, String(port), `node${node}`);
}

function pidFile(port: number, node = 0): string {
  return join(instanceDir(port, node), "cassandra.pid");
}

export function logFile(port: number, node = 0): string {
  return join(instanceDir(port, node), "cassandra.log");
}

/** The superuser a fresh node with PasswordAuthenticator creates. */
export const DEFAULT_SUPERUSER = { username: "cassandra", password: "cassandra" } as const;

/** release_version of the node answering CQL at host:port, or undefined if none answers within timeoutMs. */
export async function releaseVersion(host: string, port: number, timeoutMs = 3_000, auth = false): Promise<string | undefined> {
  const client = new Client({
    contactPoints: [host],
    localDataCenter: "datacenter1",
    protocolOptions: { port },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    ...(auth ? { authProvider: new auth_.PlainTextAuthProvider(DEFAULT_SUPERUSER.username, DEFAULT_SUPERUSER.password) } : {}),
  });
  try {
    const result = await client.execute("SELECT release_version FROM system.local");
    return String(result.first()?.get("release_version") ?? "unknown");
  } catch {
    return undefined;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** True if `SELECT release_version FROM system.local` answers at host:port within 3 s. */
export async function isCassandraReachable(host: string, port: number): Promise<boolean> {
  return (await releaseVersion(host, port)) !== undefined;
}

/** Copies the runtime jars once per version; Maven's ~/.m2 makes a re-resolve cheap, the folder makes it free. */
const resolving = new Map<string, Promise<string>>();

/** Once per process and version: with-cassandra.ts may start a node and a cluster at the same time. */
export function resolveJars(version: string = cassandraVersion()): Promise<string> {
  let jars = resolving.get(version);
  if (jars === undefined) resolving.set(version, (jars = resolveJarsOnce(version)));
  return jars;
}

async function resolveJarsOnce(version: string): Promise<string> {
  const lib = join(CACHE, `lib-${version}`);
  if (existsSync(lib)) return lib;
  mkdirSync(CACHE, { recursive: true });
  // Resolve into a private folder and rename, so a half-finished or concurrent resolve never looks complete.
  const staging = `${lib}.tmp-${process.pid}`;
  console.log(`Resolving Cassandra ${version} jars with Maven (first run only)…`);
  const mvn = Bun.spawn(
    [
      "mvn",
      "-B",
      "-q",
      "-f",
      join(HERE, "pom.xml"),
      "dependency:copy-dependencies",
      `-DoutputDirectory=${staging}`,
      "-DincludeScope=runtime",
    ],
    // Piped, not inherited: even -B -q prints stray ANSI resets; the output only matters on failure.
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const [output, errors, code] = await Promise.all([new Response(mvn.stdout).text(), new Response(mvn.stderr).text(), mvn.exited]);
  if (code !== 0) {
    console.error(output + errors);
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn could not resolve org.apache.cassandra:cassandra-all:${version}`);
  }
  try {
    renameSync(staging, lib);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(lib)) throw error;
  }
  return lib;
}

export function jammJar(lib: string): string {
  const jamm = new Bun.Glob("jamm-*.jar").scanSync({ cwd: lib }).next().value;
  if (typeof jamm !== "string") throw new Error(`no jamm jar in ${lib}; delete that folder to re-resolve`);
  return join(lib, jamm);
}

// Cassandra and its libraries reach into JDK internals: conf/jvm17-server.options, plus java.nio and
// jmx.remote.security from the shared notes (harmless if unneeded).
const JAVA17_MODULE_FLAGS = [
  ...[
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
    "java.management/com.sun.jmx.remote.security",
  ].map((pkg) => `--add-exports=${pkg}=ALL-UNNAMED`),
  ...[
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "java.base/java.lang",
    "java.base/java.util",
    "java.base/java.nio",
    "jdk.management/com.sun.management.internal",
    "jdk.compiler/com.sun.tools.javac",
  ].map((pkg) => `--add-opens=${pkg}=ALL-UNNAMED`),
];

/** JVM flags every node here runs with (heap, paths and ports aside); the container stand-in reuses them. */
export const JVM_FLAGS: readonly string[] = [
  "-XX:+UseG1GC",
  "-Xss256k",
  "-XX:+ExitOnOutOfMemoryError",
  "-Djdk.attach.allowAttachSelf=true",
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Djava.net.preferIPv4Stack=true",
  ...JAVA17_MODULE_FLAGS,
];

/**
 * A lone node has no ring to wait for, and a cluster's nodes start empty with fixed tokens (no
 * bootstrap streaming): skip gossip settling and ring delays.
 */
function ringFlags(initialToken: string): string[] {
  return [
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    `-Dcassandra.initial_token=${initialToken}`,
    "-Dcassandra.ring_delay_ms=1",
    "-Dcassandra.superuser_setup_delay_ms=0",
  ];
}

/** The flags of a single node (as the container stand-in runs it). */
export const SINGLE_NODE_FLAGS: readonly string[] = ringFlags("0");

/**
 * cassandra.yaml, or for `auth` a copy in the instance folder with PasswordAuthenticator, for tests
 * of credentials. Cassandra has no system property for the authenticator, hence the copy.
 */
function configFile(port: number, auth: boolean): string {
  const base = join(HERE, "cassandra.yaml");
  if (!auth) return base;
  const yaml = readFileSync(base, "utf8").replace(
    "class_name: org.apache.cassandra.auth.AllowAllAuthenticator",
    "class_name: org.apache.cassandra.auth.PasswordAuthenticator",
  );
  if (!yaml.includes("PasswordAuthenticator")) throw new Error("cassandra.yaml has no AllowAllAuthenticator line to replace");
  mkdirSync(instanceDir(port), { recursive: true });
  const file = join(instanceDir(port), "cassandra-auth.yaml");
  writeFileSync(file, yaml);
  return file;
}

/** How one node differs from the single default node: cluster.ts fills these in for node N of a cluster. */
export interface NodeSpec {
  port: number;
  /** 0 for the single node; 1..N for the nodes of a cluster. */
  node: number;
  host: string;
  /** The cassandra.yaml to use. */
  config: string;
  initialToken: string;
  heap: string;
}

function javaArgs(lib: string, spec: NodeSpec): string[] {
  const { port, node } = spec;
  const dir = instanceDir(port, node);
  return [
    "-cp",
    `${lib}/*`,
    `-javaagent:${jammJar(lib)}`,
    `-Xms${spec.heap}`,
    `-Xmx${spec.heap}`,
    ...JVM_FLAGS,
    `-Dcassandra.config=${pathToFileURL(spec.config).href}`,
    `-Dlogback.configurationFile=${join(HERE, "logback.xml")}`,
    `-Dcassandra.storagedir=${join(dir, "data")}`,
    `-Dcassandra.logdir=${join(dir, "logs")}`,
    "-Dcassandra-foreground=yes",
    // Per-instance ports override cassandra.yaml; the gossip port follows the CQL port so instances never collide.
    `-Dcassandra.native_transport_port=${port}`,
    `-Dcassandra.storage_port=${port + 1000}`,
    ...ringFlags(spec.initialToken),
    "org.apache.cassandra.service.CassandraDaemon",
  ];
}

/** True if pid is a live (not zombie) CassandraDaemon; where /proc is missing, any live pid counts. */
function isCassandraPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== "Z" && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("CassandraDaemon");
  } catch {
    return !existsSync("/proc/self");
  }
}

/** The pid from the pid file if that process is still our Cassandra; clears a stale pid file. */
export function runningPid(port: number, node = 0): number | undefined {
  const file = pidFile(port, node);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (Number.isInteger(pid) && pid > 0 && isCassandraPid(pid)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

function lastLines(file: string, count: number): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
}

async function waitUntilReady(
  host: string,
  port: number,
  pid: number,
  child: ChildProcess | undefined,
  startedAt: number,
  auth: boolean,
): Promise<string> {
  const deadline = startedAt + READY_TIMEOUT_MS;
  let nextProgress = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const version = await releaseVersion(host, port, 2_000, auth);
    if (version !== undefined) {
      console.log(`Cassandra ${version} ready at ${host}:${port} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      return version;
    }
    if (child ? child.exitCode !== null || child.signalCode !== null : !isCassandraPid(pid)) {
      throw new Error(`Cassandra (pid ${pid}) exited during startup`);
    }
    if (Date.now() >= nextProgress) {
      console.log(`  waiting for CQL on ${host}:${port}… ${Math.round((Date.now() - startedAt) / 1000)} s`);
      nextProgress += 5_000;
    }
    await Bun.sleep(500);
  }
  throw new Error(`Cassandra did not answer CQL on ${host}:${port} within ${READY_TIMEOUT_MS / 1000} s`);
}

export interface CassandraUpOptions {
  port?: number;
  /** Wipe .cache/cassandra/<port>/data before starting. */
  fresh?: boolean;
  /** Require passwords (PasswordAuthenticator, superuser cassandra/cassandra). */
  auth?: boolean;
}

export interface CassandraInstance {
  host: string;
  port: number;
  /** "host:port", the CASSANDRA_HOST convention. */
  contactPoint: string;
  version: string;
  /** False when a server already answered and nothing was started. */
  started: boolean;
}

/** Starts a detached Cassandra on 127.0.0.1:port (no-op if one answers) and resolves once CQL answers. */
export async function cassandraUp({
  port = DEFAULT_PORT,
  fresh = false,
  auth = false,
}: CassandraUpOptions = {}): Promise<CassandraInstance> {
  return startNode({ port, node: 0, host: HOST, config: configFile(port, auth), initialToken: "0", heap: "1G" }, fresh, auth);
}

/** Starts one node as `spec` says (no-op if its host:port answers) and resolves once CQL answers. */
export async function startNode(spec: NodeSpec, fresh = false, auth = false): Promise<CassandraInstance> {
  const { port, node, host } = spec;
  const contactPoint = `${host}:${port}`;
  const answering = await releaseVersion(host, port, 3_000, auth);
  if (answering !== undefined) {
    console.log(
      `Cassandra ${answering} already answers at ${contactPoint}; nothing to do${fresh ? " (--fresh ignored: run down first)" : ""}.`,
    );
    return { host, port, contactPoint, version: answering, started: false };
  }
  const startedAt = Date.now();
  // A node from an earlier `up` may still be booting (or be SIGSTOPped): wait for it rather than start a second one.
  const existing = runningPid(port, node);
  if (existing !== undefined) {
    if (fresh) throw new Error(`Cassandra (pid ${existing}) is running but not answering on ${contactPoint}; run down before --fresh`);
    console.log(`Cassandra pid ${existing} is running but not answering yet; waiting for it…`);
    const version = await waitUntilReady(host, port, existing, undefined, startedAt, auth);
    return { host, port, contactPoint, version, started: false };
  }

  const lib = await resolveJars(cassandraVersion());
  const dir = instanceDir(port, node);
  if (fresh) rmSync(join(dir, "data"), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const log = logFile(port, node);
  const out = openSync(log, "w");
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  // detached: its own session, so it outlives this script and a Ctrl-C in the terminal that ran `up`.
  const child = spawn(java, javaArgs(lib, spec), { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${java}`);
  child.unref();
  writeFileSync(pidFile(port, node), `${pid}\n`);
  console.log(`Starting Cassandra on ${contactPoint} (pid ${pid}, log ${log})…`);

  try {
    const version = await waitUntilReady(host, port, pid, child, startedAt, auth);
    return { host, port, contactPoint, version, started: true };
  } catch (error) {
    console.error(`--- last 40 lines of ${log} ---\n${lastLines(log, 40)}\n---`);
    killCassandra(port, node);
    throw error;
  }
}

/**
 * SIGKILL the node started for this port, synchronously, for a start that failed or is being interrupted:
 * a signal handler can call it and exit at once, before the start reports the death as a failure.
 */
export function killCassandra(port: number, node = 0): void {
  const pid = runningPid(port, node);
  if (pid !== undefined) process.kill(pid, "SIGKILL");
  rmSync(pidFile(port, node), { force: true });
}

/** SIGTERM the node started for this port, SIGKILL after 30 s; no-op if none runs. */
export async function cassandraDown(port: number = DEFAULT_PORT, node = 0): Promise<void> {
  const pid = runningPid(port, node);
  if (pid === undefined) {
    console.log(`No Cassandra started by local.ts runs for port ${port}${node ? ` (node ${node})` : ""}.`);
    return;
  }
  const stoppedAt = Date.now();
  process.kill(pid, "SIGTERM");
  // A SIGSTOPped JVM would sit on the SIGTERM until continued.
  process.kill(pid, "SIGCONT");
  while (isCassandraPid(pid) && Date.now() < stoppedAt + STOP_TIMEOUT_MS) await Bun.sleep(200);
  if (isCassandraPid(pid)) {
    console.log(`Cassandra pid ${pid} still running after ${STOP_TIMEOUT_MS / 1000} s; sending SIGKILL.`);
    process.kill(pid, "SIGKILL");
    while (isCassandraPid(pid)) await Bun.sleep(100);
  }
  rmSync(pidFile(port, node), { force: true });
  console.log(`Stopped Cassandra pid ${pid} on port ${port} (${((Date.now() - stoppedAt) / 1000).toFixed(1)} s).`);
}
