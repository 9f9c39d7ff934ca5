/**
 * The per-KeyRing cache of verified own JWTs (src/jwt/verified-cache.ts): a hit needs the exact
 * bytes, the same KeyRing and issuer; time checks still run (with the full path's answers);
 * failures are never remembered; the size stays bounded.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import type { JwtSignatureAlg } from "../../src/config/types.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildJwt } from "../../src/jwt/mint.ts";
import { type JwtCheck, verifiedJwtCacheSize, verifyJwt } from "../../src/jwt/verify.ts";
import { MAX_CACHED_JWT_CHARS, MAX_CACHED_TOTAL_CHARS, MAX_VERIFIED_ENTRIES } from "../../src/jwt/verified-cache.ts";

const ISS = "https://sts.cache.test";
const SKEW = 60;
/** Fixed instants (the cache must follow `now`, never the wall clock). */
const T0 = Date.UTC(2030, 0, 1) / 1000;
const at = (secs: number, ms = 0) => new Date(secs * 1000 + ms);
/** A time inside every token's window below. */
const VALID = at(T0 + 200);

interface Mint {
  alg?: JwtSignatureAlg;
  sub?: string;
  nbf?: number;
  exp?: number;
  claims?: Record<string, string[]>;
}

async function mint(ring: KeyRing, m: Mint = {}): Promise<string> {
  const { value } = await buildJwt(ring, {
    typ: "JWT",
    alg: m.alg ?? "ES256",
    issuer: ISS,
    subject: m.sub ?? "alice",
    audience: "https://api.test",
    issuedAt: at(T0),
    notBefore: at(m.nbf ?? T0),
    expires: at(m.exp ?? T0 + 400),
    claims: m.claims ?? { groups: ["admins", "users"] },
    scope: ["read"],
    actor: { sub: "gateway" },
    clientId: "client-1",
    authnInstant: at(T0),
  });
  return value;
}

const load = () => KeyRing.load(DEV_KEY_MATERIALS);
const verify = (ring: KeyRing, jwt: string, now: Date = VALID, skew = SKEW, iss = ISS) => verifyJwt(jwt, ring, { issuer: iss, now, skewSeconds: skew });

/** Replaces the character at `i` with a different base64url character. */
function flip(s: string, i: number): string {
  return s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
}

let spy: ReturnType<typeof vi.spyOn>;
const spyVerify = () => (spy = vi.spyOn(crypto.subtle, "verify"));
afterEach(() => {
  vi.restoreAllMocks();
});

function expectOk(r: JwtCheck): asserts r is Extract<JwtCheck, { ok: true }> {
  expect(r.ok, r.ok ? "" : r.reason).toBe(true);
}

describe("a hit skips the signature check", () => {
  let ring: KeyRing;
  beforeAll(async () => {
    ring = await load();
  });

  for (const alg of ["ES256", "RS256"] as const) {
    it(`${alg}: the second verification of the same bytes calls no crypto.subtle.verify and returns the same claims`, async () => {
      const jwt = await mint(ring, { alg });
      spyVerify();
      const first = await verify(ring, jwt);
      expectOk(first);
      // Control: the spy sees the full path's signature check.
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      const second = await verify(ring, jwt);
      expectOk(second);
      expect(spy).not.toHaveBeenCalled();
      expect(second.payload).toEqual(first.payload);
      expect(second.header).toEqual(first.header);
      expect(second.payload.sub).toBe("alice");
      expect(second.payload.act).toEqual({ sub: "gateway" });
      expect(second.header).toMatchObject({ alg, typ: "JWT", kid: ring.current(alg === "ES256" ? "EC" : "RSA").kid });
    });
  }

  it("what was verified cannot be changed: the miss's payload is the caller's own, a hit's is frozen", async () => {
    const jwt = await mint(ring);
    const first = await verify(ring, jwt);
    expectOk(first);
    (first.payload.groups as string[]).push("root");
    first.payload.sub = "mallory";
    const second = await verify(ring, jwt);
    expectOk(second);
    expect(() => (second.payload.sub = "eve")).toThrow(TypeError);
    expect(() => (second.payload.groups as string[]).push("root")).toThrow(TypeError);
    expect(() => ((second.payload.act as { sub: string }).sub = "eve")).toThrow(TypeError);
    expect(() => (second.header.kid = "other")).toThrow(TypeError);
    spyVerify();
    const third = await verify(ring, jwt);
    expect(spy).not.toHaveBeenCalled();
    expectOk(third);
    expect(third.payload.sub).toBe("alice");
    expect(third.payload.groups).toEqual(["admins", "users"]);
    expect(third.payload.act).toEqual({ sub: "gateway" });
    expect(third.header.kid).toBe(ring.current("EC").kid);
  });
});

describe("only identical bytes hit", () => {
  it("one character changed in the payload or the signature is refused through the full path", async () => {
    const ring = await load();
    const jwt = await mint(ring);
    expectOk(await verify(ring, jwt));
    expectOk(await verify(ring, jwt)); // cached now
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const tampered = [
      `${h}.${flip(p, Math.floor(p.length / 2))}.${s}`,
      `${h}.${flip(p, 0)}.${s}`,
      `${h}.${p}.${flip(s, 10)}`,
      `${h}.${p}.${flip(s, Math.floor(s.length / 2))}`,
      // The same claims with one character of `sub` changed, re-encoded.
      `${h}.${btoa(atob(p.replace(/-/g, "+").replace(/_/g, "/")).replace('"alice"', '"alicf"')).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}.${s}`,
    ];
    for (const t of tampered) {
      expect(t).not.toBe(jwt);
      spyVerify();
      const r = await verify(ring, t);
      expect(r.ok, t).toBe(false);
      if (!r.ok) expect(r.reason).toBe("The token signature is not valid.");
      expect(spy, t).toHaveBeenCalledTimes(1);
      vi.restoreAllMocks();
    }
    // The refusals left the cache as it was: one entry, still a hit.
    expect(verifiedJwtCacheSize(ring)).toBe(1);
    spyVerify();
    expectOk(await verify(ring, jwt));
    expect(spy).not.toHaveBeenCalled();
  });

  it("a different KeyRing instance (same key material) misses", async () => {
    const a = await load();
    const b = await load();
    const jwt = await mint(a);
    expectOk(await verify(a, jwt));
    expectOk(await verify(a, jwt));
    expect(verifiedJwtCacheSize(b)).toBe(0);
    spyVerify();
    const r = await verify(b, jwt);
    expectOk(r);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(r.payload.sub).toBe("alice");
    expect(verifiedJwtCacheSize(b)).toBe(1);
  });

  it("another issuer argument does not hit: the full path refuses it and the entry stays for ours", async () => {
    const ring = await load();
    const jwt = await mint(ring);
    expectOk(await verify(ring, jwt));
    spyVerify();
    const r = await verify(ring, jwt, VALID, SKEW, "https://other.test");
    expect(r).toEqual({ ok: false, refusal: "claim", reason: "The token's 'iss' claim is not valid." });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockClear();
    expectOk(await verify(ring, jwt));
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("time checks on a hit", () => {
  it("after its expiry a cached token is reported expired, with its payload, and leaves the cache", async () => {
    const ring = await load();
    const jwt = await mint(ring, { exp: T0 + 400 });
    expectOk(await verify(ring, jwt));
    expect(verifiedJwtCacheSize(ring)).toBe(1);
    spyVerify();
    const r = await verify(ring, jwt, at(T0 + 400 + SKEW));
    expect(spy).not.toHaveBeenCalled();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe("The token has expired.");
    expect(r.payload?.sub).toBe("alice");
    expect(r.payload?.exp).toBe(T0 + 400);
    expect(verifiedJwtCacheSize(ring)).toBe(0);
    // Gone: a valid-time call verifies the signature again.
    expectOk(await verify(ring, jwt));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("answers exactly what the full path answers around nbf and exp, for several skews and bad inputs", async () => {
    const ring = await load();
    const nbf = T0 + 100;
    const exp = T0 + 400;
    const jwt = await mint(ring, { nbf, exp });
    const cases: [Date, number][] = [];
    for (const skew of [0, 1, SKEW]) {
      for (const ms of [-1001, -1000, -999, -1, 0, 1, 999, 1000]) {
        cases.push([at(nbf - skew, ms), skew], [at(exp + skew, ms), skew]);
      }
    }
    cases.push([new Date(NaN), SKEW], [VALID, -1], [VALID, Number.NaN], [VALID, Number.POSITIVE_INFINITY]);
    const outcomes = new Set<string>();
    for (const [now, skew] of cases) {
      if (verifiedJwtCacheSize(ring) === 0) expectOk(await verify(ring, jwt)); // (re)prime
      const fresh = await load(); // no cache: the full path's answer
      const expected = await verify(fresh, jwt, now, skew);
      const got = await verify(ring, jwt, now, skew);
      expect(got, `${now.getTime()} skew ${skew}`).toEqual(expected);
      outcomes.add(got.ok ? "ok" : got.reason);
    }
    // The cases really cover every branch.
    expect([...outcomes].sort()).toEqual(["The token has expired.", "The token is not valid.", "The token is not yet valid.", "ok"]);
  });

  it("hits before nbf are refused without dropping the entry", async () => {
    const ring = await load();
    const jwt = await mint(ring, { nbf: T0 + 100 });
    expectOk(await verify(ring, jwt));
    spyVerify();
    const early = await verify(ring, jwt, at(T0), 0);
    expect(early).toMatchObject({ ok: false, refusal: "not-yet-valid", reason: "The token is not yet valid.", payload: { sub: "alice", nbf: T0 + 100 } });
    expect(spy).not.toHaveBeenCalled();
    expect(verifiedJwtCacheSize(ring)).toBe(1);
  });
});

describe("failures are never remembered", () => {
  it("a refused token is verified again on the next call", async () => {
    const ring = await load();
    const good = await mint(ring);
    const [h, p, s] = good.split(".") as [string, string, string];
    const badSig = `${h}.${p}.${flip(s, 20)}`;
    spyVerify();
    for (let i = 0; i < 2; i++) {
      const r = await verify(ring, badSig);
      expect(r.ok).toBe(false);
    }
    expect(spy).toHaveBeenCalledTimes(2);
    expect(verifiedJwtCacheSize(ring)).toBe(0);
  });

  it("a good signature refused for its time or issuer is not remembered: a later valid call verifies again", async () => {
    const ring = await load();
    for (const [label, first] of [
      ["expired", (jwt: string) => verify(ring, jwt, at(T0 + 10_000))],
      ["not yet valid", (jwt: string) => verify(ring, jwt, at(T0 - 10_000))],
      ["other issuer", (jwt: string) => verify(ring, jwt, VALID, SKEW, "https://other.test")],
    ] as const) {
      const jwt = await mint(ring);
      spyVerify();
      const r = await first(jwt);
      expect(r.ok, label).toBe(false);
      expect(spy, label).toHaveBeenCalledTimes(1);
      expect(verifiedJwtCacheSize(ring), label).toBe(0);
      const again = await first(jwt);
      expect(again, label).toEqual(r);
      expect(spy, label).toHaveBeenCalledTimes(2);
      expectOk(await verify(ring, jwt));
      expect(spy, label).toHaveBeenCalledTimes(3);
      expect(verifiedJwtCacheSize(ring), label).toBe(1);
      await verify(ring, jwt, at(T0 + 10_000)); // expire it out again for the next round
      vi.restoreAllMocks();
    }
  });
});

describe("bounded memory", () => {
  it(`holds at most ${MAX_VERIFIED_ENTRIES} entries, dropping the oldest insertion first`, async () => {
    const ring = await load();
    const tokens: string[] = [];
    for (let i = 0; i < MAX_VERIFIED_ENTRIES + 3; i++) {
      const jwt = await mint(ring, { sub: `user-${i}` });
      expectOk(await verify(ring, jwt));
      tokens.push(jwt);
    }
    expect(verifiedJwtCacheSize(ring)).toBe(MAX_VERIFIED_ENTRIES);
    spyVerify();
    // The newest and the fourth-oldest are still there...
    expectOk(await verify(ring, tokens[tokens.length - 1]!));
    expectOk(await verify(ring, tokens[3]!));
    expect(spy).not.toHaveBeenCalled();
    // ...the three oldest were evicted (verifying one again re-inserts it, evicting the next).
    expectOk(await verify(ring, tokens[0]!));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(verifiedJwtCacheSize(ring)).toBe(MAX_VERIFIED_ENTRIES);
  }, 120_000);

  it("does not cache tokens over the size limit, and bounds the total token text", async () => {
    const ring = await load();
    const pad = (n: number) => ({ note: ["x".repeat(n)] });
    const huge = await mint(ring, { claims: pad(MAX_CACHED_JWT_CHARS) });
    expect(huge.length).toBeGreaterThan(MAX_CACHED_JWT_CHARS);
    spyVerify();
    expectOk(await verify(ring, huge));
    expectOk(await verify(ring, huge));
    expect(spy).toHaveBeenCalledTimes(2);
    expect(verifiedJwtCacheSize(ring)).toBe(0);
    vi.restoreAllMocks();

    // Just under the limit (base64url grows the padding by 4/3): cached, until their total text
    // would pass the budget.
    const padChars = Math.floor(((MAX_CACHED_JWT_CHARS - 700) * 3) / 4);
    const big = await mint(ring, { sub: "u99999", claims: pad(padChars) });
    expect(big.length).toBeGreaterThan(MAX_CACHED_JWT_CHARS - 200);
    expect(big.length).toBeLessThanOrEqual(MAX_CACHED_JWT_CHARS);
    const fit = Math.floor(MAX_CACHED_TOTAL_CHARS / big.length);
    expect(fit).toBeLessThan(MAX_VERIFIED_ENTRIES); // the text budget, not the count, binds here
    for (let i = 0; i < fit + 5; i++) {
      const jwt = await mint(ring, { sub: `u${String(i).padStart(5, "0")}`, claims: pad(padChars) });
      expect(jwt.length).toBe(big.length);
      expectOk(await verify(ring, jwt));
    }
    expect(verifiedJwtCacheSize(ring)).toBe(fit);
  }, 120_000);
});
