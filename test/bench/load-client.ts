// Fallback load generator when wrk is not installed: closed loop, N connections, for S seconds.
//   bun test/bench/load-client.ts <url> <connections> <seconds> <accept-encoding> [authorization header value]
// Prints one JSON line: { requests, rps, p50_ms, p99_ms, non2xx, errors }.
export {};

const [url = "", connections = "32", seconds = "5", acceptEncoding = "", authorization] = process.argv.slice(2);
const headers: Record<string, string> = { "Accept-Encoding": acceptEncoding, ...(authorization ? { Authorization: authorization } : {}) };
const latencies: number[] = [];
let non2xx = 0;
let errors = 0;
const start = performance.now();
const end = start + Number(seconds) * 1000;
await Promise.all(
  Array.from({ length: Number(connections) }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status < 200 || response.status >= 400) non2xx++;
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }),
);
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({ requests: latencies.length, rps: latencies.length / elapsed, p50_ms: at(50), p99_ms: at(99), non2xx, errors }),
);
