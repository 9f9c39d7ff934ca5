import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReplayCacheObject } from "../../src/state/replay-cache.ts";
import { bindings } from "./helpers.ts";

const stubFor = (name: string) => bindings.REPLAY_CACHE.getByName(name);

describe("ReplayCacheObject", () => {
  it("fresh the first time, not fresh before expiry, fresh again at expiry", async () => {
    const stub = stubFor(`replay-test-${crypto.randomUUID()}`);
    const exp = Date.now() + 60_000;
    expect(await stub.remember({ key: "k1", expiresAt: exp, now: exp - 1000 })).toEqual({ fresh: true });
    expect(await stub.remember({ key: "k1", expiresAt: exp, now: exp - 1 })).toEqual({ fresh: false });
    expect(await stub.remember({ key: "k2", expiresAt: exp, now: exp - 1 })).toEqual({ fresh: true });
    // The window has closed: the old entry no longer proves a replay.
    expect(await stub.remember({ key: "k1", expiresAt: exp + 60_000, now: exp })).toEqual({
      fresh: true,
    });
    expect(await stub.remember({ key: "k1", expiresAt: exp + 60_000, now: exp + 1 })).toEqual({
      fresh: false,
    });
  });

  it("a window already over only asks: held is not fresh, and nothing is written", async () => {
    const stub = stubFor(`replay-test-${crypto.randomUUID()}`);
    const now = Date.now();
    await stub.remember({ key: "held", expiresAt: now + 60_000, now });
    expect(await stub.remember({ key: "held", expiresAt: now, now })).toEqual({ fresh: false });
    expect(await stub.remember({ key: "absent", expiresAt: now, now })).toEqual({ fresh: true });
    const rows = await runInDurableObject(stub, (_i: ReplayCacheObject, s) => s.storage.sql.exec<{ key: string }>("SELECT key FROM seen").toArray().map((r) => r.key));
    expect(rows).toEqual(["held"]);
    // Asked, not spent: the value is still fresh the first time it is really remembered.
    expect(await stub.remember({ key: "absent", expiresAt: now + 60_000, now })).toEqual({ fresh: true });
  });

  it("concurrent checks of one key: exactly one is fresh", async () => {
    const stub = stubFor(`replay-test-${crypto.randomUUID()}`);
    const exp = Date.now() + 60_000;
    const rs = await Promise.all(
      Array.from({ length: 8 }, () => stub.remember({ key: "same", expiresAt: exp })),
    );
    expect(rs.filter((r) => r.fresh)).toHaveLength(1);
  });

  it("alarm deletes expired entries and re-arms for the earliest remaining", async () => {
    const stub = stubFor(`replay-test-${crypto.randomUUID()}`);
    const now = Date.now();
    await stub.remember({ key: "live", expiresAt: now + 60_000 });
    await runInDurableObject(stub, (_i: ReplayCacheObject, s) => {
      s.storage.sql.exec("INSERT INTO seen (key, expires_at) VALUES ('old', ?)", now - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_i: ReplayCacheObject, s) => ({
      keys: s.storage.sql.exec("SELECT key FROM seen").toArray(),
      alarm: await s.storage.getAlarm(),
    }));
    expect(after).toEqual({ keys: [{ key: "live" }], alarm: now + 60_000 });
  });

  it("the alarm follows the earliest entry, and is set again after an alarm that left nothing", async () => {
    const stub = stubFor(`replay-test-${crypto.randomUUID()}`);
    const now = Date.now();
    const alarm = () => runInDurableObject(stub, (_i: ReplayCacheObject, s) => s.storage.getAlarm());
    await stub.remember({ key: "late", expiresAt: now + 120_000 });
    expect(await alarm()).toBe(now + 120_000);
    await stub.remember({ key: "later", expiresAt: now + 180_000 });
    expect(await alarm()).toBe(now + 120_000);
    await stub.remember({ key: "early", expiresAt: now + 60_000 });
    expect(await alarm()).toBe(now + 60_000);
    // Every entry gone: the alarm run leaves none set, and the next entry must set one.
    await runInDurableObject(stub, (_i: ReplayCacheObject, s) => {
      s.storage.sql.exec("UPDATE seen SET expires_at = ?", now - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await alarm()).toBeNull();
    await stub.remember({ key: "next", expiresAt: now + 90_000 });
    expect(await alarm()).toBe(now + 90_000);
  });
});
