import { afterEach, describe, expect, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { freeCassandraPort, portsFor } from "./free-ports.ts";

const held: TCPSocketListener[] = [];
afterEach(() => {
  for (const listener of held.splice(0)) listener.stop(true);
});

/** Occupies host:port for the rest of the test. */
function hold(host: string, port: number): void {
  held.push(Bun.listen({ hostname: host, port, socket: { data() {} } }));
}

/** Two candidates whose ports are all free now, far enough apart not to overlap. */
function candidates(): [number, number] {
  const first = freeCassandraPort(true);
  const second = freeCassandraPort(
    true,
    (function* () {
      for (let p = first + 2_000; ; p += 7) yield p > 29_000 ? p - 9_000 : p;
    })(),
  );
  return [first, second];
}

describe("freeCassandraPort", () => {
  test("takes the first candidate when every port it needs is free", () => {
    const [first, second] = candidates();
    expect(freeCassandraPort(false, [first, second])).toBe(first);
  });

  test("skips a candidate whose CQL port is taken (a Cassandra already listening there)", () => {
    const [first, second] = candidates();
    hold("127.0.0.1", first);
    expect(freeCassandraPort(false, [first, second])).toBe(second);
  });

  test("skips a candidate whose storage port (CQL + 1000) is taken", () => {
    const [first, second] = candidates();
    hold("127.0.0.1", first + 1000);
    expect(freeCassandraPort(false, [first, second])).toBe(second);
  });

  test("for the cluster, skips a candidate whose node 2 ports (127.0.0.2, CQL + 1 and + 1001) are taken", () => {
    const [first, second] = candidates();
    hold("127.0.0.2", first + 1001);
    expect(freeCassandraPort(false, [first, second])).toBe(first);
    expect(freeCassandraPort(true, [first, second])).toBe(second);
  });

  test("names every port the single node and the cluster bind", () => {
    expect(portsFor(25_000, true)).toEqual([
      ["127.0.0.1", 25_000],
      ["127.0.0.1", 26_000],
      ["127.0.0.1", 25_001],
      ["127.0.0.1", 26_001],
      ["127.0.0.2", 25_001],
      ["127.0.0.2", 26_001],
      ["127.0.0.3", 25_001],
      ["127.0.0.3", 26_001],
    ]);
  });

  test("says so when no candidate is free", () => {
    const [first] = candidates();
    hold("127.0.0.1", first);
    expect(() => freeCassandraPort(false, [first])).toThrow("no free CQL port found in 1 tries");
  });
});
