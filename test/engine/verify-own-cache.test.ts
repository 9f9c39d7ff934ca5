/**
 * Remembered SAML verifications (src/engine/verify-own.ts over src/keys/verified-memo.ts): an
 * assertion with exactly the same text and the same namespaces in scope, verified before under
 * the same KeyRing and issuer, skips the signature work; anything else takes the full path.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Element } from "@xmldom/xmldom";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import type { ResolvedConfig } from "../../src/config/types.ts";
import type { StsContext } from "../../src/engine/types.ts";
import { verifyOwnToken } from "../../src/engine/verify-own.ts";
import { buildJwt } from "../../src/jwt/mint.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { assertionInput } from "../helpers/assertion-input.ts";
import { buildSaml1Assertion } from "../../src/saml/saml1.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { isSamlAssertion } from "../../src/saml/ns.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { elementSource } from "../../src/xml/tree.ts";
import { isolateCaches } from "../../src/cache.ts";

const ISS = "https://sts.memo.test";
const T0 = Date.UTC(2030, 0, 1);
const SKEW_S = 60;
let ring: KeyRing;

beforeAll(async () => {
  ring = await KeyRing.load(DEV_KEY_MATERIALS);
});
afterEach(() => vi.restoreAllMocks());

function ctx(at: number, keys = ring, issuer = ISS): StsContext {
  return {
    config: { limits: { clockSkewSeconds: SKEW_S }, relyingParties: [{ identifier: "urn:example:rp", aliases: [] }, { identifier: "https://api.test", aliases: [] }] } as unknown as ResolvedConfig,
    keys,
    issuer,
    origin: issuer,
    now: () => new Date(at),
    begun: new Date(at),
    audit: {},
  };
}

async function assertion(build = buildSaml2Assertion, subject = "alice"): Promise<string> {
  return build(assertionInput({ at: new Date(T0), issuer: ISS, subject, claims: { email: [`${subject}@example.com`], groups: ["a", "b"] } }), ring);
}

/** The assertion inside a wrapper, parsed as the WS-Trust endpoint parses requests. */
function presented(xml: string, wrapperAttrs = ""): { xml: Element } {
  const doc = parseXml(`<w:Wrap xmlns:w="urn:wrap"${wrapperAttrs}>${xml}</w:Wrap>`, { keepSource: isSamlAssertion });
  return { xml: doc.documentElement!.firstChild as Element };
}

/** Answers from the remembered-verification cache so far (the isolate's registry counts them). */
const hits = () => isolateCaches.stats().find((c) => c.name === "saml.verified")!.hits;

describe("elementSource", () => {
  it("is the element's exact text (line ends normalised) with the bindings in scope, for kept elements only", () => {
    const doc = parseXml(`<a:r xmlns:a="urn:a" xmlns="urn:d">\r\n<a:k x="1">t\r\n</a:k><a:k/><o/></a:r>`, {
      keepSource: (ns, local) => ns === "urn:a" && local === "k",
    });
    const [k1, k2, o] = [...doc.documentElement!.childNodes].filter((n) => n.nodeType === 1) as Element[];
    expect(elementSource(k1!)).toBe(`[["","urn:d"],["a","urn:a"]]\n<a:k x="1">t\n</a:k>`);
    expect(elementSource(k2!)).toBe(`[["","urn:d"],["a","urn:a"]]\n<a:k/>`);
    expect(elementSource(o!)).toBeUndefined();
    expect(elementSource(parseXml("<a:k xmlns:a='urn:a'/>").documentElement!)).toBeUndefined(); // not asked
  });
});

describe("remembered SAML verifications", () => {
  for (const [name, build] of [["SAML 2.0", buildSaml2Assertion], ["SAML 1.1", buildSaml1Assertion]] as const) {
    it(`${name}: the same assertion again skips the signature check and gives the same facts`, async () => {
      const xml = await assertion(build);
      const before = hits();
      const first = await verifyOwnToken(ctx(T0 + 1000), presented(xml));
      expect(first.ok).toBe(true);
      expect(hits()).toBe(before); // control: the first presentation takes the full path
      const second = await verifyOwnToken(ctx(T0 + 2000), presented(xml));
      expect(hits()).toBe(before + 1);
      expect(second).toEqual(first);
      expect(second.ok && second.token.subject).toBe("alice");
    });
  }

  it("time checks run on every hit, with the full path's answers", async () => {
    const xml = await assertion();
    expect((await verifyOwnToken(ctx(T0 + 1000), presented(xml))).ok).toBe(true);
    const late = await verifyOwnToken(ctx(T0 + 3600_000 + SKEW_S * 1000 + 1), presented(xml));
    expect(late).toMatchObject({ ok: false, reason: "The token has expired.", expired: true });
    const early = await verifyOwnToken(ctx(T0 - SKEW_S * 1000 - 1), presented(xml));
    expect(early).toMatchObject({ ok: false, reason: "The token is not yet valid." });
  });

  it("one character changed, other bindings in scope, another KeyRing or issuer: the full path runs", async () => {
    const xml = await assertion();
    expect((await verifyOwnToken(ctx(T0), presented(xml))).ok).toBe(true);
    const other = await KeyRing.load(DEV_KEY_MATERIALS); // (loading checks its keys with verify)
    const before = hits();
    // A changed subject breaks the digest: refused, not answered from memory.
    const bob = xml.replace(">alice<", ">bobby<");
    expect(await verifyOwnToken(ctx(T0), presented(bob))).toMatchObject({ ok: false });
    // Same text, but the wrapper binds the default namespace: a different scope, a miss.
    expect((await verifyOwnToken(ctx(T0), presented(xml, ' xmlns="urn:other"'))).ok).toBe(true);
    expect(hits()).toBe(before);
    expect((await verifyOwnToken(ctx(T0, other), presented(xml))).ok).toBe(true);
    expect(hits()).toBe(before);
    expect(await verifyOwnToken(ctx(T0, ring, "https://elsewhere.test"), presented(xml))).toMatchObject({ ok: false, reason: "The token was not issued by this STS." });
    expect(hits()).toBe(before);
  });

  it("a remembered assertion in a document with a duplicate ID is refused as on the full path", async () => {
    const xml = await assertion();
    expect((await verifyOwnToken(ctx(T0), presented(xml))).ok).toBe(true);
    const id = /ID="([^"]+)"/.exec(xml)![1];
    const doc = parseXml(`<w:Wrap xmlns:w="urn:wrap">${xml}<w:x ID="${id}"/></w:Wrap>`, { keepSource: isSamlAssertion });
    const r = await verifyOwnToken(ctx(T0), { xml: doc.documentElement!.firstChild as Element });
    expect(r).toMatchObject({ ok: false, reason: `The token with ID '${id}' appears more than once in the message (the same token sent twice, or a copy of it): send each token once.` });
  });

  it("failures are never remembered, and a hit's facts cannot change what was verified", async () => {
    const xml = await assertion();
    const unsigned = xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
    for (let i = 0; i < 2; i++) expect(await verifyOwnToken(ctx(T0), presented(unsigned))).toMatchObject({ ok: false });
    const first = await verifyOwnToken(ctx(T0), presented(xml));
    if (!first.ok) throw new Error(first.reason);
    first.token.issuedAt.setTime(0);
    // Whether the caller's copy is frozen or not, changing it cannot reach what was remembered.
    try {
      first.token.claims.groups!.push("root");
    } catch {
      /* frozen */
    }
    const second = await verifyOwnToken(ctx(T0), presented(xml));
    if (!second.ok) throw new Error(second.reason);
    expect(second.token.issuedAt.getTime()).toBe(T0);
    expect(second.token.claims.groups).toEqual(["a", "b"]);
  });
});

/**
 * A remembered JWT (src/jwt/verified-cache.ts hands out the same frozen payload each time) has
 * its facts read once (jwtFactsOf in src/engine/verify-own.ts): later presentations get copies
 * whose dates and fields a caller may change without reaching the next presentation.
 */
describe("remembered JWT facts", () => {
  async function jwt(typ: "JWT" | "at+jwt" = "JWT", claims: Record<string, string[]> = { email: ["alice@example.com"], groups: ["a", "b"] }): Promise<string> {
    const { value } = await buildJwt(ring, {
      typ,
      alg: "ES256",
      issuer: ISS,
      subject: "alice",
      audience: "https://api.test",
      issuedAt: new Date(T0),
      notBefore: new Date(T0),
      expires: new Date(T0 + 3600_000),
      claims,
      scope: ["read", "write"],
      actor: { sub: "svc" },
      clientId: "demo-client",
      authnInstant: new Date(T0),
    });
    return value;
  }

  it("gives every presentation the same facts as the first, in copies it may change", async () => {
    const value = await jwt();
    const first = await verifyOwnToken(ctx(T0), { jwt: value });
    if (!first.ok) throw new Error(first.reason);
    const facts = structuredClone(first.token);
    for (let i = 0; i < 3; i++) {
      const again = await verifyOwnToken(ctx(T0 + i * 1000), { jwt: value });
      if (!again.ok) throw new Error(again.reason);
      expect(again.token).toEqual(facts);
      again.token.expires.setTime(0);
      again.token.subject = "mallory";
      expect(() => again.token.claims.groups!.push("root")).toThrow(TypeError);
      expect(() => again.token.scope.push("admin")).toThrow(TypeError);
    }
    const last = await verifyOwnToken(ctx(T0), { jwt: value });
    expect(last.ok && last.token).toEqual(facts);
    expect(facts).toMatchObject({ kind: "jwt", subject: "alice", claims: { email: ["alice@example.com"], groups: ["a", "b"] }, scope: ["read", "write"], actor: { sub: "svc" }, clientId: "demo-client" });
  });

  it("reads claims with the one reserved set (src/jwt/claims.ts): OpenID Connect's azp, nonce, at_hash, c_hash, sid are not identity claims", async () => {
    const oidc = { azp: ["x"], nonce: ["n"], at_hash: ["h"], c_hash: ["c"], sid: ["s"] };
    const r = await verifyOwnToken(ctx(T0), { jwt: await jwt("JWT", { ...oidc, dept: ["d1", "d2"] }) });
    if (!r.ok) throw new Error(r.reason);
    expect(r.token.claims).toEqual({ dept: ["d1", "d2"] });
  });

  it("keeps the kind from the verified header (at+jwt) and still applies the time window", async () => {
    const value = await jwt("at+jwt");
    for (let i = 0; i < 2; i++) expect(await verifyOwnToken(ctx(T0), { jwt: value })).toMatchObject({ ok: true, token: { kind: "access_token" } });
    // Expired, it is still an access token (renewal within a grace keeps its type): from memory,
    // and on the full path for one first seen expired.
    const late = ctx(T0 + 3600_000 + SKEW_S * 1000 + 1000);
    expect(await verifyOwnToken(late, { jwt: value })).toMatchObject({ ok: false, expired: true, token: { kind: "access_token" } });
    expect(await verifyOwnToken(late, { jwt: await jwt("at+jwt") })).toMatchObject({ ok: false, expired: true, token: { kind: "access_token" } });
  });
});
