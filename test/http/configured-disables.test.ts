/**
 * Recording the configuration's disabled users in the state store (src/http/configured-disables.ts)
 * when the state store fails: tried again after a pause, not by every request.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ResolvedConfig } from "../../src/config/types.ts";
import type { Env } from "../../src/http/env.ts";
import { RETRY_AFTER_MS, recordConfiguredDisables } from "../../src/http/configured-disables.ts";

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

/** A configuration with two users disabled: all the recording reads of it. */
function disabling(): ResolvedConfig {
  const users = new Map([
    ["gone-1", { username: "gone-1", enabled: false }],
    ["here", { username: "here", enabled: true }],
    ["gone-2", { username: "gone-2", enabled: false }],
  ]);
  return { users, relyingParties: [], limits: { statusLeaseMilliseconds: 0 } } as unknown as ResolvedConfig;
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
});
