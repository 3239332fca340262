// The import rules `bun run lint` enforces (src/README.md draws them): imports go one way, from the leaves up to
// src/main.ts, and no file imports itself round a cycle. Run from the repository root:
//   depcruise --config .ci/dependency-cruiser.cjs src db test
// A layer lists every folder of src/ it may import; anything else under src/ is forbidden to it, so a new folder
// belongs to no layer until this file names it.

/** Tests that sit beside the code they test. */
const TEST_FILE = "\\.test\\.ts$";

const LEAVES = ["version.ts", "config/", "log/", "retry/", "cache/", "stats/", "windows/", "cli/"];

/** A regular expression for the files under src/ that `names` (folders ending in "/", or file names) name. */
const under = (names) => `^src/(${names.map((n) => (n.endsWith("/") ? n : `${n.replaceAll(".", "\\.")}$`)).join("|")})`;

const layers = [
  { name: "leaves", from: LEAVES, may: LEAVES, why: "config, log, retry, cache, stats, windows and cli build on nothing else" },
  {
    name: "stream",
    from: ["stream/"],
    may: [...LEAVES, "stream/"],
    why: "ingest hands events to a sink interface of its own or of the leaves, never to src/store/",
  },
  { name: "store", from: ["store/"], may: [...LEAVES, "store/"], why: "the stores know nothing of who feeds or fences them" },
  {
    name: "lease",
    from: ["lease/"],
    may: [...LEAVES, "stream/", "store/", "lease/"],
    why: "the lease runs the stream source while it holds the lease, through the store's connection and interfaces",
  },
  { name: "auth", from: ["auth/"], may: [...LEAVES, "store/", "auth/"], why: "users live in the store's Cassandra connection" },
  {
    name: "metrics",
    from: ["metrics/"],
    may: [...LEAVES, "stream/", "store/", "lease/", "metrics/"],
    why: "metrics observe what lies below them; src/http/ mounts their route, not the other way round",
  },
  {
    name: "dashboard",
    from: ["dashboard/"],
    may: [...LEAVES, "stream/", "store/", "lease/", "dashboard/"],
    why: "the dashboard reads what lies below it; src/http/ mounts its route, not the other way round",
  },
  {
    name: "http",
    from: ["http/"],
    may: [...LEAVES, "stream/", "store/", "lease/", "auth/", "metrics/", "dashboard/", "http/"],
    why: "the app serves what lies below it; the wiring (backends.ts, service.ts) and main.ts build on it",
  },
  {
    name: "wiring",
    from: ["backends.ts", "service.ts"],
    may: [...LEAVES, "stream/", "store/", "lease/", "auth/", "metrics/", "dashboard/", "http/", "backends.ts", "service.ts"],
    why: "backends.ts and service.ts assemble everything below main.ts",
  },
];

const layerRules = layers.map(({ name, from, may, why }) => ({
  name: `layer-${name}`,
  comment: `${from.map((f) => `src/${f}`).join(", ")} may import only src/ ${may.join(", ")}: ${why}.`,
  severity: "error",
  // The service's own files; a test beside them may build real collaborators from any layer.
  from: { path: under(from), pathNot: TEST_FILE },
  to: { path: "^src/", pathNot: under(may) },
}));

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No file may import itself through others, type-only imports included: a cycle has no bottom to start from.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-src-to-test",
      comment: "The service never depends on its tests or their helpers (a test beside the code may use them).",
      severity: "error",
      from: { path: "^src/", pathNot: TEST_FILE },
      to: { path: "^test/" },
    },
    {
      name: "main-is-the-top",
      comment: "src/main.ts starts the process; nothing imports it (tests spawn it).",
      severity: "error",
      from: {},
      to: { path: "^src/main\\.ts$" },
    },
    ...layerRules,
    {
      name: "metrics-dashboard-see-types-only",
      comment:
        "src/metrics/ and src/dashboard/ may know stream/, store/ and lease/ by their types only: the objects are handed in by the wiring. Their tests build real ones.",
      severity: "error",
      from: { path: "^src/(metrics|dashboard)/", pathNot: TEST_FILE },
      to: { path: "^src/(stream|store|lease)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves; an import the cruiser cannot follow would escape every rule above.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|\\.cache)/" },
    // Type-only imports count: they bind the layers just as much, and tsc erases them only after the fact.
    tsPreCompilationDeps: true,
    // tsconfig.json allows importing ".ts" paths, which is how the code imports throughout.
    tsConfig: { fileName: "tsconfig.json" },
  },
};
