// A name for this process that no other process shares: it names the ingest lease's holder.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** "<host name>-<pid>-<random>": readable in /health and logs; the random part tells apart pids reused across restarts and containers. */
export function instanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
}
