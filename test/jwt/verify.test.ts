/**
 * The one JWT verifier (src/jwt/verify.ts `verifyJwt`) with each of its key sources: our key
 * ring, a trusted issuer's JWKS (inline and fetched), an OAuth client's registered JWKS. Every
 * source gets the same attacks (RFC 8725): a forged signature, `alg: none`, HS256 keyed with the
 * source's public key, each key-choosing header, a wrong issuer or audience; an expired token
 * comes back with its payload. Each refused token differs from a control that verifies in one
 * respect only, so each refusal is that respect's doing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SignJWT } from "jose";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import type { OAuthClient, TrustedIssuer } from "../../src/config/types.ts";
import { identityClaims } from "../../src/jwt/claims.ts";
import { RESERVED_CLAIMS } from "../../src/token/claims.ts";
import { buildJwt } from "../../src/jwt/mint.ts";
import { CLIENT_ASSERTION_ALGS } from "../../src/config/validate-jwks.ts";
import {
  type JwtCheck,
  type JwtExpectations,
  type JwtRefusal,
  type KeySource,
  NOT_A_JWT,
  claimedIssuer,
  clientKeys,
  peekJwt,
  trustedIssuerKeys,
  verifiedJwtCacheSize,
  verifyJwt,
} from "../../src/jwt/verify.ts";
import { UNENCODED_PAYLOAD } from "../../src/jwt/compact-form.ts";
import { KeyRing } from "../../src/keys/keyring.ts";

const STS = "https://sts.verify.test";
const API = "https://api.verify.test/";
const IDP = "https://idp.verify.test";
const REMOTE_IDP = "https://remote-idp.verify.test";
const REMOTE_JWKS = `${REMOTE_IDP}/jwks-${crypto.randomUUID()}`;
const CLIENT = "verify-client";
const TOKEN_URL = `${STS}/oauth2/token`;
const SKEW = 60;
/** A fixed clock: the verifier must follow `now`, never the wall clock. */
const NOW = new Date(Date.UTC(2030, 0, 1));
const T = NOW.getTime() / 1000;

const KEY_CHOOSING = ["jku", "x5u", "jwk", "x5c"] as const;

function b64url(s: string | Uint8Array): string {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Header and payload as given, any signature: what an attacker can always write. */
function unsigned(header: object, payload: object, sig = ""): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${sig}`;
}

/** HS256 keyed with `secret` (an attacker's guess at what a confused verifier would use). */
async function hs256(header: object, payload: object, secret: string): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${input}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input))))}`;
}

interface Pair {
  priv: CryptoKey;
  jwk: JsonWebKey & { kid: string };
}

async function ecPair(kid: string): Promise<Pair> {
  const kp = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
  return { priv: kp.privateKey, jwk: { kty: "EC", crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, use: "sig", alg: "ES256" } as JsonWebKey & { kid: string } };
}

async function rsaPair(kid: string): Promise<Pair> {
  const kp = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
  return { priv: kp.privateKey, jwk: { kty: "RSA", n: jwk.n!, e: jwk.e!, kid, use: "sig", alg: "RS256" } as JsonWebKey & { kid: string } };
}

function sign(key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

/**
 * Signs `header.payload` with both segments base64url-encoded, whatever the header says: what a
 * signer that ignores RFC 7797's `b64` produces (jose's SignJWT refuses to write such a header).
 */
async function signEncoded(key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const params = key.algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : key.algorithm;
  const sig = await crypto.subtle.sign(params, key, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

function refused(r: JwtCheck): Extract<JwtCheck, { ok: false }> {
  expect(r.ok, "expected a refusal").toBe(false);
  return r as Extract<JwtCheck, { ok: false }>;
}

function expectOk(r: JwtCheck): asserts r is Extract<JwtCheck, { ok: true }> {
  expect(r.ok, r.ok ? "" : `${r.refusal}: ${r.reason}`).toBe(true);
}

/** One key source under test, and how to make tokens its keys accept. */
interface Source {
  name: string;
  source: () => KeySource;
  /** The expectations its callers use. */
  expect: JwtExpectations;
  /** The same with an audience to check (our key ring's callers check none). */
  withAudience: JwtExpectations;
  /** The header a genuine token carries. */
  header: () => Record<string, unknown>;
  /** A payload the expectations accept. */
  payload: () => Record<string, unknown>;
  /** The genuine private key. */
  key: () => CryptoKey;
  /** A stranger's key of the same type (signing under the genuine kid). */
  stranger: () => CryptoKey;
  /** The public key as an attacker finds it published (JWK). */
  publicJwk: () => JsonWebKey;
}

let ring: KeyRing;
let idp: Pair;
let remote: Pair;
let client: Pair;
let strangerEc: Pair;
let strangerRsa: Pair;
let fetchSpy: ReturnType<typeof vi.spyOn> | undefined;
let jwksFetches = 0;

let TRUSTED_IDP: TrustedIssuer;
let TRUSTED_REMOTE: TrustedIssuer;
let CLIENT_CONFIG: OAuthClient;

beforeAll(async () => {
  ring = await KeyRing.load(DEV_KEY_MATERIALS);
  idp = await ecPair("idp-key-1");
  remote = await rsaPair("remote-key-1");
  client = await ecPair("client-key-1");
  strangerEc = await ecPair("stranger");
  strangerRsa = await rsaPair("stranger");
  TRUSTED_IDP = { issuer: IDP, kind: "jwt", jwksUri: undefined, jwks: { keys: [idp.jwk] }, certificates: [], algorithms: ["ES256"], expectedAudience: undefined, clockSkewSeconds: SKEW, localSubjects: false, grantsDelegation: false, passiveSignInUrl: undefined, displayName: IDP };
  TRUSTED_REMOTE = { issuer: REMOTE_IDP, kind: "jwt", jwksUri: REMOTE_JWKS, jwks: undefined, certificates: [], algorithms: ["RS256"], expectedAudience: undefined, clockSkewSeconds: SKEW, localSubjects: false, grantsDelegation: false, passiveSignInUrl: undefined, displayName: REMOTE_IDP };
  CLIENT_CONFIG = { clientId: CLIENT, secretHash: undefined, jwks: { keys: [client.jwk] }, allowedAudiences: [API], allowedActors: [], mayIntrospect: false, resourceServerFor: [] };
  const real = globalThis.fetch;
  fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url !== REMOTE_JWKS) return real(input, init);
    jwksFetches++;
    return new Response(JSON.stringify({ keys: [remote.jwk] }), { headers: { "content-type": "application/json" } });
  });
});
afterAll(() => fetchSpy?.mockRestore());

const ourEc = () => ring.current("EC");
const base = { now: NOW, skewSeconds: SKEW };

const SOURCES: Source[] = [
  {
    name: "our key ring",
    source: () => ring,
    expect: { issuer: STS, ...base },
    withAudience: { issuer: STS, audience: API, ...base },
    header: () => ({ alg: "ES256", typ: "JWT", kid: ourEc().kid }),
    payload: () => ({ iss: STS, sub: "alice", aud: API, iat: T - 10, nbf: T - 10, exp: T + 300, jti: crypto.randomUUID() }),
    key: () => ourKeys.ec,
    stranger: () => strangerEc.priv,
    publicJwk: () => ourEc().publicJwk,
  },
  {
    name: "a trusted issuer's inline JWKS",
    source: () => trustedIssuerKeys(TRUSTED_IDP),
    expect: { issuer: IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base },
    withAudience: { issuer: IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base },
    header: () => ({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }),
    payload: () => ({ iss: IDP, sub: "carol", aud: STS, iat: T - 10, exp: T + 300, email: "carol@idp.verify.test" }),
    key: () => idp.priv,
    stranger: () => strangerEc.priv,
    publicJwk: () => idp.jwk,
  },
  {
    name: "a trusted issuer's JWKS fetched from its jwksUri",
    source: () => trustedIssuerKeys(TRUSTED_REMOTE),
    expect: { issuer: REMOTE_IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base },
    withAudience: { issuer: REMOTE_IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base },
    header: () => ({ alg: "RS256", typ: "JWT", kid: "remote-key-1" }),
    payload: () => ({ iss: REMOTE_IDP, sub: "dave", aud: STS, iat: T - 10, exp: T + 300 }),
    key: () => remote.priv,
    stranger: () => strangerRsa.priv,
    publicJwk: () => remote.jwk,
  },
  {
    name: "a client's registered JWKS (RFC 7523 assertion)",
    source: () => clientKeys(CLIENT_CONFIG)!,
    expect: { issuer: CLIENT, subject: CLIENT, audience: [TOKEN_URL, STS], requiredClaims: ["exp", "jti"], ...base },
    withAudience: { issuer: CLIENT, subject: CLIENT, audience: [TOKEN_URL, STS], requiredClaims: ["exp", "jti"], ...base },
    header: () => ({ alg: "ES256", typ: "JWT", kid: "client-key-1" }),
    payload: () => ({ iss: CLIENT, sub: CLIENT, aud: TOKEN_URL, iat: T - 10, exp: T + 60, jti: crypto.randomUUID() }),
    key: () => client.priv,
    stranger: () => strangerEc.priv,
    publicJwk: () => client.jwk,
  },
];

/** Our private keys, imported once. */
const ourKeys = {} as { ec: CryptoKey; rsa: CryptoKey };
beforeAll(async () => {
  ourKeys.ec = await ring.current("EC").privateKeyFor("ES256");
  ourKeys.rsa = await ring.current("RSA").privateKeyFor("RS256");
});

for (const s of SOURCES) {
  describe(`verifyJwt with ${s.name}`, () => {
    const genuine = (header: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) =>
      sign(s.key(), { ...s.header(), ...header }, { ...s.payload(), ...payload });

    it("control: a genuine token verifies, with its payload and header", async () => {
      const r = await verifyJwt(await genuine(), s.source(), s.expect);
      expectOk(r);
      expect(r.payload.sub).toBe(s.payload().sub);
      expect(r.header).toMatchObject(s.header());
      // ...also with an audience to check, for the audience test below.
      expectOk(await verifyJwt(await genuine(), s.source(), s.withAudience));
    });

    it("a forged signature is refused: a stranger's key under the genuine kid, and a genuine signature on another payload", async () => {
      const forged = await sign(s.stranger(), s.header(), s.payload());
      expect(refused(await verifyJwt(forged, s.source(), s.expect)).refusal).toBe("signature");
      const [h, , sig] = (await genuine()).split(".");
      const glued = `${h}.${b64url(JSON.stringify({ ...s.payload(), sub: "mallory" }))}.${sig}`;
      expect(refused(await verifyJwt(glued, s.source(), s.expect)).refusal).toBe("signature");
    });

    it("alg none is refused (any spelling, empty or junk signature)", async () => {
      for (const alg of ["none", "None", "NONE"]) {
        for (const sig of ["", "AAAA"]) {
          const r = refused(await verifyJwt(unsigned({ ...s.header(), alg }, s.payload(), sig), s.source(), s.expect));
          expect(r.refusal, `${alg} '${sig}'`).toBe("algorithm");
        }
      }
    });

    it("HS256 keyed with the source's public key (JWK JSON, its key member, the whole JWKS) is refused", async () => {
      const jwk = s.publicJwk();
      const secrets = [JSON.stringify(jwk), (jwk.n ?? jwk.x)!, JSON.stringify({ keys: [jwk] })];
      for (const secret of secrets) {
        const t = await hs256({ ...s.header(), alg: "HS256" }, s.payload(), secret);
        expect(refused(await verifyJwt(t, s.source(), s.expect)).refusal).toBe("algorithm");
      }
    });

    for (const h of KEY_CHOOSING) {
      it(`a '${h}' header is refused, even on a genuine signature naming the genuine key`, async () => {
        const jwk = s.publicJwk();
        const value = { jku: "https://evil.example/jwks.json", x5u: "https://evil.example/cert.pem", jwk, x5c: [ourEc().certificateBase64] }[h];
        const t = await genuine({ [h]: value });
        const r = refused(await verifyJwt(t, s.source(), s.expect));
        expect(r.refusal).toBe("key-choosing-header");
        expect(r.reason).toContain(`'${h}'`);
        // Refusals are never remembered: the same answer again.
        expect(refused(await verifyJwt(t, s.source(), s.expect)).refusal).toBe("key-choosing-header");
      });
    }

    it("a 'b64' header is refused, in crit or not, even on a genuine signature (RFC 7797: verifiers disagree on what it signs)", async () => {
      expectOk(await verifyJwt(await signEncoded(s.key(), s.header(), s.payload()), s.source(), s.expect));
      for (const header of [{ b64: false }, { b64: true }, { b64: false, crit: ["b64"] }, { b64: true, crit: ["b64"] }]) {
        const t = await signEncoded(s.key(), { ...s.header(), ...header }, s.payload());
        const r = refused(await verifyJwt(t, s.source(), s.expect));
        expect(r, JSON.stringify(header)).toEqual({ ok: false, refusal: "malformed", reason: UNENCODED_PAYLOAD });
      }
    });

    it("a wrong issuer is refused", async () => {
      for (const iss of ["https://evil.example", `${s.expect.issuer}/`]) {
        const r = refused(await verifyJwt(await genuine({}, { iss }), s.source(), s.expect));
        expect(r).toEqual({ ok: false, refusal: "claim", reason: "The token's 'iss' claim is not valid." });
      }
    });

    it("a wrong audience is refused when one is expected", async () => {
      const r = refused(await verifyJwt(await genuine({}, { aud: "https://elsewhere.example/" }), s.source(), s.withAudience));
      expect(r).toEqual({ ok: false, refusal: "claim", reason: "The token's 'aud' claim is not valid." });
    });

    it("an expired token is reported expired, and one not yet valid as such, each with its payload", async () => {
      const t = await genuine({}, { iat: T - 7200, exp: T - 3600 });
      const r = refused(await verifyJwt(t, s.source(), s.expect));
      expect(r.refusal).toBe("expired");
      expect(r.reason).toBe("The token has expired.");
      expect(r.payload).toMatchObject({ sub: s.payload().sub, exp: T - 3600 });
      // Within the skew it still verifies; the payload is only ever handed out with a valid signature.
      expectOk(await verifyJwt(await genuine({}, { exp: T - SKEW + 1 }), s.source(), s.expect));
      expect(refused(await verifyJwt(await sign(s.stranger(), s.header(), { ...s.payload(), exp: T - 3600 }), s.source(), s.expect)).payload).toBeUndefined();
      const early = refused(await verifyJwt(await genuine({}, { nbf: T + 3600 }), s.source(), s.expect));
      expect(early.refusal).toBe("not-yet-valid");
      expect(early.reason).toBe("The token is not yet valid.");
      expect(early.payload).toMatchObject({ sub: s.payload().sub, nbf: T + 3600 });
      // Only a start ahead: a forged one, or one also failing another claim, gives no payload.
      const forgedEarly = refused(await verifyJwt(await sign(s.stranger(), s.header(), { ...s.payload(), nbf: T + 3600 }), s.source(), s.expect));
      expect(forgedEarly.payload).toBeUndefined();
      const elsewhereEarly = refused(await verifyJwt(await genuine({}, { nbf: T + 3600, aud: "https://elsewhere.example/" }), s.source(), s.withAudience));
      expect(elsewhereEarly).toEqual({ ok: false, refusal: "claim", reason: "The token's 'aud' claim is not valid." });
    });

    it("not a JWT at all is refused as malformed", async () => {
      for (const junk of ["", "abc", "a.b.c", `${b64url("[1]")}.${b64url("{}")}.`]) {
        expect(refused(await verifyJwt(junk, s.source(), s.expect)).refusal, junk).toBe("malformed");
      }
    });

    it("one token, one spelling: a segment whose last character sets bits beyond the data is refused as malformed", async () => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const decode = (seg: string) => atob(seg.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (seg.length % 4)) % 4));
      const t = await genuine();
      const parts = t.split(".");
      expect(parts[2]!.length % 4).not.toBe(0); // the signature has spare bits to set
      for (let i = 0; i < 3; i++) {
        const seg = parts[i]!;
        if (seg.length % 4 === 0) continue;
        const respelt = seg.slice(0, -1) + alphabet[alphabet.indexOf(seg.at(-1)!) + 1];
        expect(decode(respelt)).toBe(decode(seg)); // the same bytes, another spelling
        const variant = parts.map((p, j) => (j === i ? respelt : p)).join(".");
        expect(refused(await verifyJwt(variant, s.source(), s.expect)).refusal, `segment ${i}`).toBe("malformed");
      }
      expectOk(await verifyJwt(t, s.source(), s.expect));
    });
  });
}

describe("our key ring", () => {
  const claims = () => ({ iss: STS, sub: "alice", aud: API, iat: T - 10, exp: T + 300, jti: crypto.randomUUID() });

  it("needs our typ, one of our kids, and an algorithm for that key's type", async () => {
    const kid = ourEc().kid;
    expectOk(await verifyJwt(await sign(ourKeys.ec, { alg: "ES256", typ: "at+jwt", kid }, claims()), ring, { issuer: STS, ...base }));
    for (const typ of [undefined, "id_token+jwt", "jwt"]) {
      const r = refused(await verifyJwt(await sign(ourKeys.ec, { alg: "ES256", typ, kid }, claims()), ring, { issuer: STS, ...base }));
      expect(r.refusal, String(typ)).toBe("type");
    }
    for (const header of [{ kid: "no-such-key" }, {}]) {
      const r = refused(await verifyJwt(await sign(strangerEc.priv, { alg: "ES256", typ: "JWT", ...header }, claims()), ring, { issuer: STS, ...base }));
      expect(r.refusal).toBe("unknown-key");
    }
    // ES256 naming our RSA key: refused before any key is used.
    const rsaKid = ring.current("RSA").kid;
    const r = refused(await verifyJwt(await sign(ourKeys.ec, { alg: "ES256", typ: "JWT", kid: rsaKid }, claims()), ring, { issuer: STS, ...base }));
    expect(r.refusal).toBe("key-mismatch");
    // Algorithms our keys never sign with.
    for (const alg of ["PS384", "EdDSA", "HS512"]) {
      const t = unsigned({ alg, typ: "JWT", kid }, claims(), "AAAA");
      expect(refused(await verifyJwt(t, ring, { issuer: STS, ...base })).refusal, alg).toBe("algorithm");
    }
  });

  it("a remembered token answers from memory only when nothing but the issuer is expected", async () => {
    const { value } = await buildJwt(ring, {
      typ: "JWT", alg: "ES256", issuer: STS, subject: "alice", audience: API,
      issuedAt: new Date(NOW.getTime() - 10_000), notBefore: new Date(NOW.getTime() - 10_000), expires: new Date(NOW.getTime() + 300_000),
      claims: {}, scope: [], actor: undefined, clientId: undefined, authnInstant: NOW,
    });
    const size = verifiedJwtCacheSize(ring);
    expectOk(await verifyJwt(value, ring, { issuer: STS, ...base }));
    expect(verifiedJwtCacheSize(ring)).toBe(size + 1);
    const spy = vi.spyOn(crypto.subtle, "verify");
    try {
      expectOk(await verifyJwt(value, ring, { issuer: STS, ...base }));
      expect(spy).not.toHaveBeenCalled();
      // An audience, subject or required claim the memory did not check: the full path answers.
      expect(refused(await verifyJwt(value, ring, { issuer: STS, audience: "https://elsewhere.example/", ...base })).reason).toBe("The token's 'aud' claim is not valid.");
      expect(refused(await verifyJwt(value, ring, { issuer: STS, subject: "bob", ...base })).reason).toBe("The token's 'sub' claim is not valid.");
      expect(refused(await verifyJwt(value, ring, { issuer: STS, requiredClaims: ["cnf"], ...base })).reason).toBe("The token's 'cnf' claim is not valid.");
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });

  it("claimedIssuer: the unverified iss, from memory for a remembered token, NOT_A_JWT for junk", async () => {
    const t = await sign(strangerEc.priv, { alg: "ES256" }, { iss: "https://anyone.example" });
    expect(claimedIssuer(t, ring)).toBe("https://anyone.example");
    expect(claimedIssuer(unsigned({ alg: "ES256" }, { iss: 7 }), ring)).toBe(7);
    expect(claimedIssuer(unsigned({ alg: "ES256" }, { sub: "x" }), ring)).toBeUndefined();
    for (const junk of ["", "a.b", "a.b.c", `${b64url("{}")}.${b64url("[]")}.`]) expect(claimedIssuer(junk, ring), junk).toBe(NOT_A_JWT);
  });
});

describe("a trusted issuer's JWKS", () => {
  it("never accepts none or HMAC, even when its configuration lists them", async () => {
    const careless = { ...TRUSTED_IDP, algorithms: ["ES256", "HS256", "none"] } as unknown as TrustedIssuer;
    const src = trustedIssuerKeys(careless);
    const payload = { iss: IDP, sub: "carol", aud: STS, exp: T + 300 };
    const expect_ = { issuer: IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base };
    expectOk(await verifyJwt(await sign(idp.priv, { alg: "ES256", kid: "idp-key-1" }, payload), src, expect_));
    const hmac = await hs256({ alg: "HS256", kid: "idp-key-1" }, payload, JSON.stringify(idp.jwk));
    expect(refused(await verifyJwt(hmac, src, expect_)).refusal).toBe("algorithm");
    expect(refused(await verifyJwt(unsigned({ alg: "none" }, payload), src, expect_)).refusal).toBe("algorithm");
  });

  it("accepts only its configured algorithms", async () => {
    // ES384 is asymmetric, but not on this issuer's list.
    const t = unsigned({ alg: "ES384", kid: "idp-key-1" }, { iss: IDP, sub: "carol", aud: STS, exp: T + 300 }, "AAAA");
    expect(refused(await verifyJwt(t, trustedIssuerKeys(TRUSTED_IDP), { issuer: IDP, audience: STS, ...base })).refusal).toBe("algorithm");
  });

  it("requires sub and exp when asked to", async () => {
    const e = { issuer: IDP, audience: STS, requiredClaims: ["sub", "exp"], ...base };
    for (const missing of ["sub", "exp"]) {
      const payload: Record<string, unknown> = { iss: IDP, sub: "carol", aud: STS, exp: T + 300 };
      delete payload[missing];
      const r = refused(await verifyJwt(await sign(idp.priv, { alg: "ES256", kid: "idp-key-1" }, payload), trustedIssuerKeys(TRUSTED_IDP), e));
      expect(r).toEqual({ ok: false, refusal: "claim", reason: `The token's '${missing}' claim is not valid.` });
    }
  });

  it("one key source per issuer configuration; a jwksUri is fetched once, then served from the cache", async () => {
    expect(trustedIssuerKeys(TRUSTED_IDP)).toBe(trustedIssuerKeys(TRUSTED_IDP));
    const before = jwksFetches;
    const t = () => sign(remote.priv, { alg: "RS256", kid: "remote-key-1" }, { iss: REMOTE_IDP, sub: "dave", aud: STS, exp: T + 300 });
    const e = { issuer: REMOTE_IDP, audience: STS, ...base };
    expectOk(await verifyJwt(await t(), trustedIssuerKeys(TRUSTED_REMOTE), e));
    expectOk(await verifyJwt(await t(), trustedIssuerKeys({ ...TRUSTED_REMOTE }), e)); // same URI, another configuration
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });
});

describe("a client's registered JWKS", () => {
  const assertion = (payload: Record<string, unknown> = {}) =>
    sign(client.priv, { alg: "ES256", kid: "client-key-1" }, { iss: CLIENT, sub: CLIENT, aud: TOKEN_URL, exp: T + 60, jti: crypto.randomUUID(), ...payload });
  const e = (): JwtExpectations => ({ issuer: CLIENT, subject: CLIENT, audience: [TOKEN_URL, STS], requiredClaims: ["exp", "jti"], ...base });

  it("needs iss = sub = the client, an audience of ours, exp and jti", async () => {
    expectOk(await verifyJwt(await assertion(), clientKeys(CLIENT_CONFIG)!, e()));
    expectOk(await verifyJwt(await assertion({ aud: STS }), clientKeys(CLIENT_CONFIG)!, e()));
    const cases: [Record<string, unknown>, JwtRefusal, string][] = [
      [{ sub: "someone-else" }, "claim", "sub"],
      [{ iss: "someone-else" }, "claim", "iss"],
      [{ aud: "https://elsewhere.example/token" }, "claim", "aud"],
      [{ jti: undefined }, "claim", "jti"],
      [{ exp: undefined }, "claim", "exp"],
    ];
    for (const [change, refusal, claim] of cases) {
      const r = refused(await verifyJwt(await assertion(change), clientKeys(CLIENT_CONFIG)!, e()));
      expect([r.refusal, r.reason], claim).toEqual([refusal, `The token's '${claim}' claim is not valid.`]);
    }
  });

  it("a client without keys has no key source; another client's keys do not verify its assertion", async () => {
    expect(clientKeys({ ...CLIENT_CONFIG, jwks: undefined })).toBeUndefined();
    const other = await ecPair("client-key-1");
    const otherSource = clientKeys({ ...CLIENT_CONFIG, jwks: { keys: [other.jwk] } })!;
    expect(refused(await verifyJwt(await assertion(), otherSource, e())).refusal).toBe("signature");
  });

  it("allows exactly the advertised asymmetric algorithms", () => {
    expect(clientKeys(CLIENT_CONFIG)!.algorithms).toEqual(CLIENT_ASSERTION_ALGS);
    expect(CLIENT_ASSERTION_ALGS.some((a) => a === "none" || a.startsWith("HS"))).toBe(false);
  });

  it("peekJwt: the claimed iss, after refusing an unreadable header and each key-choosing header", async () => {
    expect(peekJwt(await assertion())).toEqual({ ok: true, iss: CLIENT });
    for (const h of KEY_CHOOSING) {
      const r = peekJwt(unsigned({ alg: "ES256", [h]: "x" }, { iss: CLIENT }, "AAAA"));
      expect(r, h).toMatchObject({ ok: false, refusal: "key-choosing-header" });
    }
    // A key-choosing header is refused even when the payload is unreadable.
    expect(peekJwt(`${b64url(JSON.stringify({ alg: "ES256", jku: "x" }))}.!!!.AAAA`)).toMatchObject({ ok: false, refusal: "key-choosing-header" });
    for (const junk of ["", "abc", `!!!.${b64url("{}")}.`, `${b64url(JSON.stringify({ alg: "ES256" }))}.!!!.AAAA`]) {
      expect(peekJwt(junk), junk).toMatchObject({ ok: false, refusal: "malformed" });
    }
  });
});

describe("identity claims", () => {
  it("one reserved set: the registered, delegation, confirmation and OpenID Connect claims", () => {
    expect([...RESERVED_CLAIMS].sort()).toEqual(
      ["acr", "act", "actor", "actort", "amr", "at_hash", "aud", "auth_time", "authmethod", "azp", "c_hash", "client_id", "cnf", "exp", "iat", "iss", "jti", "may_act", "nameid", "nbf", "nonce", "scope", "scp", "sid", "sub"].sort(),
    );
  });

  it("reads the other string and string-array claims as fresh arrays, and nothing else", () => {
    const groups = Object.freeze(["admins", "users"]);
    const payload: Record<string, unknown> = { email: "a@example.com", groups, n: 3, mixed: ["a", 1], obj: { a: "b" }, empty: [], yes: true };
    for (const r of RESERVED_CLAIMS) payload[r] = "reserved";
    // ... and by the claim-type URIs a SAML token would state them under, read back as protocol facts.
    for (const uri of ["http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor", "urn:edge-sts:claims/client_id", "http://schemas.microsoft.com/identity/claims/scope"]) payload[uri] = "reserved";
    // ... in any letter case (relying parties compare claim types ignoring it).
    for (const name of ["HTTP://SCHEMAS.XMLSOAP.ORG/ws/2009/09/identity/claims/Actor", "http://schemas.microsoft.com/ws/2008/06/identity/claims/AuthenticationMethod", "HTTP://schemas.microsoft.com/identity/claims/scope", "SCOPE", "May_Act"]) payload[name] = "reserved";
    const claims = identityClaims(Object.freeze(payload));
    expect(claims).toEqual({ email: ["a@example.com"], groups: ["admins", "users"], empty: [] });
    expect(claims.groups).not.toBe(groups);
    claims.groups!.push("root"); // the caller's own copy
    expect(groups).toEqual(["admins", "users"]);
  });
});
