import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tokenIdHash } from "../../src/state/hash.ts";
import type { TokenStateObject } from "../../src/state/token-state.ts";
import { MAX_RENEWAL_WINDOW_MS, RETENTION_MARGIN_MS } from "../../src/state/types.ts";
import { HOUR, freshSubject, tokenStateStub } from "./helpers.ts";

const t0 = Date.now();
const tok = (name: string) => ({ idHash: name, issuedAt: t0, expiresAt: t0 + HOUR });
const renewQ = (from: string, to: string, now = t0 + 1000) => ({
  ...tok(from),
  newIdHash: to,
  newExpiresAt: t0 + 2 * HOUR,
  now,
});

describe("TokenStateObject", () => {
  it("an unknown token is active; issuance wrote nothing", async () => {
    const stub = await tokenStateStub(freshSubject("unknown"));
    expect(await stub.status(tok("A"))).toEqual({ state: "active", renewed: false });
    const rows = await runInDurableObject(stub, (_i: TokenStateObject, s) =>
      s.storage.sql.exec("SELECT count(*) AS n FROM token").one(),
    );
    expect(rows.n).toBe(0);
  });

  it("cancel is idempotent and revokes", async () => {
    const stub = await tokenStateStub(freshSubject("cancel"));
    expect(await stub.cancel({ idHash: "A", expiresAt: t0 + HOUR })).toEqual({
      cancelled: true,
      alreadyCancelled: false,
    });
    expect(await stub.cancel({ idHash: "A", expiresAt: t0 + HOUR })).toEqual({
      cancelled: true,
      alreadyCancelled: true,
    });
    expect(await stub.status(tok("A"))).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await stub.status(tok("B"))).toEqual({ state: "active", renewed: false });
  });

  it("state survives eviction (reloaded from SQLite)", async () => {
    const stub = await tokenStateStub(freshSubject("evict"));
    await stub.cancel({ idHash: "A", expiresAt: t0 + HOUR });
    expect(await stub.renew(renewQ("B", "C"))).toEqual({ ok: true, family: "B" });
    await evictDurableObject(stub);
    expect(await stub.status(tok("A"))).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await stub.status(tok("B"))).toEqual({ state: "active", renewed: true });
    expect(await stub.renew(renewQ("B", "D"))).toEqual({
      ok: false,
      reason: "already-renewed",
      revocation: "family-revoked",
    });
  });

  it("a renewed token stays active; its successor joins the family", async () => {
    const stub = await tokenStateStub(freshSubject("renew"));
    expect(await stub.renew(renewQ("A", "B"))).toEqual({ ok: true, family: "A" });
    expect(await stub.renew(renewQ("B", "C"))).toEqual({ ok: true, family: "A" });
    expect(await stub.status(tok("A"))).toEqual({ state: "active", renewed: true });
    expect(await stub.status(tok("C"))).toEqual({ state: "active", renewed: false });
    const rows = await runInDurableObject(stub, (_i: TokenStateObject, s) =>
      s.storage.sql
        .exec("SELECT id_hash, family, renewed_to, revoked FROM token ORDER BY id_hash")
        .toArray(),
    );
    expect(rows).toEqual([
      { id_hash: "A", family: "A", renewed_to: "B", revoked: null },
      { id_hash: "B", family: "A", renewed_to: "C", revoked: null },
      { id_hash: "C", family: "A", renewed_to: null, revoked: null },
    ]);
  });

  it("8 concurrent renewals of one token: exactly one wins, reuse revokes the family", async () => {
    const stub = await tokenStateStub(freshSubject("race"));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => stub.renew(renewQ("A", `N${i}`))),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    // The first loser is the reuse that revokes the family; the rest find it revoked.
    const reasons = results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.reason));
    expect(reasons.sort()).toEqual([
      "already-renewed",
      "revoked", "revoked", "revoked", "revoked", "revoked", "revoked",
    ]);
    const winnerIndex = results.findIndex((r) => r.ok);
    expect(await stub.status(tok(`N${winnerIndex}`))).toEqual({
      state: "revoked",
      reason: "family-revoked",
    });
  });

  it("reuse of an already-renewed token revokes the whole family, not other families", async () => {
    const stub = await tokenStateStub(freshSubject("reuse"));
    await stub.renew(renewQ("A", "B"));
    await stub.renew(renewQ("B", "C"));
    await stub.renew(renewQ("X", "Y")); // another family of the same subject
    expect(await stub.renew(renewQ("B", "EVIL"))).toEqual({
      ok: false,
      reason: "already-renewed",
      revocation: "family-revoked",
    });
    for (const id of ["A", "B", "C"]) {
      expect(await stub.status(tok(id))).toEqual({ state: "revoked", reason: "family-revoked" });
    }
    expect(await stub.status(tok("EVIL"))).toEqual({ state: "active", renewed: false });
    expect(await stub.status(tok("Y"))).toEqual({ state: "active", renewed: false });
    expect(await stub.renew(renewQ("C", "D"))).toEqual({
      ok: false,
      reason: "revoked",
      revocation: "family-revoked",
    });
  });

  it("cancel revokes the tokens renewed from the token, not its predecessors", async () => {
    const stub = await tokenStateStub(freshSubject("cancel-successors"));
    expect(await stub.renew(renewQ("A", "B"))).toEqual({ ok: true, family: "A" });
    expect(await stub.renew(renewQ("B", "C"))).toEqual({ ok: true, family: "A" });
    expect(await stub.renew(renewQ("X", "Y"))).toEqual({ ok: true, family: "X" }); // another family
    expect(await stub.cancel({ idHash: "B", expiresAt: t0 + HOUR })).toEqual({ cancelled: true, alreadyCancelled: false });
    expect(await stub.status(tok("B"))).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await stub.status(tok("C"))).toEqual({ state: "revoked", reason: "cancelled" });
    expect(await stub.renew(renewQ("C", "D"))).toEqual({ ok: false, reason: "revoked", revocation: "cancelled" });
    expect(await stub.status(tok("A"))).toEqual({ state: "active", renewed: true });
    expect(await stub.status(tok("Y"))).toEqual({ state: "active", renewed: false });
  });

  it("a cancel racing a renewal of the same token leaves no live successor, whichever lands first", async () => {
    const stub = await tokenStateStub(freshSubject("cancel-race"));
    const [renewed] = await Promise.all([
      stub.renew(renewQ("A", "B")),
      stub.cancel({ idHash: "A", expiresAt: t0 + HOUR }),
    ]);
    expect(await stub.status(tok("A"))).toEqual({ state: "revoked", reason: "cancelled" });
    if (renewed.ok) expect(await stub.status(tok("B"))).toEqual({ state: "revoked", reason: "cancelled" });
  });

  it("cancel waits out a read lease on a successor it revokes", async () => {
    const stub = await tokenStateStub(freshSubject("cancel-lease"));
    await stub.renew(renewQ("A", "B"));
    const leased = await stub.status({ ...tok("B"), expiresAt: Date.now() + HOUR, leaseMs: 300 });
    expect(leased.leaseMs).toBe(300);
    const before = Date.now();
    await stub.cancel({ idHash: "A", expiresAt: t0 + HOUR });
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect(await stub.status(tok("B"))).toEqual({ state: "revoked", reason: "cancelled" });
  });

  it("refuses renewal of a cancelled token, past the retention horizon, or onto a known ID", async () => {
    const stub = await tokenStateStub(freshSubject("refuse"));
    await stub.cancel({ idHash: "A", expiresAt: t0 + HOUR });
    expect(await stub.renew(renewQ("A", "B"))).toEqual({
      ok: false,
      reason: "revoked",
      revocation: "cancelled",
    });
    const late = t0 + HOUR + RETENTION_MARGIN_MS;
    expect(await stub.renew(renewQ("C", "D", late))).toEqual({ ok: false, reason: "expired" });
    expect(await stub.renew(renewQ("C", "D", late - 1))).toEqual({ ok: true, family: "C" });
    expect(await stub.renew(renewQ("E", "A"))).toEqual({ ok: false, reason: "id-conflict" });
    // A refused renewal leaves no trace: E can still be renewed.
    expect(await stub.renew(renewQ("E", "F"))).toEqual({ ok: true, family: "E" });
  });

  it("revokeSubject revokes tokens issued before the cut-off, not after", async () => {
    const stub = await tokenStateStub(freshSubject("subject"));
    const cut = t0 + 10_000;
    await stub.revokeSubject({ before: cut, keepUntil: cut + HOUR });
    const at = (issuedAt: number) => ({ idHash: "Z", issuedAt, expiresAt: t0 + HOUR });
    expect(await stub.status(at(cut - 1))).toEqual({ state: "revoked", reason: "subject-revoked" });
    expect(await stub.status(at(cut))).toEqual({ state: "active", renewed: false });
    expect(
      await stub.renew({ ...at(cut - 1), newIdHash: "Z2", newExpiresAt: cut + HOUR, now: cut }),
    ).toEqual({ ok: false, reason: "revoked", revocation: "subject-revoked" });
    // An older, late-arriving revocation cannot move the cut-off backwards.
    await stub.revokeSubject({ before: cut - 5000, keepUntil: cut });
    expect(await stub.status(at(cut - 1))).toEqual({ state: "revoked", reason: "subject-revoked" });
  });

  it("endSessions ends the sessions begun before its cut-off, not the subject's tokens; the cut-off only moves forward; a subject revocation still ends both", async () => {
    const stub = await tokenStateStub(freshSubject("sessions"));
    const cut = t0 + 10_000;
    await stub.endSessions({ before: cut, keepUntil: cut + HOUR });
    const at = (issuedAt: number, session?: boolean) => ({ idHash: `S${issuedAt}`, issuedAt, expiresAt: t0 + HOUR, ...(session ? { session } : {}) });
    expect(await stub.status(at(cut - 1, true))).toEqual({ state: "revoked", reason: "sessions-ended" });
    expect(await stub.status(at(cut, true))).toEqual({ state: "active", renewed: false });
    expect(await stub.status(at(cut - 1))).toEqual({ state: "active", renewed: false });
    // Recorded again by an isolate that saw the user disabled earlier: no step back.
    await stub.endSessions({ before: cut - 5000, keepUntil: cut });
    expect(await stub.status(at(cut - 2, true))).toEqual({ state: "revoked", reason: "sessions-ended" });
    // Survives the object's restart.
    await evictDurableObject(stub);
    expect(await stub.status(at(cut - 3, true))).toEqual({ state: "revoked", reason: "sessions-ended" });
    await stub.revokeSubject({ before: cut + 1000, keepUntil: cut + HOUR });
    expect(await stub.status(at(cut + 999, true))).toEqual({ state: "revoked", reason: "subject-revoked" });
    expect(await stub.status(at(cut + 999))).toEqual({ state: "revoked", reason: "subject-revoked" });
  });

  it("alarm deletes rows past expiry + margin and re-arms for the earliest remaining", async () => {
    const stub = await tokenStateStub(freshSubject("alarm"));
    const now = Date.now();
    const liveExp = now + HOUR;
    await stub.cancel({ idHash: "LIVE", expiresAt: liveExp });
    await stub.revokeSubject({ before: now, keepUntil: now + 3 * HOUR });
    // Simulate time passing for two more rows: written directly so no alarm fires early.
    const dead = now - RETENTION_MARGIN_MS - 1;
    await runInDurableObject(stub, (_i: TokenStateObject, s) => {
      s.storage.sql.exec(
        "INSERT INTO token (id_hash, family, expires_at, revoked) VALUES ('DEAD', 'DEAD', ?, 'cancelled')",
        dead,
      );
      s.storage.sql.exec(
        "INSERT INTO token (id_hash, family, expires_at) VALUES ('EDGE', 'EDGE', ?)",
        now - RETENTION_MARGIN_MS + 60_000, // expired, but still inside the margin: kept
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_i: TokenStateObject, s) => ({
      ids: s.storage.sql.exec("SELECT id_hash FROM token ORDER BY id_hash").toArray(),
      subj: s.storage.sql.exec("SELECT count(*) AS n FROM subject_revocation").one().n,
      alarm: await s.storage.getAlarm(),
    }));
    expect(after.ids).toEqual([{ id_hash: "EDGE" }, { id_hash: "LIVE" }]);
    expect(after.subj).toBe(1);
    expect(after.alarm).toBe(now + 60_000); // EDGE's expiry + margin
  });

  it("alarm keeps a renewal's row while the longest renewal-limit window may still count it", async () => {
    const stub = await tokenStateStub(freshSubject("alarm-window"));
    const now = Date.now();
    const day = 24 * HOUR;
    const dead = now - RETENTION_MARGIN_MS - 1;
    // Short-lived tokens renewed two hours ago (their rows past expiry + margin) and a day ago.
    await runInDurableObject(stub, (_i: TokenStateObject, s) => {
      s.storage.sql.exec(
        "INSERT INTO token (id_hash, family, expires_at, renewed_at, renewed_to) VALUES ('R1', 'R1', ?, ?, 'R2')",
        dead, now - 2 * HOUR,
      );
      s.storage.sql.exec("INSERT INTO token (id_hash, family, expires_at) VALUES ('R2', 'R1', ?)", dead);
      s.storage.sql.exec(
        "INSERT INTO token (id_hash, family, expires_at, renewed_at, renewed_to) VALUES ('OLD', 'OLD', ?, ?, 'X')",
        dead, now - MAX_RENEWAL_WINDOW_MS - 1,
      );
      return s.storage.setAlarm(now + HOUR); // run below, whenever it is set for
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_i: TokenStateObject, s) => ({
      ids: s.storage.sql.exec("SELECT id_hash FROM token ORDER BY id_hash").toArray(),
      alarm: await s.storage.getAlarm(),
    }));
    expect(after.ids).toEqual([{ id_hash: "R1" }]);
    expect(after.alarm).toBe(now - 2 * HOUR + MAX_RENEWAL_WINDOW_MS);
    // So a limit of one renewal a day still sees the renewal of two hours ago.
    const q = { idHash: "N", issuedAt: now, expiresAt: now + HOUR, newIdHash: "N2", newExpiresAt: now + 2 * HOUR, now };
    expect(await stub.renew({ ...q, limit: { max: 1, windowMs: day } })).toEqual({
      ok: false,
      reason: "rate-limited",
      retryAt: now - 2 * HOUR + day,
    });
  });

  it("rows hold token-ID hashes, never raw IDs", async () => {
    const stub = await tokenStateStub(freshSubject("hash"));
    const raw = "_3f2a-raw-assertion-id";
    const h = await tokenIdHash(raw);
    await stub.cancel({ idHash: h, expiresAt: t0 + HOUR });
    const dump = await runInDurableObject(stub, (_i: TokenStateObject, s) =>
      JSON.stringify(s.storage.sql.exec("SELECT * FROM token").toArray()),
    );
    expect(dump).toContain(h);
    expect(dump).not.toContain(raw);
  });
});
