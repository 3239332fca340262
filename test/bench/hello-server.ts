// The ceilings of the /stats load test: a bare Bun.serve, run as a child process.
export {};
//   bun test/bench/hello-server.ts                  "Hello, world!", nothing read from the request
//   bun test/bench/hello-server.ts <file>           a /stats-like answer: reads the three headers /stats
//                                                   reads, and sends the file's bytes (a brotli /stats
//                                                   body) with /stats' four headers
//   bun test/bench/hello-server.ts <file> <n>       the same, answered by n threads sharing the port
//                                                   (reusePort): whether more threads would help /stats
// The second is the least any Bun handler doing /stats' job costs: it tells framework and auth cost
// from the cost of the request and answer themselves.
declare const self: Worker;

/** Serves on `port` (0: any); with `file`, answering as /stats does. */
async function serve(port: number, file: string | undefined, shared: boolean) {
  const body = file ? new Uint8Array(await Bun.file(file).arrayBuffer()) : undefined;
  // A Headers object, made once: Bun builds a Response from one faster than from a plain object.
  const headers = new Headers({
    "Content-Type": "application/json",
    ETag: '"0123456789abc-br"',
    Vary: "Accept-Encoding",
    "Content-Encoding": "br",
  });
  const answer = body
    ? (request: Request) => {
        request.headers.get("authorization");
        request.headers.get("accept-encoding");
        request.headers.get("if-none-match");
        return new Response(body, { headers });
      }
    : () => new Response("Hello, world!");
  return Bun.serve({ hostname: "127.0.0.1", port, reusePort: shared, fetch: answer });
}

if (Bun.isMainThread) {
  const file = process.argv[2];
  const threads = Number(process.argv[3] ?? 1);
  const server = await serve(0, file, threads > 1);
  // Each further thread binds the same port; the kernel spreads connections over the listeners.
  const started = Array.from(
    { length: threads - 1 },
    () =>
      new Promise<void>((resolve) => {
        const worker = new Worker(import.meta.path);
        worker.onmessage = () => resolve();
        worker.postMessage({ port: server.port, file });
      }),
  );
  await Promise.all(started);
  console.log(JSON.stringify({ port: server.port }));
  process.on("SIGTERM", () => process.exit(0));
} else {
  self.onmessage = async (message: MessageEvent<{ port: number; file: string }>) => {
    await serve(message.data.port, message.data.file, true);
    self.postMessage("listening");
  };
}
