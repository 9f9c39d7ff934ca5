import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RevokedCache, createStateClient, tokenIdHash } from "../../src/state/client.ts";
import type { ReplayCacheObject } from "../../src/state/replay-cache.ts";
import { HOUR, bindings, freshSubject, tokenStateStub } from "./helpers.ts";

const NOW = Date.now();
const token = (id: string) => ({ id, issuedAt: NOW - 1000, expiresAt: NOW + HOUR });

describe("state client", () => {
  it("routes to the subject shard and stores only the ID hash", async () => {
    const client = createStateClient(bindings, { cache: null, now: () => NOW });
    const alice = freshSubject("route");
    await client.cancel(alice, token("_assertion-1"));
    const rows = await runInDurableObject(await tokenStateStub(alice), (_i, s) =>
      s.storage.sql.exec("SELECT id_hash FROM token").toArray(),
    );
    expect(rows).toEqual([{ id_hash: await tokenIdHash("_assertion-1") }]);
    // Another subject's shard knows nothing of it.
    expect(await client.status(freshSubject("other"), token("_assertion-1"))).toEqual({
      state: "active",
      renewed: false,
    });
  });

  it("renew once, reuse revokes the family, cancel idempotent", async () => {
    const client = createStateClient(bindings, { cache: null, now: () => NOW });
    const bob = freshSubject("flow");
    const r1 = await client.renew(bob, token("t0"), { id: "t1", expiresAt: NOW + 2 * HOUR });
    expect(r1).toEqual({ ok: true, family: await tokenIdHash("t0") });
    const r2 = await client.renew(bob, token("t0"), { id: "t1b", expiresAt: NOW + 2 * HOUR });
    expect(r2).toEqual({ ok: false, reason: "already-renewed", revocation: "family-revoked" });
    expect(await client.status(bob, token("t1"))).toEqual({
      state: "revoked",
      reason: "family-revoked",
    });
    expect(await client.cancel(bob, token("t9"))).toEqual({ cancelled: true, alreadyCancelled: false });
    expect(await client.cancel(bob, token("t9"))).toEqual({ cancelled: true, alreadyCancelled: true });
  });

  it("revokeSubject defaults to now and keeps the cut-off for the max lifetime", async () => {
    const client = createStateClient(bindings, {
      cache: null,
      now: () => NOW,
      maxTokenLifetimeMs: 2 * HOUR,
    });
    const carol = freshSubject("revoke");
    await client.revokeSubject(carol);
    expect(await client.status(carol, { id: "old", issuedAt: NOW - 1, expiresAt: NOW + HOUR })).toEqual(
      { state: "revoked", reason: "subject-revoked" },
    );
    expect(await client.status(carol, { id: "new", issuedAt: NOW, expiresAt: NOW + HOUR })).toEqual(
      { state: "active", renewed: false },
    );
    const row = await runInDurableObject(await tokenStateStub(carol), (_i, s) =>
      s.storage.sql.exec("SELECT revoked_before, keep_until FROM subject_revocation").one(),
    );
    expect(row).toEqual({ revoked_before: NOW, keep_until: NOW + 2 * HOUR });
  });

  it("remembers revoked answers until expiry, never active ones", async () => {
    const cache = new RevokedCache();
    const client = createStateClient(bindings, { cache });
    const dave = freshSubject("cache");
    const now = Date.now();
    const live = { id: "live", issuedAt: now, expiresAt: now + HOUR };
    expect(await client.status(dave, live)).toEqual({ state: "active", renewed: false });
    expect(cache.size).toBe(0);

    const gone = { id: "gone", issuedAt: now, expiresAt: now + HOUR };
    await client.cancel(dave, gone);
    expect(cache.get(await tokenIdHash("gone"), now)).toBe("cancelled");
    // Until the token's expiry, not beyond.
    expect(cache.get(await tokenIdHash("gone"), now + HOUR + 1)).toBeUndefined();
  });

  it("uses the isolate's shared cache when none is given", async () => {
    const a = createStateClient(bindings);
    const b = createStateClient(bindings);
    const frank = freshSubject("default-cache");
    const t = { id: `default-${crypto.randomUUID()}`, issuedAt: Date.now(), expiresAt: Date.now() + HOUR };
    await a.cancel(frank, t);
    // Wipe the object's row: only the isolate cache can still say revoked.
    await runInDurableObject(await tokenStateStub(frank), (_i, s) => s.storage.sql.exec("DELETE FROM token"));
    expect(await b.status(frank, t)).toEqual({ state: "revoked", reason: "cancelled" });
  });

  it("a cached revoked answer is served without asking the object; bounded size", async () => {
    const cache = new RevokedCache(2);
    const client = createStateClient(bindings, { cache });
    const erin = freshSubject("cached");
    const t = { id: "cached-only", issuedAt: Date.now(), expiresAt: Date.now() + HOUR };
    // The object says active (nothing stored); only the cache says revoked.
    cache.put(await tokenIdHash(t.id), "subject-revoked", t.expiresAt);
    expect(await client.status(erin, t)).toEqual({ state: "revoked", reason: "subject-revoked" });
    // Two newer entries push it out: the object answers again.
    cache.put("x1", "cancelled", t.expiresAt);
    cache.put("x2", "cancelled", t.expiresAt);
    expect(cache.size).toBe(2);
    expect(await client.status(erin, t)).toEqual({ state: "active", renewed: false });
  });

  it("active answers are reused only when configured, and a cancel through the client forgets them", async () => {
    const now = Date.now();
    const cancelBehindTheClientsBack = async (subject: ReturnType<typeof freshSubject>, id: string) =>
      (await tokenStateStub(subject)).cancel({ idHash: await tokenIdHash(id), expiresAt: now + HOUR });

    // Default: no active cache — a cancel made elsewhere is seen on the next check.
    const plain = createStateClient(bindings, { cache: null });
    const gina = freshSubject("no-active-cache");
    const t1 = { id: `a-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    expect((await plain.status(gina, t1)).state).toBe("active");
    await cancelBehindTheClientsBack(gina, t1.id);
    expect((await plain.status(gina, t1)).state).toBe("revoked");

    // Configured: the isolate reuses "active" for the window...
    const cached = createStateClient(bindings, { cache: null, activeCacheMs: 60_000 });
    const hank = freshSubject("active-cache");
    const t2 = { id: `b-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    expect((await cached.status(hank, t2)).state).toBe("active");
    await cancelBehindTheClientsBack(hank, t2.id);
    expect((await cached.status(hank, t2)).state).toBe("active");
    // ...but a cancel through this client takes effect at once.
    const t3 = { id: `c-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    expect((await cached.status(hank, t3)).state).toBe("active");
    await cached.cancel(hank, t3);
    expect((await cached.status(hank, t3)).state).toBe("revoked");
  });

  it("rememberNonce: fresh once, lands on the hashed replay shard", async () => {
    const client = createStateClient(bindings, { cache: null });
    const key = `ut:alice:${crypto.randomUUID()}`;
    const exp = Date.now() + 300_000;
    expect(await client.rememberNonce(key, exp)).toBe(true);
    expect(await client.rememberNonce(key, exp)).toBe(false);
    expect(await client.rememberNonce(`${key}x`, exp)).toBe(true);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)),
    );
    const shard = `replay:${String(digest[0]! % 64).padStart(2, "0")}`;
    const found = await runInDurableObject(
      bindings.REPLAY_CACHE.getByName(shard),
      (_i: ReplayCacheObject, s) =>
        s.storage.sql.exec("SELECT count(*) AS n FROM seen WHERE expires_at = ?", exp).one().n,
    );
    expect(found).toBeGreaterThanOrEqual(1);
  });
});
