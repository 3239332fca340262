// Reference for the ingest benchmark, run as a child: the service's building blocks without the service.
//   bun test/bench/pipeline-child.ts <sse url> <events> <read|pipeline>
// read:     fetch + read the body to the end of the events, nothing else
// pipeline: fetch + SseParser (binaryData) + classifyBinary + Tally, as Ingest does, without HTTP API, store or logging
// Prints one JSON line: { eventsPerSecond, cpuMicrosPerEvent }, timed from the first body chunk.
import { classifyBinary } from "../../src/stats/classify.ts";
import { Tally } from "../../src/stats/tally.ts";
import { SseParser } from "../../src/stream/sse-parser.ts";

const [url = "", eventsArg = "0", mode = "pipeline"] = process.argv.slice(2);
const events = Number(eventsArg);
const tally = new Tally();
let seen = 0;
const parser = new SseParser(
  {
    onEvent(event) {
      seen++;
      const verdict = classifyBinary(event.data);
      if (typeof verdict === "object") tally.add(verdict);
    },
  },
  { binaryData: true },
);
const response = await fetch(url, { headers: { Accept: "text/event-stream" } });
const reader = response.body!.getReader();
let start = 0;
let blankLines = 0;
let afterLF = false;
let cpu = process.cpuUsage();
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  if (start === 0) {
    start = performance.now();
    cpu = process.cpuUsage();
  }
  if (mode === "read") {
    // Frames end with a blank line ("\n\n"), which may straddle two chunks; count those instead of parsing.
    for (let i = value.indexOf(10); i >= 0; i = value.indexOf(10, i + 1)) if (i > 0 ? value[i - 1] === 10 : afterLF) blankLines++;
    afterLF = value[value.length - 1] === 10;
    seen = blankLines - 1; // the server's ":ok" comment ends with one too
  } else parser.push(value);
  if (seen >= events) break;
}
const seconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
if (mode === "pipeline" && tally.messages !== events) throw new Error(`counted ${tally.messages} of ${events}`);
console.log(JSON.stringify({ eventsPerSecond: events / seconds, cpuMicrosPerEvent: (used.user + used.system) / events }));
process.exit(0);
