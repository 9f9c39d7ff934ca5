/**
 * Replay-cache keys (src/state/replay-key.ts): parts that hold ':' cannot spell another value's
 * key, keys of parts without ':' or '%' are the strings they always were, and every caller of
 * rememberNonce builds its key with the one helper.
 */
import { describe, expect, it } from "vitest";
import { replayKey } from "../../src/state/replay-key.ts";

const SOURCES = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

describe("replayKey", () => {
  it("keeps the keys of parts without ':' or '%' as they were: no replay window is lost at deploy", () => {
    expect(replayKey("pkjwt", "demo-client", "j-1")).toBe("pkjwt:demo-client:j-1");
    // The last part (here Created, which always holds ':') is never escaped.
    expect(replayKey("ut", "alice", "bm9uY2U=", "2026-12-06T10:00:00.000Z")).toBe("ut:alice:bm9uY2U=:2026-12-06T10:00:00.000Z");
    expect(replayKey("wsfed-form", "n:1")).toBe("wsfed-form:n:1");
  });

  it("two (client, jti) pairs that joined to one key now have two", () => {
    // Joined with ':' as they are, both are "pkjwt:a:b:c": one client could burn the other's jti.
    const one = replayKey("pkjwt", "a:b", "c");
    const other = replayKey("pkjwt", "a", "b:c");
    expect(one).toBe("pkjwt:a%3Ab:c");
    expect(other).toBe("pkjwt:a:b:c");
    expect(one).not.toBe(other);
    // An issuer URI and an assertion ID, and a '%' that would otherwise forge an escape.
    expect(replayKey("saml-one-time-use", "urn:x", "y:_1")).not.toBe(replayKey("saml-one-time-use", "urn", "x:y:_1"));
    expect(replayKey("pkjwt", "a%3Ab", "c")).toBe("pkjwt:a%253Ab:c");
    expect(replayKey("pkjwt", "a%3Ab", "c")).not.toBe(one);
  });

  it("is injective over parts drawn from ':', '%', '3', 'A' and 'x'", () => {
    const alphabet = [":", "%", "3", "A", "x", "2", "5"];
    const word = (n: number) => {
      let s = "";
      for (let k = n; k > 0; k = Math.floor(k / (alphabet.length + 1))) {
        const d = k % (alphabet.length + 1);
        if (d > 0) s += alphabet[d - 1];
      }
      return s;
    };
    const seen = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      for (let j = 0; j < 60; j++) {
        const parts = [word(i), word(j)];
        const key = replayKey("k", ...parts);
        const before = seen.get(key);
        if (before !== undefined) expect(before).toBe(JSON.stringify(parts));
        seen.set(key, JSON.stringify(parts));
      }
    }
  });

  it("every rememberNonce call in src/ builds its key with replayKey", () => {
    const calls = Object.entries(SOURCES).flatMap(([file, text]) =>
      [...text.matchAll(/\.rememberNonce\(\s*([^,]*)/g)].map((m) => ({ file, key: m[1]!.trim() })),
    );
    // The state client's own definition and pass-throughs take `key`/`k` as given.
    const built = calls.filter((c) => !/^(key|k)$/.test(c.key));
    expect(built.length).toBeGreaterThanOrEqual(7);
    expect(built.filter((c) => !c.key.startsWith("replayKey("))).toEqual([]);
  });
});
