/**
 * State keys (src/state/state-key.ts): parts that hold ':' cannot spell another value's key,
 * keys of parts without ':' or '%' are the strings they always were, and every caller of
 * rememberNonce and of the counters builds its key with the one helper.
 */
import { describe, expect, it } from "vitest";
import { replayKey, stateKey } from "../../src/state/state-key.ts";
import { failureKeys, inRealm, realmKey } from "../../src/abuse/limits.ts";

const SOURCES = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

describe("stateKey", () => {
  it("keeps the keys of parts without ':' or '%' as they were: no replay window is lost at deploy", () => {
    expect(stateKey("pkjwt", "demo-client", "j-1")).toBe("pkjwt:demo-client:j-1");
    // The last part (here Created, which always holds ':') is never escaped.
    expect(stateKey("ut", "alice", "bm9uY2U=", "2026-12-06T10:00:00.000Z")).toBe("ut:alice:bm9uY2U=:2026-12-06T10:00:00.000Z");
    expect(stateKey("wsfed-form", "n:1")).toBe("wsfed-form:n:1");
  });

  it("two (client, jti) pairs that joined to one key now have two", () => {
    // Joined with ':' as they are, both are "pkjwt:a:b:c": one client could burn the other's jti.
    const one = stateKey("pkjwt", "a:b", "c");
    const other = stateKey("pkjwt", "a", "b:c");
    expect(one).toBe("pkjwt:a%3Ab:c");
    expect(other).toBe("pkjwt:a:b:c");
    expect(one).not.toBe(other);
    // An issuer URI and an assertion ID, and a '%' that would otherwise forge an escape.
    expect(stateKey("saml-one-time-use", "urn:x", "y:_1")).not.toBe(stateKey("saml-one-time-use", "urn", "x:y:_1"));
    expect(stateKey("pkjwt", "a%3Ab", "c")).toBe("pkjwt:a%253Ab:c");
    expect(stateKey("pkjwt", "a%3Ab", "c")).not.toBe(one);
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
        const key = stateKey("k", ...parts);
        const before = seen.get(key);
        if (before !== undefined) expect(before).toBe(JSON.stringify(parts));
        seen.set(key, JSON.stringify(parts));
      }
    }
  });

  it("every rememberNonce call in src/ builds its key with replayKey (stateKey and the spelling before it)", () => {
    const calls = Object.entries(SOURCES).flatMap(([file, text]) =>
      [...text.matchAll(/\.rememberNonce\(\s*([^,]*)/g)].map((m) => ({ file, key: m[1]!.trim() })),
    );
    // The state client's own definition and pass-throughs take `key`/`k` as given.
    const built = calls.filter((c) => !/^(key|k)$/.test(c.key));
    expect(built.length).toBeGreaterThanOrEqual(7);
    expect(built.filter((c) => !c.key.startsWith("replayKey("))).toEqual([]);
  });

  it("replayKey is stateKey's key, with the unescaped spelling of releases before it only where that differs", () => {
    expect(replayKey("pkjwt", "demo-client", "j-1")).toEqual({ key: "pkjwt:demo-client:j-1" });
    expect(replayKey("saml-one-time-use", "urn:example:partner-idp", "_1")).toEqual({
      key: stateKey("saml-one-time-use", "urn:example:partner-idp", "_1"),
      earlier: "saml-one-time-use:urn:example:partner-idp:_1",
    });
  });

  it("every counter call in src/ (hit, localHit) builds its key with stateKey, directly or through failureKeys and realmKey", () => {
    const calls = Object.entries(SOURCES).flatMap(([file, text]) =>
      [...text.matchAll(/(?:\.hit|\blocalHit)\(([^\n]*)/g)].map((m) => ({ file, key: m[1]!.trim() })),
    );
    // The definitions, and countFailure's pass-through of failureKeys' keys (`k`).
    const built = calls.filter((c) => !/^(key: string|k, windowMs|q: HitQuery)\b/.test(c.key) && !c.file.endsWith("/state/client.ts"));
    expect(built.length).toBeGreaterThanOrEqual(2);
    expect(built.filter((c) => !/^realmKey\([^,]*, stateKey\(/.test(c.key))).toEqual([]);
  });
});

describe("counter keys", () => {
  it("are the strings they always were for names and IPv4 addresses without ':' or '%': no count is lost at deploy", () => {
    expect(failureKeys("alice", "192.0.2.7")).toEqual({ name: "auth-fail:user:alice", address: "auth-fail:ip:192.0.2.7", pair: "auth-fail:pair:9:192.0.2.7:alice" });
    expect(failureKeys("demo-client", "192.0.2.7", "client").pair).toBe("auth-fail:client-pair:9:192.0.2.7:demo-client");
    expect(inRealm("realm2", failureKeys("carol", undefined))).toEqual({ name: "realm:realm2:auth-fail:user:carol", address: undefined, pair: undefined });
    expect(realmKey(undefined, stateKey("admin", "user-admin"))).toBe("admin:user-admin");
    expect(realmKey("realm2", stateKey("renew", "client", "urn:x:y"))).toBe("realm:realm2:renew:client:urn:x:y");
  });

  it("no name or address spells another's: every key of every attempt over names and addresses holding ':' and '%' is its own", () => {
    const names = ["a", "a:b", "b", "b:c", "a:b:c", "a%3Ab", "3:a", "", ":", "pair:1:a"];
    const addresses = ["1", "1:a", "a", "2001:db8::1", "2001:db8:", ":1", "1%3Aa"];
    const owner = new Map<string, string>();
    const claim = (key: string | undefined, who: string) => {
      if (key === undefined) return;
      const before = owner.get(key);
      if (before !== undefined) expect(before, key).toBe(who);
      owner.set(key, who);
    };
    for (const realm of [undefined, "r"]) {
      for (const kind of ["user", "client", "x509"] as const) {
        for (const name of names) {
          for (const address of addresses) {
            const k = inRealm(realm, failureKeys(name, address, kind));
            claim(k.name, JSON.stringify([realm, "name", kind, name]));
            claim(k.address, JSON.stringify([realm, "address", address]));
            claim(k.pair, JSON.stringify([realm, "pair", kind, address, name]));
          }
        }
      }
      for (const name of names) {
        claim(realmKey(realm, stateKey("admin", name)), JSON.stringify([realm, "admin", name]));
        claim(realmKey(realm, stateKey("renew", "client", name)), JSON.stringify([realm, "renew", name]));
      }
    }
  });
});
