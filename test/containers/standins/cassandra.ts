// Stand-in for cassandra:<version>: Debian bookworm with Java 17, the project's cassandra-all jars from Maven Central, and cqlsh from PyPI.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cassandraVersion, JVM_FLAGS, resolveJars, SINGLE_NODE_FLAGS } from "../../../db/cassandra/local.ts";
import { run } from "../sh.ts";
import { cachedRoot, debootstrap, importImage, recipeDigest, ROOT, slim } from "./rootfs.ts";

const ENTRYPOINT = join(import.meta.dir, "cassandra-entrypoint.sh");
/** The uid/gid the official image gives its cassandra user. */
const CASSANDRA_UID = 999;
/** cqlsh for Cassandra 5.0 and its dependencies, pinned (pip resolves nothing). */
const CQLSH = [
  "cqlsh==6.2.2",
  "cassandra-driver==3.30.1",
  "click==8.5.1",
  "deprecated==1.3.1",
  "geomet==1.1.0",
  "pure-sasl==0.6.2",
  "wcwidth==0.9.4",
  "wrapt==2.5.2",
];

/** Installs cqlsh with the host's pip for the root's python3, whose minor version must match (wheels are per version). */
async function installCqlsh(root: string): Promise<void> {
  const inRoot = (await run(["chroot", root, "python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])).trim();
  const onHost = (await run(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])).trim();
  if (inRoot !== onHost)
    throw new Error(`cqlsh: the image has Python ${inRoot} but the host's python3 is ${onHost}; its wheels would not load`);
  await run(
    [
      "python3",
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--no-deps",
      "--no-compile",
      "--target",
      join(root, "opt/cqlsh"),
      ...CQLSH,
    ],
    {
      env: { PIP_ROOT_USER_ACTION: "ignore" },
    },
  );
  const wrapper = join(root, "usr/local/bin/cqlsh");
  writeFileSync(wrapper, '#!/bin/sh\nPYTHONPATH=/opt/cqlsh exec python3 -m cqlshlib "$@"\n');
  chmodSync(wrapper, 0o755);
}

export async function buildCassandra(name: string): Promise<void> {
  const version = cassandraVersion();
  if (name !== `cassandra:${version}`)
    throw new Error(`no stand-in recipe for ${name}: db/cassandra/pom.xml pins cassandra-all ${version}`);
  const digest = recipeDigest(
    readFileSync(import.meta.path),
    readFileSync(ENTRYPOINT),
    JVM_FLAGS.join(" "),
    SINGLE_NODE_FLAGS.join(" "),
    readFileSync(join(ROOT, "db/cassandra/cassandra.yaml")),
    readFileSync(join(ROOT, "db/cassandra/logback.xml")),
    name,
  );
  const tarball = await cachedRoot(`cassandra-${version}`, digest, async (root) => {
    await debootstrap(root, ["openjdk-17-jre-headless", "python3"]);
    await slim(root);
    const home = join(root, "opt/cassandra");
    mkdirSync(home, { recursive: true });
    await run(["cp", "-r", await resolveJars(version), join(home, "lib")]);
    // The flags db/cassandra/local.ts runs every node with; a lone node skips the ring waits there too.
    writeFileSync(join(home, "jvm.flags"), `${[...JVM_FLAGS, ...SINGLE_NODE_FLAGS].join("\n")}\n`);
    mkdirSync(join(root, "etc/cassandra"), { recursive: true });
    copyFileSync(join(ROOT, "db/cassandra/cassandra.yaml"), join(root, "etc/cassandra/cassandra.yaml"));
    copyFileSync(join(ROOT, "db/cassandra/logback.xml"), join(root, "etc/cassandra/logback.xml"));
    copyFileSync(ENTRYPOINT, join(root, "usr/local/bin/docker-entrypoint.sh"));
    chmodSync(join(root, "usr/local/bin/docker-entrypoint.sh"), 0o755);
    await installCqlsh(root);
    await run(["chroot", root, "groupadd", "--system", "--gid", `${CASSANDRA_UID}`, "cassandra"]);
    await run([
      "chroot",
      root,
      "useradd",
      "--system",
      "--uid",
      `${CASSANDRA_UID}`,
      "--gid",
      "cassandra",
      "--home-dir",
      "/var/lib/cassandra",
      "cassandra",
    ]);
    for (const dir of ["var/lib/cassandra", "var/log/cassandra"]) mkdirSync(join(root, dir), { recursive: true });
    await run(["chroot", root, "chown", "-R", "cassandra:cassandra", "/var/lib/cassandra", "/var/log/cassandra", "/etc/cassandra"]);
  });
  await importImage(tarball, name, {
    env: { CASSANDRA_HOME: "/opt/cassandra", CASSANDRA_CONF: "/etc/cassandra" },
    entrypoint: ["docker-entrypoint.sh"],
    cmd: ["cassandra", "-f"],
    expose: ["7000", "7001", "7199", "9042", "9160"],
    volumes: ["/var/lib/cassandra"],
  });
}
