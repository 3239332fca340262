// Stand-in for oven/bun:<version>: Debian bookworm (minbase, slimmed) with Bun from its npm package at /usr/local/bin, as the real image lays it out.
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { run } from "../sh.ts";
import { CACHE, cachedRoot, debootstrap, importImage, recipeDigest, slim } from "./rootfs.ts";

/** Debian's folder for locally added CA certificates (update-ca-certificates adds them to the bundle). */
const LOCAL_CAS = "/usr/local/share/ca-certificates";
/** The real image's unprivileged user (it still runs as root unless told otherwise). */
const BUN_UID = 1000;

/** The npm package that carries the Linux x64 executable the `bun` package installs on a CPU with AVX2. */
function bunPackage(version: string): string {
  if (process.arch !== "x64") throw new Error(`no oven/bun stand-in recipe for ${process.arch}`);
  return `@oven/bun-linux-x64@${version}`;
}

async function fetchBun(version: string, into: string): Promise<void> {
  const downloads = join(CACHE, "downloads");
  mkdirSync(downloads, { recursive: true });
  // npm pack names the tarball <scope>-<name>-<version>.tgz.
  const tgz = join(downloads, `oven-bun-linux-x64-${version}.tgz`);
  if (!(await Bun.file(tgz).exists())) await run(["npm", "pack", "--silent", bunPackage(version)], { cwd: downloads });
  await run(["tar", "-xzf", tgz, "-C", into, "--strip-components=2", "package/bin/bun"]);
}

/**
 * The image trusts what this machine trusts: CAs added locally (e.g. a TLS-intercepting egress proxy
 * in front of the npm registry) join the bundle, which NODE_EXTRA_CA_CERTS hands to `bun install`.
 * Without them the Dockerfile's `bun install` fails here with SELF_SIGNED_CERT_IN_CHAIN.
 */
async function trustLocalCas(root: string): Promise<void> {
  const local = existsSync(LOCAL_CAS) ? readdirSync(LOCAL_CAS).filter((file) => file.endsWith(".crt")) : [];
  for (const file of local) copyFileSync(join(LOCAL_CAS, file), join(root, LOCAL_CAS, file));
  await run(["chroot", root, "update-ca-certificates"]);
}

function localCaDigestInput(): string {
  if (!existsSync(LOCAL_CAS)) return "";
  return readdirSync(LOCAL_CAS)
    .sort()
    .map((file) => readFileSync(join(LOCAL_CAS, file), "utf8"))
    .join("\n");
}

export async function buildBun(name: string): Promise<void> {
  const version = /^oven\/bun:(\d+\.\d+\.\d+)$/.exec(name)?.[1];
  if (!version) throw new Error(`no oven/bun stand-in recipe for ${name} (want oven/bun:<x.y.z>)`);
  const tarball = await cachedRoot(
    `oven-bun-${version}`,
    recipeDigest(readFileSync(import.meta.path), localCaDigestInput(), name),
    async (root) => {
      await debootstrap(root, ["ca-certificates"]);
      await trustLocalCas(root);
      await slim(root);
      const bin = join(root, "usr/local/bin");
      await fetchBun(version, bin);
      symlinkSync("bun", join(bin, "bunx"));
      const reported = (await run(["chroot", root, "/usr/local/bin/bun", "--version"])).trim();
      if (reported !== version) throw new Error(`the stand-in's bun reports ${reported}, not ${version}`);
      await run(["chroot", root, "groupadd", "--gid", `${BUN_UID}`, "bun"]);
      await run(["chroot", root, "useradd", "--uid", `${BUN_UID}`, "--gid", "bun", "--shell", "/bin/sh", "--create-home", "bun"]);
      mkdirSync(join(root, "home/bun/app"), { recursive: true });
      chownSync(join(root, "home/bun/app"), BUN_UID, BUN_UID);
    },
  );
  await importImage(tarball, name, {
    env: {
      BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
      BUN_INSTALL_BIN: "/usr/local/bin",
      NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt",
    },
    workdir: "/home/bun/app",
    cmd: ["/usr/local/bin/bun"],
  });
}
