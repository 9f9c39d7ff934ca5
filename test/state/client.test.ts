import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RevokedCache, createStateClient, tokenIdHash } from "../../src/state/client.ts";
import type { ReplayCacheObject } from "../../src/state/replay-cache.ts";
import { MAX_LEASE_MS } from "../../src/state/types.ts";
import { replayKey } from "../../src/state/state-key.ts";
import { HOUR, bindings, freshSubject, rememberedByEarlierRelease, tokenStateStub } from "./helpers.ts";

const NOW = Date.now();
/** Read lease used by the lease tests, ms: long enough to tell a wait from none. */
const LEASE = 400;
const token = (id: string) => ({ id, issuedAt: NOW - 1000, expiresAt: NOW + HOUR });

/**
 * A lease long enough that no busy machine sees it end before the calls it is compared with
 * answer, and short beside {@link MAX_LEASE_MS}, which a wrong wait would be.
 */
const MARKER_LEASE = MAX_LEASE_MS / 4;

/**
 * Takes a {@link MARKER_LEASE} on a fresh token of the stub's shard; its cancel, the marker,
 * answers only once that lease has ended.
 */
async function leasedMarker(stub: Awaited<ReturnType<typeof tokenStateStub>>, expiresAt: number) {
  const idHash = await tokenIdHash(`marker-${crypto.randomUUID()}`);
  const granted = await stub.status({ idHash, issuedAt: NOW - 1000, expiresAt, leaseMs: MARKER_LEASE });
  expect(granted).toMatchObject({ state: "active", leaseMs: MARKER_LEASE });
  return { idHash, expiresAt };
}

/** The names of the calls, in the order they answered (started in the order given). */
async function finishingOrder(calls: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(Object.entries(calls).map(([name, call]) => call.then(() => order.push(name))));
  return order;
}

describe("state client", () => {
  it("keys a subject by realm and name, never by issuer: a revocation holds for the realm's subject whatever issuer its tokens name", async () => {
    const client = createStateClient(bindings, { cache: null, now: () => NOW });
    const name = freshSubject("origins").subject;
    await client.revokeSubject({ subject: name }, NOW);
    expect(await client.status({ subject: name }, token("t1"))).toEqual({ state: "revoked", reason: "subject-revoked" });
  });

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
      asOf: NOW,
    });
  });

  it("a realm's client keeps its own shards, nonces and counters, even for the same issuer and subject", async () => {
    const first = createStateClient(bindings, { cache: null, now: () => NOW });
    const two = createStateClient(bindings, { cache: null, now: () => NOW, realm: "two" });
    const same = freshSubject("realms");
    await two.revokeSubject(same);
    const old = { id: "_realm-old", issuedAt: NOW - 1, expiresAt: NOW + HOUR };
    expect(await two.status(same, old)).toEqual({ state: "revoked", reason: "subject-revoked" });
    expect(await first.status(same, old)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    const other = freshSubject("realms-cancel");
    await first.cancel(other, token("_realm-cancelled"));
    expect(await first.status(other, token("_realm-cancelled"))).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await two.status(other, token("_realm-cancelled"))).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    const nonce = `ut:alice:${crypto.randomUUID()}`;
    expect(await first.rememberNonce({ key: nonce }, NOW + HOUR)).toBe(true);
    expect(await two.rememberNonce({ key: nonce }, NOW + HOUR)).toBe(true);
    expect(await two.rememberNonce({ key: nonce }, NOW + HOUR)).toBe(false);
    const counter = `auth-fail:user:${crypto.randomUUID()}`;
    await first.hit(counter, HOUR);
    await first.hit(counter, HOUR);
    expect((await two.hit(counter, HOUR)).count).toBe(1);
  });

  it("the isolate's remembered answers are a realm's own: a cancel or a lease in one realm answers nothing in another", async () => {
    // The cache and the leases are shared by every client of the isolate, as in the worker.
    const cache = new RevokedCache(100);
    const first = createStateClient(bindings, { cache, now: () => NOW, leaseMs: LEASE });
    const two = createStateClient(bindings, { cache, now: () => NOW, leaseMs: LEASE, realm: "two" });
    // The same subject name and token ID in both realms (a browser session's ID is not random).
    const same = freshSubject("realm-cache");
    const session = token(`wsfed-session:${same.subject}:${NOW}`);
    await first.cancel(same, session);
    expect(await first.status(same, session)).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await two.status(same, session)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    // realm two now holds a lease on its "active"; a cancel in the first realm's shard is no
    // reason for it, and a cancel in its own ends it at once.
    const leasedId = token(`wsfed-session:${same.subject}:${NOW + 1}`);
    expect(await two.status(same, leasedId)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    expect(await first.status(same, leasedId)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    await two.cancel(same, leasedId);
    expect(await first.status(same, leasedId)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    expect(await two.status(same, leasedId)).toEqual({ state: "revoked", reason: "cancelled" });
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

  it("revokeSubject defaults to the next whole second, returns once it has passed, and keeps the cut-off for the max lifetime", async () => {
    // Mid-second: a JWT issued later in this second states the second itself as its iat.
    const at = Math.floor(NOW / 1000) * 1000 + 400;
    const client = createStateClient(bindings, { cache: null, now: () => at, maxTokenLifetimeMs: 2 * HOUR });
    const carol = freshSubject("revoke");
    const started = Date.now();
    const cutoff = await client.revokeSubject(carol);
    expect(cutoff).toBe(at + 600);
    // It waited out the rest of the second (this clock stands still, so all 600 ms).
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(await client.status(carol, { id: "old", issuedAt: at, expiresAt: at + HOUR })).toEqual(
      { state: "revoked", reason: "subject-revoked" },
    );
    expect(await client.status(carol, { id: "next-second", issuedAt: cutoff, expiresAt: cutoff + HOUR })).toEqual(
      { state: "active", renewed: false, asOf: expect.any(Number) },
    );
    const row = await runInDurableObject(await tokenStateStub(carol), (_i, s) =>
      s.storage.sql.exec("SELECT revoked_before, keep_until FROM subject_revocation").one(),
    );
    expect(row).toEqual({ revoked_before: cutoff, keep_until: cutoff + 2 * HOUR });
  });

  it("revokeSubject with an explicit cut-off uses it as given, to the millisecond", async () => {
    const client = createStateClient(bindings, { cache: null, now: () => NOW, maxTokenLifetimeMs: 2 * HOUR });
    const dan = freshSubject("revoke-before");
    expect(await client.revokeSubject(dan, NOW - 1234)).toBe(NOW - 1234);
    expect(await client.status(dan, { id: "before", issuedAt: NOW - 1235, expiresAt: NOW + HOUR })).toEqual({ state: "revoked", reason: "subject-revoked" });
    expect(await client.status(dan, { id: "at", issuedAt: NOW - 1234, expiresAt: NOW + HOUR })).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
  });

  it("remembers revoked answers until expiry, never active ones", async () => {
    const cache = new RevokedCache();
    const client = createStateClient(bindings, { cache });
    const dave = freshSubject("cache");
    const now = Date.now();
    const live = { id: "live", issuedAt: now, expiresAt: now + HOUR };
    expect(await client.status(dave, live)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
    expect(cache.size).toBe(0);

    const gone = { id: "gone", issuedAt: now, expiresAt: now + HOUR };
    await client.cancel(dave, gone);
    expect(cache.get(await tokenIdHash("gone"), now)).toBe("cancelled");
    // Until the token's expiry, not beyond.
    expect(cache.get(await tokenIdHash("gone"), now + HOUR + 1)).toBeUndefined();
  });

  it("uses the isolate's shared cache when none is given", async () => {
    const a = createStateClient(bindings, {});
    const b = createStateClient(bindings, {});
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
    expect(await client.status(erin, t)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });
  });

  it("without a lease every check asks the object: a cancel made elsewhere is seen at once", async () => {
    const now = Date.now();
    const plain = createStateClient(bindings, { cache: null });
    const gina = freshSubject("no-lease");
    const t1 = { id: `a-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    expect((await plain.status(gina, t1)).state).toBe("active");
    const stub = await tokenStateStub(gina);
    await stub.cancel({ idHash: await tokenIdHash(t1.id), expiresAt: t1.expiresAt });
    expect((await plain.status(gina, t1)).state).toBe("revoked");
  });

  it("a read lease answers repeated checks without a call, and a cancel elsewhere outlasts it", async () => {
    const now = Date.now();
    const leasing = createStateClient(bindings, { cache: null, leaseMs: LEASE });
    const hank = freshSubject("lease");
    const t = { id: `b-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    const stub = await tokenStateStub(hank);
    const idHash = await tokenIdHash(t.id);
    // Taken before the call that is granted the lease: the lease cannot start earlier, so each
    // wait is measured from no later than its start. Taken after the call, the wait measured
    // would be short by however late the call returned, which on a busy machine exceeds 20 ms.
    const leasedAt = Date.now();
    expect(await leasing.status(hank, t)).toEqual({ state: "active", renewed: false, asOf: expect.any(Number) });

    // Another isolate cancels (straight to the object). The cancel answers only after the
    // lease has ended; meanwhile the leasing client may still say active, never after.
    const cancelled = stub.cancel({ idHash, expiresAt: t.expiresAt }).then(() => Date.now());
    expect((await leasing.status(hank, t)).state).toBe("active"); // served by the lease
    const cancelDoneAt = await cancelled;
    expect(cancelDoneAt - leasedAt).toBeGreaterThanOrEqual(LEASE - 20);
    expect(await leasing.status(hank, t)).toEqual({ state: "revoked", reason: "cancelled" });
    // A revoked token gets no lease, even asked for the longest there is...
    expect(await stub.status({ idHash, issuedAt: t.issuedAt, expiresAt: t.expiresAt, leaseMs: MAX_LEASE_MS })).toEqual({
      state: "revoked",
      reason: "cancelled",
    });
    // ...so a second cancel has nothing to wait for: it answers before the cancel of another
    // token, sent after it, that must wait out a (shorter) lease.
    const marker = await leasedMarker(stub, t.expiresAt);
    expect(
      await finishingOrder({
        again: stub.cancel({ idHash, expiresAt: t.expiresAt }).then((r) => {
          expect(r).toEqual({ cancelled: true, alreadyCancelled: true });
        }),
        marker: stub.cancel(marker),
      }),
    ).toEqual(["again", "marker"]);
  });

  it("a cancel through the leasing client itself is seen at once; other tokens keep their leases", async () => {
    const now = Date.now();
    // The longest lease there is, on another token of the same shard.
    const leasing = createStateClient(bindings, { cache: null, leaseMs: MAX_LEASE_MS });
    const ivy = freshSubject("lease-self");
    const t = { id: `c-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    const other = { id: `d-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    expect((await leasing.status(ivy, other)).state).toBe("active");
    // Never leased: the cancel waits neither for the other token's lease nor for a shorter
    // one, so it answers before the cancel of the shorter one's token, sent after it.
    const marker = await leasedMarker(await tokenStateStub(ivy), now + HOUR);
    expect(
      await finishingOrder({
        cancel: leasing.cancel(ivy, t),
        marker: tokenStateStub(ivy).then((stub) => stub.cancel(marker)),
      }),
    ).toEqual(["cancel", "marker"]);
    expect((await leasing.status(ivy, t)).state).toBe("revoked");
    expect((await leasing.status(ivy, other)).state).toBe("active");
  });

  it("subject-wide revocation and family revocation outlast every lease of the shard", async () => {
    const now = Date.now();
    const leasing = createStateClient(bindings, { cache: null, leaseMs: LEASE });
    const admin = createStateClient(bindings, { cache: null });
    const jay = freshSubject("lease-subject");
    const t = { id: `e-${crypto.randomUUID()}`, issuedAt: now - 1000, expiresAt: now + HOUR };
    const leasedAt = Date.now(); // before the lease is granted, as above
    expect((await leasing.status(jay, t)).state).toBe("active");
    await admin.revokeSubject(jay);
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(LEASE - 20);
    expect(await leasing.status(jay, t)).toEqual({ state: "revoked", reason: "subject-revoked" });

    // Renewal reuse revokes the family: a lease on the renewed member must end first.
    const kim = freshSubject("lease-family");
    const t0 = { id: `f-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    const t1 = { id: `g-${crypto.randomUUID()}`, expiresAt: now + 2 * HOUR };
    expect((await admin.renew(kim, t0, t1)).ok).toBe(true);
    const t1LeasedAt = Date.now();
    expect((await leasing.status(kim, { ...t1, issuedAt: now })).state).toBe("active");
    expect(await admin.renew(kim, t0, { id: `h-${crypto.randomUUID()}`, expiresAt: now + 2 * HOUR })).toMatchObject({ reason: "already-renewed" });
    expect(Date.now() - t1LeasedAt).toBeGreaterThanOrEqual(LEASE - 20);
    expect((await leasing.status(kim, { ...t1, issuedAt: now })).state).toBe("revoked");
  });

  it("a restarted object waits out leases its predecessor may have granted", async () => {
    const now = Date.now();
    const leasing = createStateClient(bindings, { cache: null, leaseMs: LEASE });
    const lou = freshSubject("lease-restart");
    const t = { id: `i-${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + HOUR };
    const leasedAt = Date.now(); // before the lease is granted, as above
    expect((await leasing.status(lou, t)).state).toBe("active");
    const stub = await tokenStateStub(lou);
    await evictDurableObject(stub); // the lease table in memory is gone
    await stub.cancel({ idHash: await tokenIdHash(t.id), expiresAt: t.expiresAt });
    // Not knowing which tokens were leased, the new instance waited as long as any lease.
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(LEASE - 20);
    expect((await leasing.status(lou, t)).state).toBe("revoked");
  });

  it("leases are capped and never outlive the token", async () => {
    const now = Date.now();
    const stub = await tokenStateStub(freshSubject("lease-cap"));
    const q = { idHash: "x", issuedAt: now, expiresAt: now + HOUR };
    expect(await stub.status({ ...q, leaseMs: 3_600_000 })).toMatchObject({ state: "active", leaseMs: MAX_LEASE_MS });
    // Ends well inside the cap, yet not so soon that a busy machine lets it expire before the
    // object answers (an expired token is given no lease at all).
    const ends = Date.now() + MAX_LEASE_MS / 4;
    const shortLived = await stub.status({ ...q, idHash: "y", expiresAt: ends, leaseMs: MAX_LEASE_MS });
    expect(shortLived.leaseMs).toBeGreaterThan(0);
    expect(shortLived.leaseMs).toBeLessThanOrEqual(MAX_LEASE_MS / 4);
    expect(await stub.status({ ...q, idHash: "z", expiresAt: now - 1, leaseMs: 5_000 })).toEqual({ state: "active", renewed: false });
  });

  it("rememberNonce: fresh once, lands on the hashed replay shard", async () => {
    const client = createStateClient(bindings, { cache: null });
    const key = `ut:alice:${crypto.randomUUID()}`;
    const exp = Date.now() + 300_000;
    expect(await client.rememberNonce({ key }, exp)).toBe(true);
    expect(await client.rememberNonce({ key }, exp)).toBe(false);
    expect(await client.rememberNonce({ key: `${key}x` }, exp)).toBe(true);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)),
    );
    const shard = `replay:${String(digest[0]! % 64).padStart(2, "0")}`;
    const found = await runInDurableObject(
      bindings.REPLAY_CACHE.getByName(shard),
      (_i: ReplayCacheObject, s) =>
        // Kept a minute past the end of its window (the caller's and the object's clocks).
        s.storage.sql.exec("SELECT count(*) AS n FROM seen WHERE expires_at = ?", exp + 60_000).one().n,
    );
    expect(found).toBeGreaterThanOrEqual(1);
  });
});

describe("one-time values remembered by a release before replay-key escaping", () => {
  it("stay spent after the upgrade: a partner's OneTimeUse assertion, a URL client's jti", async () => {
    const client = createStateClient(bindings, { cache: null });
    const id = `_${crypto.randomUUID()}`;
    const partner = replayKey("saml-one-time-use", "urn:example:partner-idp", id);
    expect(partner.earlier).toBe(`saml-one-time-use:urn:example:partner-idp:${id}`);
    await rememberedByEarlierRelease(partner.earlier!, Date.now() + HOUR);
    expect(await client.rememberNonce(partner, Date.now() + HOUR)).toBe(false);
    const jti = crypto.randomUUID();
    const urlClient = replayKey("pkjwt", "https://client.example/app", jti);
    await rememberedByEarlierRelease(`pkjwt:https://client.example/app:${jti}`, Date.now() + HOUR);
    expect(await client.rememberNonce(urlClient, Date.now() + HOUR)).toBe(false);
  });

  it("the earlier key is only read: spending a value never burns the value that key now means", async () => {
    const client = createStateClient(bindings, { cache: null });
    const c = crypto.randomUUID();
    // Client "a:<c>" with jti "j", then client "a" with jti "<c>:j": one string before the escaping.
    const first = replayKey("pkjwt", `a:${c}`, "j");
    const second = replayKey("pkjwt", "a", `${c}:j`);
    expect(second.key).toBe(first.earlier);
    expect(await client.rememberNonce(first, Date.now() + HOUR)).toBe(true);
    expect(await client.rememberNonce(second, Date.now() + HOUR)).toBe(true);
    expect(await client.rememberNonce(first, Date.now() + HOUR)).toBe(false);
  });
});
