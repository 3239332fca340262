import { describe, expect, it } from "bun:test";
import { LoginLimiter, type LimiterOptions } from "./login-limiter.ts";

/** A limiter on a hand-driven clock. */
function limiter(options: Partial<LimiterOptions> = {}) {
  const clock = { now: 1_000_000 };
  const l = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => clock.now, ...options });
  return { l, clock };
}

describe("LoginLimiter", () => {
  it("does not block a key that never failed", () => {
    const { l } = limiter();
    expect(l.blockedFor(["ip:1.2.3.4", "user:admin"])).toBe(0);
  });

  it.each([1, 2, 5])("allows %i failures below the limit and blocks at the limit", (maxFailures) => {
    const { l } = limiter({ maxFailures });
    for (let i = 0; i < maxFailures - 1; i++) {
      l.recordFailure(["user:admin"]);
      expect(l.blockedFor(["user:admin"])).toBe(0);
    }
    l.recordFailure(["user:admin"]);
    expect(l.blockedFor(["user:admin"])).toBeGreaterThan(0);
  });

  it("reports the time left until the window that began with the first failure ends", () => {
    const { l, clock } = limiter({ windowMs: 60_000 });
    l.recordFailure(["user:admin"]);
    clock.now += 10_000;
    l.recordFailure(["user:admin"]);
    clock.now += 5_000;
    l.recordFailure(["user:admin"]);
    // The window started 15 s ago; 45 s remain.
    expect(l.blockedFor(["user:admin"])).toBe(45_000);
    clock.now += 44_999;
    expect(l.blockedFor(["user:admin"])).toBe(1);
  });

  it("unblocks once the window has passed and starts counting afresh", () => {
    const { l, clock } = limiter({ maxFailures: 2, windowMs: 1_000 });
    l.recordFailure(["user:admin"]);
    l.recordFailure(["user:admin"]);
    expect(l.blockedFor(["user:admin"])).toBe(1_000);
    clock.now += 1_000;
    expect(l.blockedFor(["user:admin"])).toBe(0);
    // A single new failure is not enough: the old ones were forgotten.
    l.recordFailure(["user:admin"]);
    expect(l.blockedFor(["user:admin"])).toBe(0);
  });

  it("does not extend the block while further failures arrive inside the window", () => {
    const { l, clock } = limiter({ maxFailures: 1, windowMs: 10_000 });
    l.recordFailure(["user:admin"]);
    clock.now += 6_000;
    l.recordFailure(["user:admin"]);
    expect(l.blockedFor(["user:admin"])).toBe(4_000);
  });

  it("counts each key separately", () => {
    const { l } = limiter({ maxFailures: 2 });
    l.recordFailure(["ip:a", "user:alice"]);
    l.recordFailure(["ip:b", "user:alice"]);
    expect(l.blockedFor(["user:alice"])).toBeGreaterThan(0);
    expect(l.blockedFor(["ip:a"])).toBe(0);
    expect(l.blockedFor(["ip:b"])).toBe(0);
    expect(l.blockedFor(["user:bob"])).toBe(0);
  });

  it("blocks a request when any one of its keys is blocked, for the longest wait", () => {
    const { l, clock } = limiter({ maxFailures: 1, windowMs: 10_000 });
    l.recordFailure(["ip:a"]);
    clock.now += 3_000;
    l.recordFailure(["user:alice"]);
    expect(l.blockedFor(["ip:a", "user:bob"])).toBe(7_000);
    expect(l.blockedFor(["ip:c", "user:alice"])).toBe(10_000);
    expect(l.blockedFor(["ip:a", "user:alice"])).toBe(10_000);
    expect(l.blockedFor(["ip:c", "user:bob"])).toBe(0);
  });

  it("forgets a key on reset, leaving the others", () => {
    const { l } = limiter({ maxFailures: 1 });
    l.recordFailure(["ip:a", "user:alice"]);
    l.reset("user:alice");
    expect(l.blockedFor(["user:alice"])).toBe(0);
    expect(l.blockedFor(["ip:a"])).toBeGreaterThan(0);
  });

  it("takes back one failure per key on forgive", () => {
    const { l } = limiter({ maxFailures: 2 });
    l.recordFailure(["ip:a", "user:alice"]);
    l.recordFailure(["ip:a", "user:alice"]);
    l.forgive(["ip:a"]);
    expect(l.blockedFor(["ip:a"])).toBe(0);
    expect(l.blockedFor(["user:alice"])).toBeGreaterThan(0);
    l.recordFailure(["ip:a"]);
    expect(l.blockedFor(["ip:a"])).toBeGreaterThan(0);
  });

  it("gives no credit for forgiving a key that has no failures", () => {
    const { l, clock } = limiter({ maxFailures: 1, windowMs: 1_000 });
    l.forgive(["ip:a"]);
    l.forgive(["ip:a"]);
    l.recordFailure(["ip:a"]);
    expect(l.blockedFor(["ip:a"])).toBeGreaterThan(0);
    // Nor for a window that has already ended.
    clock.now += 1_000;
    l.forgive(["ip:a"]);
    l.recordFailure(["ip:a"]);
    expect(l.blockedFor(["ip:a"])).toBeGreaterThan(0);
  });

  it("forgets the least recently failed keys beyond maxKeys", () => {
    const { l } = limiter({ maxFailures: 1, maxKeys: 2 });
    l.recordFailure(["a"]);
    l.recordFailure(["b"]);
    l.recordFailure(["a"]); // a is now more recent than b
    l.recordFailure(["c"]);
    expect(l.blockedFor(["b"])).toBe(0);
    expect(l.blockedFor(["a"])).toBeGreaterThan(0);
    expect(l.blockedFor(["c"])).toBeGreaterThan(0);
  });

  it("keeps memory bounded under a flood of distinct keys", () => {
    const { l } = limiter({ maxFailures: 1, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) l.recordFailure([`ip:${i}`]);
    let blocked = 0;
    for (let i = 0; i < 10_000; i++) if (l.blockedFor([`ip:${i}`]) > 0) blocked++;
    expect(blocked).toBe(100);
    expect(l.blockedFor(["ip:9999"])).toBeGreaterThan(0);
    expect(l.blockedFor(["ip:0"])).toBe(0);
  });

  it("uses the real clock when none is injected", () => {
    const l = new LoginLimiter({ maxFailures: 1, windowMs: 60_000 });
    l.recordFailure(["user:x"]);
    const wait = l.blockedFor(["user:x"]);
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });
});
