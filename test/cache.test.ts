/** The isolate's caches: one size policy (bounded entries and key text), one budget, counters. */
import { describe, expect, it } from "vitest";
import { BoundedCache, CacheBudgetError, CacheRegistry, ISOLATE_CACHE_BUDGET_BYTES, isolateCaches } from "../src/cache.ts";
import "../src/http/app.ts"; // loads every module, so every isolate cache is registered

describe("BoundedCache", () => {
  it("answers hits and misses, and counts them", () => {
    const c = new BoundedCache<number>("t", { maxEntries: 3, entryBytes: 8 });
    expect(c.get("a")).toBeUndefined();
    c.set("a", 1);
    expect(c.get("a")).toBe(1);
    expect(c.stats()).toMatchObject({ entries: 1, chars: 1, hits: 1, misses: 1, evictions: 0 });
  });

  it("forgets the oldest insertion first when full; a re-insert moves a key to the back", () => {
    const c = new BoundedCache<number>("t", { maxEntries: 3, entryBytes: 8 });
    for (const k of ["a", "b", "c"]) c.set(k, 0);
    c.set("a", 1); // a is now the newest
    c.set("d", 0); // evicts b, the oldest
    expect(c.get("b")).toBeUndefined();
    expect([c.get("a"), c.get("c"), c.get("d")]).toEqual([1, 0, 0]);
    expect(c.stats().evictions).toBe(1);
    expect(c.size).toBe(3);
  });

  it("bounds the key text it holds, and never remembers a key over the per-key bound", () => {
    const c = new BoundedCache<number>("t", { maxEntries: 100, maxKeyChars: 10, maxTotalChars: 25, entryBytes: 8 });
    c.set("x".repeat(11), 1);
    expect(c.size).toBe(0);
    for (const k of ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"]) c.set(k, 1);
    expect(c.stats().chars).toBeLessThanOrEqual(25);
    expect(c.get("aaaaaaaaaa")).toBeUndefined();
    expect(c.get("cccccccccc")).toBe(1);
  });

  it("an entry the caller does not accept is a miss", () => {
    const c = new BoundedCache<{ ring: number }>("t", { maxEntries: 2, entryBytes: 8 });
    c.set("k", { ring: 1 });
    expect(c.get("k", (e) => e.ring === 2)).toBeUndefined();
    expect(c.get("k", (e) => e.ring === 1)).toEqual({ ring: 1 });
    expect(c.stats()).toMatchObject({ hits: 1, misses: 1 });
  });
});

describe("CacheRegistry", () => {
  it("refuses a cache whose worst case does not fit the budget", () => {
    const r = new CacheRegistry(100_000);
    r.cache("small", { maxEntries: 10, maxKeyChars: 100, entryBytes: 100 }); // 2,000 + 1,000
    expect(() => r.cache("big", { maxEntries: 1000, maxKeyChars: 100, entryBytes: 100 })).toThrow(CacheBudgetError);
    expect(r.stats().map((s) => s.name)).toEqual(["small"]);
  });

  it("the isolate's caches are all registered, and their worst case fits the isolate's budget", () => {
    const names = isolateCaches.stats().map((s) => s.name);
    for (const n of ["jwt.verified", "saml.verified", "state.revoked", "state.token-id-hashes", "state.shard-names", "abuse.failures", "abuse.local-counters", "identity.secret-hashes", "jwt.remote-jwks", "state.leased"]) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(isolateCaches.committedBytes).toBeLessThanOrEqual(ISOLATE_CACHE_BUDGET_BYTES);
  });
});
