import { afterEach, describe, expect, it } from "bun:test";
import type cassandra from "cassandra-driver";
import { createLogger } from "../log/logger.ts";
import type { CassandraConnection } from "../store/cassandra/connection.ts";
import { IngestLease } from "./ingest-lease.ts";

/**
 * The lease row as Cassandra would keep it, for the four statements lease-table.ts sends. `lagOnce`
 * moves the clock on while the next renewal is in flight (applied at once, answered late).
 */
function fakeCassandra(clock: { now: number }) {
  const state = { holder: undefined as string | undefined, expires: 0, lagOnce: 0, renewals: 0 };
  const live = () => (state.holder !== undefined && clock.now < state.expires ? state.holder : undefined);
  const result = (applied: boolean, row: Record<string, unknown> = {}) =>
    ({ wasApplied: () => applied, first: () => row }) as unknown as cassandra.types.ResultSet;
  const client = {
    async execute(query: string, params: unknown[]): Promise<cassandra.types.ResultSet> {
      await Bun.sleep(1);
      const holder = live();
      if (query.startsWith("SELECT")) return result(true, holder ? { holder, ttl: Math.ceil((state.expires - clock.now) / 1000) } : {});
      if (query.startsWith("INSERT")) {
        if (holder !== undefined) return result(false, { holder });
        state.holder = params[1] as string;
        state.expires = clock.now + (params[2] as number) * 1000;
        return result(true);
      }
      if (query.startsWith("UPDATE")) {
        if (holder !== params[3]) return result(false, { holder });
        state.expires = clock.now + (params[0] as number) * 1000;
        state.renewals++;
        clock.now += state.lagOnce;
        state.lagOnce = 0;
        return result(true);
      }
      if (holder !== params[1]) return result(false, { holder });
      state.holder = undefined;
      return result(true);
    },
  };
  const conn = { keyspace: "ks", isReady: true, whenReady: async () => client } as unknown as CassandraConnection;
  return { conn, state };
}

const leases: IngestLease[] = [];
afterEach(async () => {
  for (const lease of leases.splice(0)) await lease.stop();
});

function lease(conn: CassandraConnection, id: string, clock: { now: number }) {
  const l = new IngestLease(conn, { stream: "s", id, ttlMs: 4000, renewMs: 20, now: () => clock.now }, createLogger("error"));
  leases.push(l);
  return l;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await Bun.sleep(5);
  expect(cond()).toBe(true);
};

describe("IngestLease", () => {
  it("takes a free lease, holds it one TTL second short from when it asked, and lets one holder in at a time", async () => {
    const clock = { now: 1_000 };
    const { conn } = fakeCassandra(clock);
    const a = lease(conn, "a", clock);
    let led = 0;
    a.onLead = () => led++;
    a.start();
    await until(() => a.isLeader);
    expect(led).toBe(1);
    expect(a.status()).toEqual({ role: "leader", holder: "a", expires_in_ms: 3000 });
    expect(a.validForMs()).toBe(3000);

    const b = lease(conn, "b", clock);
    b.start();
    await until(() => b.status().holder === "a");
    expect(b.isLeader).toBe(false);
    expect(b.validForMs()).toBe(0);
  });

  it("counts validity from when the renewal was sent, not from when a slow answer came back", async () => {
    const clock = { now: 0 };
    const { conn, state } = fakeCassandra(clock);
    const a = lease(conn, "a", clock);
    a.start();
    await until(() => a.isLeader);
    const before = state.renewals;
    state.lagOnce = 2500;
    await until(() => state.renewals > before);
    await Bun.sleep(5);
    // Sent at t, answered at t + 2500: valid until t + 4000 - 1000, so 500 ms are left, not 3000.
    expect(a.validForMs()).toBe(500);
  });

  it("stands down when fenced, and when a renewal finds another holder", async () => {
    const clock = { now: 0 };
    const { conn, state } = fakeCassandra(clock);
    const a = lease(conn, "a", clock);
    const lost: string[] = [];
    a.onLose = (reason) => lost.push(reason);
    a.start();
    await until(() => a.isLeader);
    a.fenced();
    expect(a.isLeader).toBe(false);
    expect(a.validForMs()).toBe(0);
    await until(() => a.isLeader);
    state.holder = "z";
    await until(() => !a.isLeader);
    expect(lost).toHaveLength(2);
    await until(() => a.status().holder === "z");
    expect(a.status().role).toBe("standby");
  });

  it("releases the lease on stop, so a standby need not wait for the TTL", async () => {
    const clock = { now: 0 };
    const { conn, state } = fakeCassandra(clock);
    const a = lease(conn, "a", clock);
    a.start();
    await until(() => a.isLeader);
    await a.stop();
    expect(state.holder).toBeUndefined();
    expect(a.isLeader).toBe(false);
  });
});
