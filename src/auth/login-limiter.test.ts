import { describe, expect, it } from "bun:test";
import { CLIENT_FACTOR, FIRST_DELAY_MS, LoginLimiter, MAX_DELAY_MS, type LimiterOptions } from "./login-limiter.ts";

/** A limiter on a hand-driven clock. */
function limiter(options: Partial<LimiterOptions> = {}) {
  const clock = { now: 1_000_000 };
  const l = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => clock.now, ...options });
  /** `n` attempts that all fail (nothing is called back: failures are counted when they begin). */
  const fail = (client: string, username: string, n = 1) => {
    for (let i = 0; i < n; i++) l.begin(client, username);
  };
  return { l, clock, fail };
}

describe("LoginLimiter", () => {
  it("lets a client that never failed in, at once", () => {
    const { l } = limiter();
    expect(l.begin("1.2.3.4", "admin")).toMatchObject({ retryAfterMs: 0, delayMs: 0 });
  });

  it.each([1, 2, 5])("allows %i failures per (address, username) and refuses that pair at the limit", (maxFailures) => {
    const { l, fail } = limiter({ maxFailures });
    fail("a", "admin", maxFailures - 1);
    expect(l.begin("a", "admin").retryAfterMs).toBe(0);
    expect(l.begin("a", "admin").retryAfterMs).toBeGreaterThan(0);
  });

  it("refuses the pair until the window that began with its first failure ends", () => {
    const { l, clock } = limiter({ windowMs: 60_000 });
    l.begin("a", "admin");
    clock.now += 10_000;
    l.begin("a", "admin");
    clock.now += 5_000;
    l.begin("a", "admin");
    expect(l.begin("a", "admin").retryAfterMs).toBe(45_000);
    clock.now += 44_999;
    expect(l.begin("a", "admin").retryAfterMs).toBe(1);
    clock.now += 1;
    expect(l.begin("a", "admin").retryAfterMs).toBe(0);
  });

  it("does not refuse the same username from another address", () => {
    const { l, fail } = limiter();
    fail("attacker", "admin", 10);
    expect(l.begin("attacker", "admin").retryAfterMs).toBeGreaterThan(0);
    expect(l.begin("office", "admin").retryAfterMs).toBe(0);
  });

  it("counts a username's failures whatever its case", () => {
    const { l, fail } = limiter();
    fail("a", "admin");
    fail("a", "Admin");
    fail("a", "ADMIN");
    expect(l.begin("a", "aDmIn").retryAfterMs).toBeGreaterThan(0);
  });

  it(`refuses an address after ${CLIENT_FACTOR} × maxFailures failures spread over usernames`, () => {
    const { l, fail } = limiter({ maxFailures: 3 });
    for (let i = 0; i < 3 * CLIENT_FACTOR - 1; i++) fail("sprayer", `user${i}`);
    expect(l.begin("sprayer", "fresh-name-1").retryAfterMs).toBe(0);
    expect(l.begin("sprayer", "fresh-name-2").retryAfterMs).toBeGreaterThan(0);
    expect(l.begin("elsewhere", "fresh-name-2").retryAfterMs).toBe(0);
  });

  it("slows down a username failing from many addresses, doubling the delay up to a cap, and never refuses it", () => {
    const { l } = limiter({ maxFailures: 3 });
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const attempt = l.begin(`10.0.0.${i}`, "admin");
      expect(attempt.retryAfterMs).toBe(0);
      delays.push(attempt.delayMs);
    }
    const d = FIRST_DELAY_MS;
    expect(delays).toEqual([0, 0, 0, d, 2 * d, 4 * d, 8 * d, 16 * d, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]);
    expect(16 * d).toBeLessThan(MAX_DELAY_MS);
    // The real user, from an address with no failures, gets in after the capped delay.
    expect(l.begin("198.51.100.1", "admin")).toMatchObject({ retryAfterMs: 0, delayMs: MAX_DELAY_MS });
    // Other usernames are not slowed down.
    expect(l.begin("198.51.100.1", "someone-else").delayMs).toBe(0);
  });

  it("forgets delays and refusals once the window has passed", () => {
    const { l, clock, fail } = limiter({ maxFailures: 1, windowMs: 1_000 });
    fail("a", "admin", 3);
    expect(l.begin("a", "admin").retryAfterMs).toBe(1_000);
    expect(l.begin("b", "admin").delayMs).toBeGreaterThan(0);
    clock.now += 1_000;
    expect(l.begin("a", "admin")).toMatchObject({ retryAfterMs: 0, delayMs: 0 });
  });

  it("clears the pair's count after a success, and does not hold the success against the address", () => {
    const { l, fail } = limiter({ maxFailures: 2 });
    fail("a", "admin");
    l.begin("a", "admin").succeeded();
    fail("a", "admin");
    expect(l.begin("a", "admin").retryAfterMs).toBe(0);
    // Successes from one address never add up to a refusal.
    const { l: l2 } = limiter({ maxFailures: 1 });
    for (let i = 0; i < 10; i++) {
      const attempt = l2.begin("a", `user${i}`);
      expect(attempt.retryAfterMs).toBe(0);
      attempt.succeeded();
    }
  });

  it("does not count an abandoned attempt anywhere", () => {
    const { l } = limiter({ maxFailures: 1 });
    for (let i = 0; i < 5; i++) {
      const attempt = l.begin("a", "admin");
      expect(attempt).toMatchObject({ retryAfterMs: 0, delayMs: 0 });
      attempt.abandoned();
    }
  });

  it("counts attempts when they begin, so attempts made at once cannot all pass", () => {
    const { l } = limiter({ maxFailures: 3 });
    const attempts = Array.from({ length: 10 }, () => l.begin("a", "admin"));
    expect(attempts.filter((a) => a.retryAfterMs === 0)).toHaveLength(3);
  });

  it("keeps memory bounded under a flood of distinct addresses", () => {
    const { l } = limiter({ maxFailures: 1, maxKeys: 300 });
    for (let i = 0; i < 10_000; i++) l.begin(`ip${i}`, "admin");
    expect(l.begin("ip9999", "admin").retryAfterMs).toBeGreaterThan(0);
    expect(l.begin("ip0", "admin").retryAfterMs).toBe(0);
  });

  it("uses the real clock when none is injected", () => {
    const l = new LoginLimiter({ maxFailures: 1, windowMs: 60_000 });
    l.begin("a", "admin");
    const wait = l.begin("a", "admin").retryAfterMs;
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });
});
