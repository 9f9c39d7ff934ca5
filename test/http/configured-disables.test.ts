/**
 * Recording the configuration's disabled users in the state store (src/http/configured-disables.ts)
 * when the state store fails: tried again after a pause, not by every request.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { ResolvedConfig } from "../../src/config/types.ts";
import type { Env } from "../../src/http/env.ts";
import { RETRY_AFTER_MS, recordConfiguredDisables } from "../../src/http/configured-disables.ts";
import { SESSION_MAX_MS } from "../../src/pages/wsfed-session.ts";
import type { TokenStateObject } from "../../src/state/token-state.ts";
import { bindings, freshSubject, tokenStateStub } from "../state/helpers.ts";

/** Bindings whose token-state objects fail every endSessions, counting the calls. */
function failingState(): { env: Env; calls: () => number } {
  let calls = 0;
  const stub = {
    endSessions: async () => {
      calls += 1;
      throw new Error("the object is overloaded");
    },
  };
  const env = { TOKEN_STATE: { getByName: () => stub } } as unknown as Env;
  return { env, calls: () => calls };
}

/** A configuration disabling `names` (and one user enabled): all the recording reads of it. */
function disabling(names = ["gone-1", "gone-2"], tokenLifetimeSeconds = 3600): ResolvedConfig {
  const users = new Map([["here", { username: "here", enabled: true }], ...names.map((n) => [n, { username: n, enabled: false }] as const)]);
  const relyingParties = [{ maxTokenLifetimeSeconds: tokenLifetimeSeconds, renewal: { maxTotalLifetimeSeconds: tokenLifetimeSeconds } }];
  return { users, relyingParties, limits: { statusLeaseMilliseconds: 0 } } as unknown as ResolvedConfig;
}

describe("configured disables", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a failing state store is tried again after a pause, not by every request (each try holds its request and clears the isolate's read leases), and logged once per try", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    let now = 1_900_000_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const { env, calls } = failingState();
    const config = disabling();

    await recordConfiguredDisables(env, config);
    expect(calls()).toBe(2);
    for (let i = 0; i < 20; i++) await recordConfiguredDisables(env, config);
    expect(calls()).toBe(2);
    expect(lines.filter((l) => l.includes("configured_disable_unrecorded"))).toHaveLength(1);

    now += RETRY_AFTER_MS - 1;
    await recordConfiguredDisables(env, config);
    expect(calls()).toBe(2);
    now += 1;
    await recordConfiguredDisables(env, config);
    expect(calls()).toBe(4);
    expect(lines.filter((l) => l.includes("configured_disable_unrecorded"))).toHaveLength(2);
  });

  it("the cut-off is kept as long as a session lasts, whatever the token lifetimes of the configuration that records it: a session begun under an earlier one with longer lifetimes stays ended", async () => {
    const { subject } = freshSubject("cfg-disabled");
    const before = Date.now();
    await recordConfiguredDisables(bindings as unknown as Env, disabling([subject], 3600));
    const row = await runInDurableObject(await tokenStateStub({ subject }), (_i: TokenStateObject, s) =>
      s.storage.sql.exec<{ endedBefore: number; keepUntil: number }>("SELECT ended_before AS endedBefore, keep_until AS keepUntil FROM session_revocation").toArray(),
    );
    expect(row).toHaveLength(1);
    expect(row[0]!.endedBefore).toBeGreaterThanOrEqual(before);
    expect(row[0]!.keepUntil).toBe(row[0]!.endedBefore + SESSION_MAX_MS);
  });
});
