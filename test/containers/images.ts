// The base images the Dockerfile and docker-compose.yml name, and for each: already present, pulled, or a stand-in built here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { attempt, run, seconds, succeeds } from "./sh.ts";
import { buildBun } from "./standins/bun.ts";
import { buildCassandra } from "./standins/cassandra.ts";
import { buildDistrolessCc } from "./standins/distroless-cc.ts";
import { ROOT, STANDIN_LABEL } from "./standins/rootfs.ts";

/** FROM images of the Dockerfile (not its own stages) and image: of compose services that are not built. */
export function namedImages(root = ROOT): string[] {
  const images: string[] = [];
  const stages = new Set<string>();
  for (const [, image, stage] of readFileSync(join(root, "Dockerfile"), "utf8").matchAll(
    /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/gim,
  )) {
    if (!stages.has(image!.toLowerCase())) images.push(image!);
    if (stage) stages.add(stage.toLowerCase());
  }
  for (const service of Object.values(composeServices(root))) {
    if (service.image && service.build === undefined) images.push(service.image);
  }
  return [...new Set(images)];
}

interface ComposeFile {
  services?: Record<string, { image?: string; build?: string | { context?: string; dockerfile?: string } }>;
}

function composeServices(root: string): NonNullable<ComposeFile["services"]> {
  return (Bun.YAML.parse(readFileSync(join(root, "docker-compose.yml"), "utf8")) as ComposeFile).services ?? {};
}

/** The images docker-compose.yml builds: tag, context and Dockerfile of each service with both image: and build:. */
export function builtImages(root = ROOT): { image: string; context: string; dockerfile: string }[] {
  return Object.values(composeServices(root)).flatMap((service) => {
    if (!service.image || service.build === undefined) return [];
    const build = typeof service.build === "string" ? { context: service.build } : service.build;
    return [{ image: service.image, context: join(root, build.context ?? "."), dockerfile: build.dockerfile ?? "Dockerfile" }];
  });
}

/**
 * Builds an app image with the host's network. Containers (and so build steps) have no way out under
 * --iptables=false, but a later `docker compose up --build` reuses this build's cached layers,
 * `bun install` included, for as long as package.json and bun.lock stay the same.
 */
export async function buildWithHostNetwork(image: string, context: string, dockerfile: string): Promise<void> {
  // The legacy builder: BuildKit would first pull the Dockerfile's `# syntax=` frontend from Docker Hub.
  await run(["docker", "build", "--network=host", "--force-rm", "--file", join(context, dockerfile), "--tag", image, context], {
    env: LEGACY_BUILDER,
  });
}

/** How each image name is stood in for; the tag is the recipe's version. */
export function standInRecipe(name: string): ((name: string) => Promise<void>) | undefined {
  if (name.startsWith("oven/bun:")) return buildBun;
  if (name === "gcr.io/distroless/cc-debian12:nonroot") return buildDistrolessCc;
  if (name.startsWith("cassandra:")) return buildCassandra;
  return undefined;
}

/** Environment for `docker build` here: the legacy builder (no buildx, no registry for BuildKit's frontend). */
export const LEGACY_BUILDER = { DOCKER_BUILDKIT: "0" } as const;

type ImageSource = "present" | "present (stand-in)" | "pulled" | "stand-in built";

async function isStandIn(name: string): Promise<boolean> {
  const { stdout } = await attempt(["docker", "image", "inspect", "--format", `{{index .Config.Labels "${STANDIN_LABEL}"}}`, name]);
  return stdout.trim() === "true";
}

/** Makes `name` available to the engine: as it is, from its registry, or as a labelled stand-in. */
export async function ensureImage(name: string): Promise<ImageSource> {
  if (await succeeds(["docker", "image", "inspect", name])) return (await isStandIn(name)) ? "present (stand-in)" : "present";
  const pull = await attempt(["docker", "pull", "--quiet", name], { timeoutMs: 600_000 });
  if (pull.exitCode === 0) return "pulled";
  const recipe = standInRecipe(name);
  if (!recipe) throw new Error(`cannot pull ${name} (${pull.output.trim()}) and there is no stand-in recipe for it`);
  console.log(`  ${name}: cannot pull (${pull.output.trim().split("\n").at(-1)}); building a stand-in…`);
  const started = performance.now();
  await recipe(name);
  console.log(`  ${name}: stand-in imported (${seconds(started)})`);
  return "stand-in built";
}
