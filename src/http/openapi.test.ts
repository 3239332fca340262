import { describe, expect, test } from "bun:test";
import { testApp } from "../../test/helpers/app.ts";

interface Schema {
  example?: unknown;
  properties?: Record<string, Schema>;
}

/** An example for the whole schema, or one for each of its properties. */
const exemplified = (s: Schema): boolean =>
  s.example !== undefined || (s.properties !== undefined && Object.values(s.properties).every(exemplified));

interface Operation {
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}

async function spec(): Promise<Record<string, Record<string, Operation>>> {
  const app = testApp();
  const response = await app.handle(new Request("http://localhost/swagger/json"));
  return ((await response.json()) as { paths: Record<string, Record<string, Operation>> }).paths;
}

describe("the OpenAPI document", () => {
  test("describes every route, with an example for each answer and its error answers", async () => {
    const paths = await spec();
    expect(Object.keys(paths).sort()).toEqual([
      "/",
      "/health",
      "/login",
      "/metrics",
      "/ready",
      "/stats",
      "/stats/history",
      "/stats/series",
      "/stats/top",
      "/status",
    ]);
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, summary: !!op.summary, description: !!op.description }).toEqual({ where, summary: true, description: true });
        expect({ where, has405: "405" in op.responses }).toEqual({ where, has405: true });
        for (const [status, answer] of Object.entries(op.responses)) {
          const schemas = Object.values(answer.content ?? {}).map((c) => c.schema);
          const documented = { described: !!answer.description, example: schemas.length > 0 && schemas.every(exemplified) };
          expect({ where, status, ...documented }).toEqual({ where, status, described: true, example: true });
        }
      }
    }
    expect(Object.keys(paths["/login"]!.post!.responses).sort()).toEqual(["200", "400", "401", "405", "413", "429", "503"]);
    expect(exemplified(paths["/login"]!.post!.requestBody!.content["application/json"]!.schema)).toBe(true);
    for (const path of ["/stats", "/stats/top", "/stats/series"]) {
      const get = paths[path]!.get as Operation & { parameters?: { name: string; schema: Schema }[] };
      expect(Object.keys(get.responses)).toContain("400");
      for (const p of get.parameters ?? [])
        expect({ path, name: p.name, example: exemplified(p.schema) }).toEqual({ path, name: p.name, example: true });
    }
    expect((paths["/stats/top"]!.get as { parameters?: { name: string }[] }).parameters?.map((p) => p.name).sort()).toEqual([
      "bot",
      "by",
      "from",
      "limit",
      "to",
    ]);
    for (const path of ["/stats", "/stats/history"]) expect(Object.keys(paths[path]!.get!.responses)).toContain("401");
    expect(Object.keys(paths["/ready"]!.get!.responses)).toContain("503");
  });
});
