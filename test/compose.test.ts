// Static checks of the container files: docker-compose.yml, Dockerfile, .dockerignore, and the
// environment variables README.md and the documents it links document, all against what the code actually knows.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CONFIG_KEYS, ConfigError, envName, loadConfig, SHIPPED_ADMIN_PASSWORD, type Config } from "../src/config/index.ts";

const ROOT = resolve(import.meta.dir, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** Every environment variable the config loader reads. */
const KNOWN_ENV: ReadonlySet<string> = new Set([...CONFIG_KEYS.map(envName), "CONFIG_FILE"]);

/** Variables of the official cassandra image (docker-entrypoint.sh, cassandra-env.sh), not ours. */
const isCassandraImageVar = (name: string) =>
  ["MAX_HEAP_SIZE", "HEAP_NEWSIZE", "JVM_OPTS", "JVM_EXTRA_OPTS", "LOCAL_JMX"].includes(name) || name.startsWith("CASSANDRA_");

type Yaml = Record<string, unknown>;
const isObject = (value: unknown): value is Yaml => typeof value === "object" && value !== null && !Array.isArray(value);

/** `environment:` in either compose form (map, or list of NAME=value), as a map. */
function environmentOf(service: Yaml): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((item) => {
        const text = String(item);
        const eq = text.indexOf("=");
        return eq < 0 ? [text, ""] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (!isObject(env)) throw new Error("environment is neither a map nor a list");
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** Names interpolated with ${NAME...} (or $NAME) in a text, ignoring $$ escapes. */
function interpolated(text: string): string[] {
  const names: string[] = [];
  for (const m of text.replaceAll("$$", "").matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    names.push((m[1] ?? m[2])!);
  }
  return names;
}

describe("docker-compose.yml", () => {
  const text = read("docker-compose.yml");
  const compose = Bun.YAML.parse(text) as Yaml;
  const services = (compose.services ?? {}) as Record<string, Yaml>;
  const cassandra = services.cassandra ?? {};
  const app = services.app ?? {};
  const appEnv = environmentOf(app);

  test("uses the Compose specification (no obsolete version key) and has the two services", () => {
    expect(isObject(compose)).toBe(true);
    expect(Object.keys(compose)).not.toContain("version");
    expect(Object.keys(services).sort()).toEqual(["app", "cassandra"]);
  });

  test("runs the Cassandra major the tests run against (db/cassandra/pom.xml), pinned to a release", () => {
    const pom = read("db/cassandra/pom.xml");
    const tested = /<artifactId>cassandra-all<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(pom)?.[1]?.trim();
    expect(tested).toBeDefined();
    const tag = /^cassandra:(\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$/.exec(String(cassandra.image));
    if (!tag) throw new Error(`cassandra.image ${String(cassandra.image)} is not cassandra:<x.y.z>`);
    expect(tag[1]!.split(".")[0]).toBe(tested!.split(".")[0]!);
  });

  test("Cassandra: cqlsh healthcheck with a start period, data on a named volume, no init scripts", () => {
    const healthcheck = cassandra.healthcheck as Yaml | undefined;
    expect(JSON.stringify(healthcheck?.test)).toContain("cqlsh");
    expect(healthcheck?.start_period).toBeDefined();
    expect(healthcheck?.retries).toBeGreaterThan(0);
    const volumes = (cassandra.volumes ?? []) as unknown[];
    const data = volumes.map(String).find((v) => v.split(":")[1] === "/var/lib/cassandra");
    if (!data) throw new Error("no volume mounted at /var/lib/cassandra");
    const source = data.split(":")[0]!;
    expect(source).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/); // a named volume, not a host path
    expect(Object.keys((compose.volumes ?? {}) as Yaml)).toContain(source);
    // The app applies db/init.cql itself; an init mount would race it.
    expect(JSON.stringify(cassandra.volumes ?? [])).not.toContain("docker-entrypoint-initdb.d");
  });

  test("Cassandra's environment holds only the image's own variables", () => {
    for (const name of Object.keys(environmentOf(cassandra)))
      expect({ name, imageVar: isCassandraImageVar(name) }).toEqual({ name, imageVar: true });
  });

  test("app: built from the Dockerfile, starts after a healthy Cassandra, publishes 7000, restarts", () => {
    const build = app.build;
    const dockerfile = isObject(build) ? (build.dockerfile ?? "Dockerfile") : "Dockerfile";
    const context = isObject(build) ? build.context : build;
    expect(context).toBe(".");
    expect(dockerfile).toBe("Dockerfile");
    expect((app.depends_on as Yaml | undefined)?.cassandra).toEqual({ condition: "service_healthy" });
    expect(((app.ports ?? []) as unknown[]).map(String)).toContain("7000:7000");
    expect(app.restart).toBe("unless-stopped");
  });

  test("app: healthcheck is the binary's own subcommand in exec form (no shell in distroless)", () => {
    const check = (app.healthcheck as Yaml | undefined)?.test;
    expect(Array.isArray(check)).toBe(true);
    expect((check as string[]).slice(0, 3)).toEqual(["CMD", "/wikitally", "healthcheck"]);
  });

  test("app: every environment variable set is one the config loader reads", () => {
    for (const name of Object.keys(appEnv)) expect({ name, known: KNOWN_ENV.has(name) }).toEqual({ name, known: true });
    expect(appEnv.STORAGE).toBe("cassandra");
    expect(appEnv.CASSANDRA_HOST?.split(",").every((host) => host.startsWith("cassandra"))).toBe(true);
  });

  test("every ${VAR} in the file is a config variable (Cassandra's image variables on its own service)", () => {
    const refs = interpolated(JSON.stringify({ ...compose, services: { ...services, cassandra: {} } }));
    for (const name of refs) expect({ name, known: KNOWN_ENV.has(name) }).toEqual({ name, known: true });
    for (const name of interpolated(JSON.stringify(cassandra))) {
      expect({ name, known: KNOWN_ENV.has(name) || isCassandraImageVar(name) }).toEqual({ name, known: true });
    }
  });

  test("secrets come from the environment, with local defaults that hold no secret and that the app warns about", () => {
    expect(appEnv.JWT_SECRET).toBe("${JWT_SECRET:-}");
    expect(appEnv.ADMIN_PASSWORD).toBe(`\${ADMIN_PASSWORD:-${SHIPPED_ADMIN_PASSWORD}}`);
  });

  test("the local defaults start: an empty JWT_SECRET counts as unset, the default password is valid", () => {
    const config = loadConfig({
      file: join(ROOT, "config.json"),
      env: { JWT_SECRET: "", ADMIN_PASSWORD: SHIPPED_ADMIN_PASSWORD, STORAGE: "cassandra" },
    });
    expect(config.jwt_secret).toBeUndefined();
    expect(config.admin_password).toBe(SHIPPED_ADMIN_PASSWORD);
  });

  test("the app's environment is accepted by the config loader on top of the image's config.json", () => {
    const env: Record<string, string> = { JWT_SECRET: "s".repeat(32), ADMIN_PASSWORD: "a-local-password" };
    for (const [name, value] of Object.entries(appEnv)) if (!value.includes("${")) env[name] = value;
    let config: Config;
    try {
      config = loadConfig({ file: join(ROOT, "config.json"), env });
    } catch (error) {
      if (error instanceof ConfigError) throw new Error(`docker-compose.yml app.environment: ${error.message}`);
      throw error;
    }
    expect(config.storage).toBe("cassandra");
    expect(config.port).toBe(7000);
  });
});

/** Dockerfile instructions, continuation lines joined, comments dropped, grouped by stage. */
function dockerfileStages(text: string): { from: string; name: string | undefined; lines: { op: string; args: string }[] }[] {
  const logical = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: ReturnType<typeof dockerfileStages> = [];
  for (const line of logical) {
    const [, op = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === "FROM") {
      const [, image = "", name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from: image, name, lines: [] });
    } else {
      stages.at(-1)?.lines.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** A tiny .dockerignore matcher: last matching pattern wins; a pattern matching a parent directory matches its files. */
function dockerignored(patterns: readonly string[], path: string): boolean {
  const parts = path.split("/");
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const glob = new Bun.Glob(pattern);
    for (let i = 1; i <= parts.length; i++) {
      if (glob.match(parts.slice(0, i).join("/"))) {
        ignored = !negated;
        break;
      }
    }
  }
  return ignored;
}

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .map((entry) => relative(ROOT, join(full, entry)))
    .filter((entry) => statSync(join(ROOT, entry)).isFile());
}

describe("Dockerfile", () => {
  const stages = dockerfileStages(read("Dockerfile"));
  const final = stages.at(-1)!;
  const build = stages[0]!;
  const finalOps = (op: string) => final.lines.filter((line) => line.op === op).map((line) => line.args);

  test("builds with the Bun version package.json pins (packageManager)", () => {
    const pkg = JSON.parse(read("package.json")) as { packageManager: string };
    const bun = /^bun@(\d+\.\d+\.\d+)$/.exec(pkg.packageManager)?.[1];
    expect(bun).toBeDefined();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.from).toMatch(new RegExp(`^oven/bun:${bun!.replaceAll(".", "\\.")}(@sha256:[0-9a-f]{64})?$`));
    expect(build.lines.some((l) => l.op === "RUN" && /bun install --frozen-lockfile/.test(l.args))).toBe(true);
    expect(build.lines.some((l) => l.op === "RUN" && /bun run build/.test(l.args))).toBe(true);
  });

  test("runs on distroless :nonroot as nonroot, exposing 7000", () => {
    expect(final.from).toMatch(/^gcr\.io\/distroless\/(cc|base)-debian\d+:nonroot(@sha256:[0-9a-f]{64})?$/);
    expect(finalOps("USER").at(-1)).toMatch(/^(nonroot|65532)(:(nonroot|65532))?$/);
    expect(finalOps("EXPOSE").join(" ").split(/\s+/)).toContain("7000");
  });

  test("final stage: exec-form HEALTHCHECK and ENTRYPOINT on the binary, no RUN (there is no shell)", () => {
    expect(finalOps("RUN")).toEqual([]);
    const health = finalOps("HEALTHCHECK").at(-1) ?? "";
    const healthCmd = /\bCMD\s+(\[.*\])\s*$/.exec(health)?.[1];
    if (!healthCmd) throw new Error(`HEALTHCHECK is not in exec form: ${health}`);
    expect((JSON.parse(healthCmd) as string[]).slice(0, 2)).toEqual(["/wikitally", "healthcheck"]);
    expect(JSON.parse(finalOps("ENTRYPOINT").at(-1) ?? "null")).toEqual(["/wikitally"]);
    for (const cmd of finalOps("CMD")) expect(cmd.startsWith("[")).toBe(true);
  });

  test("the image's default config (the repo's config.json) listens on 0.0.0.0:7000", () => {
    const copies = finalOps("COPY").filter((args) => !args.includes("--from="));
    expect(copies.some((args) => /^config\.json\s+\//.test(args))).toBe(true);
    const config = loadConfig({ file: join(ROOT, "config.json"), env: {} });
    expect({ host: config.host, port: config.port }).toEqual({ host: "0.0.0.0", port: 7000 });
  });

  test("every file the Dockerfile copies from the context exists and is not excluded by .dockerignore", () => {
    const patterns = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    const sources = stages
      .flatMap((stage) => stage.lines)
      .filter((line) => (line.op === "COPY" || line.op === "ADD") && !line.args.includes("--from="))
      .flatMap((line) =>
        line.args
          .split(/\s+/)
          .filter((word) => !word.startsWith("--"))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      const files = filesUnder(source).filter((file) => !file.endsWith(".test.ts"));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect({ file, ignored: dockerignored(patterns, file) }).toEqual({ file, ignored: false });
    }
    for (const path of [".env", ".git/config", "node_modules/elysia/package.json", "dist/wikitally", ".cache/x", "test/process.test.ts"]) {
      expect({ path, ignored: dockerignored(patterns, path) }).toEqual({ path, ignored: true });
    }
  });
});

/**
 * Upper-case words README.md may show in code that are not wikitally's config variables: variables
 * of the test and Cassandra scripts, of the cassandra image, of the shell; and non-variables.
 */
const NOT_CONFIG = new Set([
  // test/ and db/cassandra/
  "CASSANDRA_PORT",
  "CASSANDRA_PID",
  "JAVA_HOME",
  "WIKITALLY_REQUIRE_CASSANDRA",
  "WIKITALLY_FIXTURES",
  // test/bench/
  "BENCH_LOAD_TOOL",
  // test/browser/
  "CHROMIUM_PATH",
  "UPDATE_README_SCREENSHOT",
  // the local cluster (db/cassandra/)
  "CASSANDRA_NODES",
  "CASSANDRA_CLUSTER_PORT",
  "CASSANDRA_CLUSTER_HOST",
  "WIKITALLY_REQUIRE_CLUSTER",
  // CI and the shell
  "CI",
  "PATH",
  "HOME",
  // the cassandra image (docker-compose.yml); the oven/bun stand-in (test/containers/standins/bun.ts)
  "MAX_HEAP_SIZE",
  "HEAP_NEWSIZE",
  "NODE_EXTRA_CA_CERTS",
  // words, not variables
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "HEAD",
  "SIGTERM",
  "SIGINT",
  "SIGKILL",
  "JSON",
  "JWT",
  "SSE",
  "CQL",
  "API",
  "UTC",
  "URL",
  "TODO",
]);

/** Variable-looking names in README.md: `NAME` / `NAME=...` code spans, ${NAME}, and NAME=... in code blocks. */
function readmeEnvNames(markdown: string): string[] {
  const names = new Set<string>();
  const fences = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  for (const m of prose.matchAll(/`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`/g)) names.add(m[1]!);
  for (const m of markdown.matchAll(/\$\{?([A-Z][A-Z0-9_]{2,})/g)) names.add(m[1]!);
  for (const block of fences) {
    for (const m of block.matchAll(/(?:^|[\s"'(])([A-Z][A-Z0-9_]{2,})=/gm)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe("README.md", () => {
  test("finds variables in code spans, ${...} and code blocks, not in plain words", () => {
    const sample =
      "Set `PORT` or `LOG_LEVEL=debug`; GET `/stats` as `GET`.\n```sh\nJWT_SECRET=x ADMIN_PASSWORD=y ./wikitally\ndocker run -e STORAGE=cassandra ${CONFIG_FILE}\n```\nPLAIN_WORD=1";
    expect(readmeEnvNames(sample)).toEqual(["ADMIN_PASSWORD", "CONFIG_FILE", "GET", "JWT_SECRET", "LOG_LEVEL", "PORT", "STORAGE"]);
  });

  test("documents only environment variables the config loader reads (or listed non-config ones), as do the documents it links", () => {
    const path = join(ROOT, "README.md");
    if (!existsSync(path)) throw new Error("README.md is missing: it must document the configuration and its environment variables");
    const readme = readFileSync(path, "utf8");
    const linked = [...readme.matchAll(/\]\(([^)#\s:]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((doc) => existsSync(join(ROOT, doc)));
    expect(linked).toContain("src/config/README.md");
    const unknown = [["README.md", readme], ...linked.map((doc) => [doc, read(doc)])].flatMap(([doc, text]) =>
      readmeEnvNames(text!)
        .filter((name) => !KNOWN_ENV.has(name) && !NOT_CONFIG.has(name))
        .map((name) => `${doc}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
