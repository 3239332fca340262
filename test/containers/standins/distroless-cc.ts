// Stand-in for gcr.io/distroless/cc-debian12:nonroot: the files of the same Debian 12 packages, no shell, no package manager.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../sh.ts";
import { cachedRoot, debootstrap, importImage, recipeDigest, scratch } from "./rootfs.ts";

/**
 * distroless/static (base-files, netbase, tzdata, the CA bundle), base (+ libc6, libssl3) and cc
 * (+ libgcc-s1, libgomp1, libstdc++6). Like distroless itself, the packages' files are unpacked, not
 * installed: no maintainer scripts ran in the image and no dpkg is there to run them.
 */
const DISTROLESS_CC_PACKAGES = [
  "base-files",
  "netbase",
  "tzdata",
  "ca-certificates",
  "libc6",
  "libssl3",
  "libgcc-s1",
  "libgomp1",
  "libstdc++6",
] as const;
const NONROOT = 65532;

const PASSWD = `root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin
`;
const GROUP = `root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:${NONROOT}:
`;

/** The file list dpkg keeps for a package (multi-arch ones are named pkg:arch.list). */
function packageFiles(debian: string, pkg: string): string[] {
  const info = join(debian, "var/lib/dpkg/info");
  const list = readdirSync(info).find((name) => name === `${pkg}.list` || (name.startsWith(`${pkg}:`) && name.endsWith(".list")));
  if (!list) throw new Error(`debootstrap did not install ${pkg}`);
  return readFileSync(join(info, list), "utf8")
    .split("\n")
    .filter((line) => line !== "" && line !== "/.");
}

/** dpkg's status stanza per package, as distroless ships them in /var/lib/dpkg/status.d/ for scanners. */
function statusStanzas(debian: string): Map<string, string> {
  const stanzas = new Map<string, string>();
  for (const stanza of readFileSync(join(debian, "var/lib/dpkg/status"), "utf8").split("\n\n")) {
    const name = /^Package: (\S+)/m.exec(stanza)?.[1];
    if (name) stanzas.set(name, `${stanza.trim()}\n`);
  }
  return stanzas;
}

async function fill(root: string): Promise<void> {
  const debian = scratch("distroless-cc-debootstrap");
  await debootstrap(
    debian,
    DISTROLESS_CC_PACKAGES.filter((pkg) => pkg !== "base-files" && pkg !== "libc6"),
  );
  // update-ca-certificates made the bundle in a maintainer script, so it is in no file list.
  // Debian 12's merged /usr: /lib, /lib64, /bin and /sbin are symlinks that no package lists, and the
  // loader path /lib64/ld-linux-x86-64.so.2 goes through one of them.
  // Paths are taken through them to /usr, and the symlinks themselves come last.
  const mergedUsr = ["/bin", "/sbin", "/lib", "/lib64"].filter((link) => isSymlink(join(debian, link)));
  const viaUsr = (file: string) => (mergedUsr.some((link) => file === link || file.startsWith(`${link}/`)) ? `/usr${file}` : file);
  const listed = [...DISTROLESS_CC_PACKAGES.flatMap((pkg) => packageFiles(debian, pkg)), "/etc/ssl/certs/ca-certificates.crt"].map(viaUsr);
  const files = [...new Set(listed)]
    .filter((file) => existsSync(join(debian, file)) || isSymlink(join(debian, file)))
    .concat(mergedUsr)
    .map((file) => `.${file}`);
  await run(["sh", "-c", `tar -C "$1" --no-recursion -cf - -T - | tar -C "$2" -xpf -`, "sh", debian, root], { input: files.join("\n") });
  const status = statusStanzas(debian);
  mkdirSync(join(root, "var/lib/dpkg/status.d"), { recursive: true });
  for (const pkg of DISTROLESS_CC_PACKAGES) writeFileSync(join(root, "var/lib/dpkg/status.d", pkg), status.get(pkg) ?? "");
  writeFileSync(join(root, "etc/passwd"), PASSWD);
  writeFileSync(join(root, "etc/group"), GROUP);
  for (const dir of ["tmp", "root", "home/nonroot"]) mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
  chmodSync(join(root, "root"), 0o700);
  chmodSync(join(root, "home/nonroot"), 0o700);
  chownSync(join(root, "home/nonroot"), NONROOT, NONROOT);
  await run(["rm", "-rf", debian]);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export async function buildDistrolessCc(name: string): Promise<void> {
  const tarball = await cachedRoot("distroless-cc-debian12", recipeDigest(readFileSync(import.meta.path), name), fill);
  await importImage(tarball, name, {
    env: { SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" },
    user: `${NONROOT}`,
    workdir: "/home/nonroot",
  });
}
