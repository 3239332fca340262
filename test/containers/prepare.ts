// `bun run containers:prepare`: a Docker engine that answers, and every base image the container files name (idempotent).
import { ensureEngine } from "./engine.ts";
import { buildWithHostNetwork, builtImages, ensureImage, namedImages } from "./images.ts";
import { seconds } from "./sh.ts";

async function prepare(): Promise<void> {
  if (process.getuid?.() !== 0) console.warn("containers:prepare: not root; it can only use an engine and images that are already there.");
  const changes = await ensureEngine();
  for (const change of changes) console.log(`containers:prepare: ${change}`);
  if (changes.length === 0) console.log("containers:prepare: a Docker engine already answers; nothing installed or started.");
  for (const name of namedImages()) console.log(`containers:prepare: ${name}: ${await ensureImage(name)}`);
  for (const { image, context, dockerfile } of builtImages()) {
    const buildStarted = performance.now();
    await buildWithHostNetwork(image, context, dockerfile);
    console.log(
      `containers:prepare: ${image}: built from ${dockerfile} with the host's network (${seconds(buildStarted)}), so \`docker compose up --build\` finds \`bun install\` cached`,
    );
  }
}

const started = performance.now();
try {
  await prepare();
} catch (error) {
  console.error(`containers:prepare: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`containers:prepare: done in ${seconds(started)}.`);
