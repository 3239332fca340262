// The ceiling of the /stats load test: a bare Bun.serve, run as a child process.
//   bun test/bench/hello-server.ts [bodyBytes]
// Without an argument it answers "Hello, world!"; with one, a JSON string body of that size, built
// into a new Response per request as /stats does, to tell payload cost from framework cost.
const size = Number(process.argv[2] ?? 0);
const body = size > 0 ? JSON.stringify({ padding: "x".repeat(Math.max(0, size - 14)) }) : "Hello, world!";
const headers = size > 0 ? { "Content-Type": "application/json" } : {};
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body, { headers }) });
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => process.exit(0));
