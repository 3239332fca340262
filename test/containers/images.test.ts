// containers:prepare covers every image the container files name, and only base images.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtImages, namedImages, standInRecipe } from "./images.ts";

function project(dockerfile: string, compose: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wikitally-images-"));
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  writeFileSync(join(dir, "docker-compose.yml"), compose);
  return dir;
}

describe("namedImages", () => {
  test("lists FROM images, not the Dockerfile's own stages, and compose images that are not built", () => {
    const dir = project(
      "FROM --platform=linux/amd64 base:1 AS build\nRUN true\nfrom build AS again\nFROM runtime:2\nCOPY --from=again /x /x\n",
      "services:\n  db:\n    image: db:3\n  app:\n    build: .\n    image: app:local\n",
    );
    expect(namedImages(dir)).toEqual(["base:1", "runtime:2", "db:3"]);
    expect(builtImages(dir)).toEqual([{ image: "app:local", context: join(dir, "."), dockerfile: "Dockerfile" }]);
  });

  test("each image the repository's files name has a stand-in recipe for offline machines", () => {
    const images = namedImages();
    expect(images.length).toBe(3);
    for (const image of images) expect({ image, recipe: standInRecipe(image) !== undefined }).toEqual({ image, recipe: true });
  });

  test("the app image docker-compose.yml builds is built from the Dockerfile at the root", () => {
    expect(builtImages().map(({ image, dockerfile }) => ({ image, dockerfile }))).toEqual([
      { image: "wikitally:local", dockerfile: "Dockerfile" },
    ]);
  });
});
