// The compiled binary in a root that holds only what the Dockerfile's distroless image offers: the
// binary, glibc (plus libgcc_s for distroless/cc), passwd/group, a config file, /proc, /dev and a
// tmpfs /tmp on an otherwise read-only root, run as the image's nonroot user (65532).
//
// The mounts are made by `unshare --mount` in a private mount namespace that belongs to the chrooted
// process alone: they vanish with it, even if this test is killed, so none can leak onto the host and
// removing the temporary directory can never reach into a bind-mounted /dev or /proc.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, buildBinary, ROOT } from "./helpers/binary.ts";
import { expectFixtureStats, fixturePayloads } from "./helpers/fixtures.ts";
import { getStats, login, portOf, readLogUntil, testEnv, waitFor } from "./helpers/service.ts";
import { startSseServer, type SseServer } from "./helpers/sse-server.ts";

const NONROOT = 65532;
const CONFIG_IN_IMAGE = "/etc/wikitally/config.json";

/** The final stage's variant, cc or base, from the Dockerfile's last FROM. */
function distrolessVariant(): "cc" | "base" {
  const froms = [...readFileSync(join(ROOT, "Dockerfile"), "utf8").matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
  const variant = /^gcr\.io\/distroless\/(cc|base)-debian\d+:/.exec(froms.at(-1) ?? "")?.[1];
  if (variant !== "cc" && variant !== "base") throw new Error(`the Dockerfile's final stage is not distroless cc or base: ${froms.at(-1)}`);
  return variant;
}

/** Shared objects shipped by distroless/base-debian12 (glibc, OpenSSL) and the extra ones of cc. */
const BASE_LIBS = [
  "ld-linux-x86-64.so.2",
  "ld-linux-aarch64.so.1",
  "libc.so.6",
  "libm.so.6",
  "libdl.so.2",
  "libpthread.so.0",
  "librt.so.1",
  "libutil.so.1",
  "libresolv.so.2",
  "libssl.so.3",
  "libcrypto.so.3",
];
const CC_LIBS = [...BASE_LIBS, "libgcc_s.so.1", "libstdc++.so.6", "libgomp.so.1"];

/** The shared objects the binary loads, as resolved on this host by ldd (absolute paths). */
function lddPaths(binary: string): string[] {
  const ldd = Bun.spawnSync(["ldd", binary], { stdout: "pipe", stderr: "pipe" });
  if (ldd.exitCode !== 0) throw new Error(`ldd ${binary} failed: ${ldd.stderr.toString()}`);
  const text = ldd.stdout.toString();
  if (text.includes("not found")) throw new Error(`ldd cannot resolve every library:\n${text}`);
  return [...text.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

/** Whether the executable names a symbol in its dynamic string table (a NUL-delimited name). */
function importsSymbol(bytes: Uint8Array, name: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(`\0${name}\0`));
}

describe("the binary's libraries", () => {
  beforeAll(buildBinary, 120_000);

  test("are all shipped by the Dockerfile's distroless variant", () => {
    const offered = distrolessVariant() === "cc" ? CC_LIBS : BASE_LIBS;
    const needed = lddPaths(BINARY).map((path) => basename(path));
    expect(needed).toContain("libc.so.6");
    expect(needed.filter((lib) => !offered.includes(lib))).toEqual([]);
  });

  test("include libgcc_s at run time (glibc dlopens it for pthread_exit), so the image must be cc", async () => {
    // ldd cannot show this: glibc loads libgcc_s.so.1 on demand to unwind a thread in pthread_exit()
    // and aborts the process when it is missing; distroless/base does not ship it.
    // Checked, not assumed: if a Bun release stops importing them, this fails and the cc choice is revisited.
    const bytes = await Bun.file(BINARY).bytes();
    expect(["pthread_exit", "pthread_cancel"].filter((name) => importsSymbol(bytes, name))).not.toEqual([]);
    expect(distrolessVariant()).toBe("cc");
  });
});

const isRoot = process.platform === "linux" && process.getuid?.() === 0;
if (!isRoot) {
  console.warn(
    `\n!!! test/distroless.test.ts: not running as root on Linux (uid ${process.getuid?.()}, ${process.platform}).\n!!! The chroot test is SKIPPED: it needs root to chroot, mount and switch to uid ${NONROOT}. CI runs as root.\n`,
  );
}

/**
 * Mounts, in a new private mount namespace, the root read-only onto itself, a tmpfs on /tmp, /proc
 * (Bun reads /proc/self/exe to find the code embedded in the executable) and /dev, then runs the
 * command in the root as uid:gid 65532. `exec` keeps one process: the spawned pid is the binary's.
 */
const IN_ROOT = `set -eu
root=$1; shift
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$root/tmp"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc" 2>/dev/null || mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
exec chroot --userspec=${NONROOT}:${NONROOT} "$root" "$@"`;

/** The environment the image gives the process (distroless's, plus the Dockerfile's ENV). */
const IMAGE_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/home/nonroot",
  SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt",
  CONFIG_FILE: CONFIG_IN_IMAGE,
};

/** Every path under dir with its type, size, mode and mtime, to prove nothing was written. */
function snapshot(dir: string, at = ""): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(dir, at)).sort()) {
    const path = join(at, name);
    const st = lstatSync(join(dir, path));
    lines.push(`${path} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs}`);
    if (st.isDirectory()) lines.push(...snapshot(dir, path));
  }
  return lines;
}

/** The rest of a stream that readLogUntil has already read from (a Response would refuse it). */
async function readRest(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  return text + decoder.decode();
}

/** Mount points at or under `path` in this process's mount namespace. */
function mountsUnder(path: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === path || point.startsWith(`${path}/`));
}

describe.skipIf(!isRoot)("in a distroless-like root, read-only, as uid 65532", () => {
  const payloads = fixturePayloads();
  let server: SseServer;
  let tmp: string;
  let root: string;
  let before: string[];
  const children: Subprocess[] = [];

  function inRoot(args: string[], env: Record<string, string>) {
    const child = Bun.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", IN_ROOT, "sh", root, ...args], {
      env: { ...IMAGE_ENV, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    children.push(child);
    return child;
  }

  beforeAll(() => {
    server = startSseServer({ payloads, maxChunk: 4000, seed: 11, script: [], after: { kind: "events", end: "hold" } });
    tmp = mkdtempSync(join(tmpdir(), "wikitally-distroless-"));
    root = join(tmp, "root");
    for (const dir of ["etc/wikitally", "proc", "dev", "tmp", "home/nonroot"]) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, "tmp"), 0o1777);
    chownSync(join(root, "home/nonroot"), NONROOT, NONROOT);
    chmodSync(join(root, "home/nonroot"), 0o700);
    copyFileSync(BINARY, join(root, "wikitally"));
    chmodSync(join(root, "wikitally"), 0o755);
    // glibc as ldd resolves it, at the same paths (copyFileSync follows the host's symlinks).
    const libs = lddPaths(BINARY);
    if (distrolessVariant() === "cc") {
      const libc = libs.find((path) => basename(path) === "libc.so.6")!;
      const libgcc = join(dirname(libc), "libgcc_s.so.1");
      if (!existsSync(libgcc)) throw new Error(`${libgcc} is missing on this host; distroless/cc ships it`);
      libs.push(libgcc);
    }
    for (const lib of libs) {
      mkdirSync(join(root, dirname(lib)), { recursive: true });
      copyFileSync(lib, join(root, lib));
    }
    // As in distroless: no shell, so nologin; nonroot is 65532:65532 with home /home/nonroot.
    writeFileSync(
      join(root, "etc/passwd"),
      [
        "root:x:0:0:root:/root:/sbin/nologin",
        "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin",
        `nonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(root, "etc/group"), ["root:x:0:", "nobody:x:65534:", `nonroot:x:${NONROOT}:`, ""].join("\n"));
    // What the Dockerfile copies to /etc/wikitally/config.json.
    copyFileSync(join(ROOT, "config.json"), join(root, CONFIG_IN_IMAGE));
    before = snapshot(root);
  });

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    server?.stop();
    if (!tmp) return;
    // Only the private namespaces held mounts; make sure, and never delete through a mount.
    if (mountsUnder(tmp).length > 0) Bun.spawnSync(["umount", "--recursive", "--lazy", root]);
    const left = mountsUnder(tmp);
    if (left.length > 0) throw new Error(`mounts left under ${tmp}, not removing it: ${left.join(", ")}`);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("holds only the binary, the libraries, passwd/group and the config", () => {
    const files = snapshot(root)
      .map((line) => line.split(" ")[0]!)
      .filter((path) => !lstatSync(join(root, path)).isDirectory());
    expect(files.filter((path) => !/^(lib|lib64|usr\/lib)\//.test(path)).sort()).toEqual([
      "etc/group",
      "etc/passwd",
      "etc/wikitally/config.json",
      "wikitally",
    ]);
  });

  test("prints its version (a smoke test of the loader and /proc/self/exe)", async () => {
    const child = inRoot(["/wikitally", "--version"], {});
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out.trim()).toMatch(/^wikitally \d+\.\d+\.\d+/);
  });

  test("serves the fixture totals, passes its healthcheck, and exits 0 on SIGTERM", async () => {
    const started = performance.now();
    const env = testEnv({ STREAM_URL: server.url, LOG_LEVEL: "info" });
    const child = inRoot(["/wikitally"], env);
    const stderr = new Response(child.stderr).text();
    const seen: Record<string, unknown>[] = [];
    let listening: Record<string, unknown>;
    try {
      listening = await readLogUntil(child.stdout, (e) => e.msg === "listening", seen);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nstderr: ${await stderr}`);
    }
    const port = portOf(listening);
    const base = `http://127.0.0.1:${port}`;

    // It really is chrooted, as 65532:65532, on a read-only root.
    expect(readlinkSync(`/proc/${child.pid}/root`)).toBe(root);
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    expect(/^Uid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(Array(4).fill(String(NONROOT)));
    expect(/^Gid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(Array(4).fill(String(NONROOT)));
    // chroot, like Docker's USER, sets the groups /etc/group gives nonroot: its own, never root's.
    expect(/^Groups:\s*(.*)$/m.exec(status)?.[1]?.trim()).toBe(String(NONROOT));
    const mounts = readFileSync(`/proc/${child.pid}/mountinfo`, "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const [fields = "", fs = ""] = line.split(" - ");
        const f = fields.split(" ");
        return { point: f[4], options: f[5]?.split(","), type: fs.split(" ")[0] };
      });
    expect(mounts.findLast((m) => m.point === "/")?.options).toContain("ro");
    expect(mounts.findLast((m) => m.point === "/tmp")?.type).toBe("tmpfs");

    expect(await fetch(`${base}/status`).then((r) => r.json())).toEqual({ status: "ok" });
    const token = await login(base);
    expectFixtureStats(
      await waitFor(
        () => getStats(base, token),
        (s) => s.messages === payloads.length,
        20_000,
        "all events",
      ),
    );

    // The image's HEALTHCHECK exactly (config from CONFIG_FILE, port from PORT), then with --url.
    for (const args of [
      ["/wikitally", "healthcheck"],
      ["/wikitally", "healthcheck", "--url", base],
    ]) {
      const check = inRoot(args, { ...env, PORT: String(port) });
      expect({ args, code: await check.exited, stderr: await new Response(check.stderr).text() }).toEqual({ args, code: 0, stderr: "" });
    }

    // The dashboard's, /swagger's and the metrics' code come from inside the binary: the root holds no node_modules.
    for (const [path, file] of [
      ["/dashboard/uplot.js", "node_modules/uplot/dist/uPlot.iife.min.js"],
      ["/dashboard/uplot.css", "node_modules/uplot/dist/uPlot.min.css"],
      ["/swagger/assets/swagger-ui-bundle.js", "node_modules/swagger-ui-dist/swagger-ui-bundle.js"],
      ["/swagger/assets/swagger-ui.css", "node_modules/swagger-ui-dist/swagger-ui.css"],
      ["/dashboard/dashboard.js", "src/dashboard/page/dashboard.js"],
    ] as const) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(await response.text()).toBe(readFileSync(join(ROOT, file), "utf8"));
    }
    expect(await fetch(`${base}/`).then((r) => r.text())).toContain('data-stat="distinct_users"');
    expect(await fetch(`${base}/metrics`).then((r) => r.text())).toContain(`wikitally_events_total{outcome="counted"} ${payloads.length}`);

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const errors = await stderr;
    expect(errors).not.toContain("libgcc_s");
    expect(errors).not.toContain("panic");
    const rest = (await readRest(child.stdout))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const log = [...seen, ...rest];
    expect(log.filter((e) => e.level === "error")).toEqual([]);
    expect(log.some((e) => e.msg === "shutting down")).toBe(true);
    console.log(`distroless-like run: ${Math.round(performance.now() - started)} ms from start to exit`);
  });

  test("wrote nothing outside /tmp", () => {
    expect(snapshot(root)).toEqual(before);
  });
});
