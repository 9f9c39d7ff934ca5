import { afterEach, describe, expect, it } from "vitest";
import { HARD_FACTOR, IN_FLIGHT_MAX_MS, type Counter, admit, assertNotRefused, clearBlocks, countFailure, failureKeys } from "../../src/abuse/limits.ts";
import { StsError } from "../../src/errors.ts";

/** A counter as the Durable Object keeps it: one fixed window, a count per key. */
function counter(resetAt: number): Counter {
  const counts = new Map<string, number>();
  return {
    hit: async (key: string) => {
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { count, resetAt };
    },
  } as Counter;
}

const refused = (name: string, address: string, limit: number, now: number): boolean => {
  try {
    assertNotRefused(failureKeys(name, address), limit, now);
    return false;
  } catch (e) {
    if (e instanceof StsError && e.code === "rate_limited") return true;
    throw e;
  }
};

describe("failed-authentication limits in the isolate", () => {
  afterEach(() => clearBlocks());

  it("a name locked out for everyone stays locked while a flood of first failures under fresh long names passes", async () => {
    const now = 1_000_000;
    const limit = 2;
    const c = counter(now + 300_000);
    // The victim's name over the hard limit, from addresses that each fail once.
    for (let i = 0; i <= limit * HARD_FACTOR; i++) await countFailure(c, failureKeys("victim", `10.0.${i >> 8}.${i & 255}`), limit, 300_000, now, "x");
    expect(refused("victim", "192.0.2.1", limit, now)).toBe(true);
    // Then ~1.1 MB of first failures: fresh 1,000-character names, each from a fresh address
    // (each makes an address and a pair "not clean", remembered from the first failure).
    for (let i = 0; i < 1100; i++) {
      await countFailure(c, failureKeys(`${"n".repeat(990)}${i}`, `172.16.${i >> 8}.${i & 255}`), limit, 300_000, now, "x");
    }
    expect(refused("victim", "192.0.2.1", limit, now)).toBe(true);
    // A name with one failure is still open to a clean address.
    expect(refused(`${"n".repeat(990)}5`, "192.0.2.1", limit, now)).toBe(false);
  });

  it("a lockout ends with its window", async () => {
    const now = 1_000_000;
    const c = counter(now + 1_000);
    for (let i = 0; i < 4; i++) await countFailure(c, failureKeys("bob", "198.51.100.7"), 2, 1_000, now, "x");
    expect(refused("bob", "198.51.100.7", 2, now)).toBe(true);
    expect(refused("bob", "198.51.100.7", 2, now + 1_000)).toBe(false);
  });

  it("attempts in flight hold the next one back until they end; one whose request was cancelled stops counting after IN_FLIGHT_MAX_MS", async () => {
    const now = 1_000_000;
    const limit = 2;
    const keys = failureKeys("carol", "198.51.100.9");
    // limit + 1 attempts in flight that never end (their requests were cancelled mid-way).
    for (let i = 0; i <= limit; i++) await admit(keys, limit, 300_000, () => now);
    const held = admit(keys, limit, 300_000, () => now);
    const first = await Promise.race([held.then(() => "admitted"), new Promise((r) => setTimeout(() => r("held"), 50))]);
    expect(first).toBe("held");
    clearBlocks(); // lets the held attempt in, ending this test's wait
    await held;
    clearBlocks();
    for (let i = 0; i <= limit; i++) await admit(keys, limit, 300_000, () => now);
    // Once they stop counting, the next attempt goes in at once.
    const release = await admit(keys, limit, 300_000, () => now + IN_FLIGHT_MAX_MS);
    release();
  });
});
