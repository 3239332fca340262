// The least a reader of the SSE stream does, run as a child: the denominator of steady-cpu's target.
//   bun test/bench/bare-reader.ts <sse url> <events> [main|worker]
// main:   fetch, getReader, decode, split on blank lines, JSON.parse of each data line, nothing else
// worker: the same, but each read's data lines are parsed on a worker thread, one message there and
//         one back per read, as the service's classifier hands a batch over
// Exits once <events> data lines were parsed into objects, printing { events } as one JSON line.
declare const self: Worker;

const countObjects = (lines: readonly string[]): number => {
  let objects = 0;
  for (const line of lines) {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null) objects++;
  }
  return objects;
};

if (Bun.isMainThread) {
  const [url = "", eventsArg = "0", mode = "main"] = process.argv.slice(2);
  const events = Number(eventsArg);
  if (mode !== "main" && mode !== "worker") throw new Error(`unknown mode ${mode}`);
  const worker = mode === "worker" ? new Worker(import.meta.path) : undefined;
  const answers: ((objects: number) => void)[] = [];
  if (worker) worker.onmessage = (message: MessageEvent<number>) => answers.shift()?.(message.data);
  const parse = (lines: string[]): number | Promise<number> =>
    worker ? new Promise((resolve) => (answers.push(resolve), worker.postMessage(lines))) : countObjects(lines);

  const response = await fetch(url, { headers: { Accept: "text/event-stream" } });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let seen = 0;
  while (seen < events) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended after ${seen} of ${events} events`);
    buffer += decoder.decode(value, { stream: true });
    const lines: string[] = [];
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      for (const line of buffer.slice(0, end).split("\n")) if (line.startsWith("data:")) lines.push(line.slice(5));
      buffer = buffer.slice(end + 2);
    }
    if (lines.length > 0) seen += await parse(lines);
  }
  console.log(JSON.stringify({ events: seen }));
  process.exit(0);
} else {
  self.onmessage = (message: MessageEvent<string[]>) => self.postMessage(countObjects(message.data));
}
