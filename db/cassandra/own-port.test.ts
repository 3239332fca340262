import { describe, expect, it } from "bun:test";
import { createServer, type Server } from "node:net";
import { ownPort, portsFree } from "./own-port.ts";

function listen(port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

describe("ownPort", () => {
  it("skips a port whose derived storage port is taken, and picks the next candidate", async () => {
    const first = await ownPort();
    // Taking first + 1000 (the single node's storage port) makes `first` unusable.
    const blocker = await listen(first + 1000);
    try {
      expect(await portsFree(first)).toBe(false);
      const draws = [first, first + 2];
      const chosen = await ownPort(() => {
        const next = draws.shift() ?? first + 2;
        return (next - 20_000) / (30_000 - 20_000 - 1001);
      });
      expect(chosen).not.toBe(first);
      expect(await portsFree(chosen)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it("never hands out a port another server already listens on", async () => {
    const port = await ownPort();
    const taken = await listen(port);
    try {
      expect(await portsFree(port)).toBe(false);
      await expect(ownPort(() => (port - 20_000) / (30_000 - 20_000 - 1001), 3)).rejects.toThrow("no free Cassandra ports");
    } finally {
      taken.close();
    }
  });
});
