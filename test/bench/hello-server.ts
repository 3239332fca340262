// The ceilings of the /stats load test: a bare Bun.serve, run as a child process.
export {};
//   bun test/bench/hello-server.ts                  "Hello, world!", nothing read from the request
//   bun test/bench/hello-server.ts <file>           a /stats-like answer: reads the three headers /stats
//                                                   reads, and sends the file's bytes (a brotli /stats
//                                                   body) with /stats' four headers
// The second is the least any Bun handler doing /stats' job costs: it tells framework and auth cost
// from the cost of the request and answer themselves.
const file = process.argv[2];
const body = file ? new Uint8Array(await Bun.file(file).arrayBuffer()) : undefined;
// A Headers object, made once: Bun builds a Response from one faster than from a plain object.
const headers = new Headers({ "Content-Type": "application/json", ETag: '"0123456789abc-br"', Vary: "Accept-Encoding", "Content-Encoding": "br" });
const answer = body
  ? (request: Request) => {
    request.headers.get("authorization");
    request.headers.get("accept-encoding");
    request.headers.get("if-none-match");
    return new Response(body, { headers });
  }
  : () => new Response("Hello, world!");
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: answer });
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => process.exit(0));
