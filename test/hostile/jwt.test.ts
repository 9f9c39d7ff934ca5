/**
 * Forged JWTs (RFC 8725 §2–3): each presented to WS-Trust Validate as a BinarySecurityToken
 * (status invalid, never valid), as an RFC 8693 subject_token (refused) and to RFC 7662
 * introspection (active: false).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { TT } from "../helpers/soap.ts";
import { ORIGIN, call } from "../helpers/worker.ts";
import { generatedKey } from "../xmldsig/helpers.ts";
import { API, forgeJwt, hs256, jwtFromTrust, jwtParts, post } from "../oauth/helpers.ts";
import { STATUS_INVALID, STATUS_VALID, exchangeSubject, ourRsaKey, validateStatus } from "./helpers.ts";

const bst = (jwt: string) =>
  `<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="${TT.jwt}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${btoa(jwt)}</wsse:BinarySecurityToken>`;

let genuine = "";
let ourKid = "";
let claims: Record<string, unknown> = {};
const now = () => Math.floor(Date.now() / 1000);

async function expectRefused(name: string, jwt: string): Promise<void> {
  const v = await validateStatus(bst(jwt));
  expect(v.code, name).not.toBe(STATUS_VALID);
  if (v.code === undefined) expect(v.fault, name).toBeDefined();
  else expect(v.code, name).toBe(STATUS_INVALID);
  const x = await exchangeSubject(jwt, "jwt");
  expect(x.status, name).toBe(400);
  expect(x.error, name).toBe("invalid_grant");
  const i = await post("/oauth2/introspect", { token: jwt });
  expect(i.status, name).toBe(200);
  expect(i.json, name).toEqual({ active: false });
}

/** A JWT with our real header and claims, signed by `key` with the given header overrides. */
async function signed(key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ ...claims, ...payload }).setProtectedHeader({ alg: "RS256", typ: "JWT", ...header } as { alg: string }).sign(key);
}

beforeAll(async () => {
  genuine = await jwtFromTrust("bob", "builder");
  const p = jwtParts(genuine);
  ourKid = p.header.kid as string;
  claims = p.payload;
});

describe("JWT forgeries", () => {
  it("control: the genuine JWT is valid everywhere", async () => {
    expect((await validateStatus(bst(genuine))).code).toBe(STATUS_VALID);
    expect((await exchangeSubject(genuine, "jwt")).sub).toBe("bob");
    expect((await post("/oauth2/introspect", { token: genuine })).json.active).toBe(true);
  });

  it("alg none (with our kid, empty signature)", async () => {
    await expectRefused("none", forgeJwt({ alg: "none", typ: "JWT", kid: ourKid }, { ...claims, sub: "alice" }));
    await expectRefused("None", forgeJwt({ alg: "None", typ: "JWT", kid: ourKid }, { ...claims, sub: "alice" }));
  });

  it("HS256 keyed with our JWKS public key (JSON, n, and PEM-ish forms)", async () => {
    const jwks = (await (await call("/oauth2/jwks")).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const ours = jwks.keys.find((k) => k.kid === ourKid)!;
    expect(ours).toBeDefined();
    for (const secret of [JSON.stringify(ours), ours.n ?? ours.x!, JSON.stringify(jwks)]) {
      await expectRefused("hs256", await hs256({ alg: "HS256", typ: "JWT", kid: ourKid }, { ...claims, sub: "alice" }, secret));
    }
  });

  it("jku / x5u pointing elsewhere, with the token signed by the attacker", async () => {
    const evil = await generatedKey("RSA-2048", "evil");
    const k = await evil.privateKeyFor("RS256");
    await expectRefused("jku", await signed(k, { kid: "evil", jku: "https://evil.example/jwks.json" }, { sub: "alice" }));
    await expectRefused("jku+our kid", await signed(k, { kid: ourKid, jku: "https://evil.example/jwks.json" }, { sub: "alice" }));
    await expectRefused("x5u", await signed(k, { kid: ourKid, x5u: "https://evil.example/cert.pem" }, { sub: "alice" }));
  });

  it("embedded jwk / x5c of the attacker's key", async () => {
    const evil = await generatedKey("RSA-2048", "evil");
    const k = await evil.privateKeyFor("RS256");
    const { kid: _k, use: _u, x5c: _x, ...jwk } = evil.publicJwk;
    await expectRefused("jwk", await signed(k, { kid: ourKid, jwk }, { sub: "alice" }));
    await expectRefused("x5c", await signed(k, { kid: ourKid, x5c: [evil.certificateBase64] }, { sub: "alice" }));
  });

  it("kid of an unknown key, and our kid on a stranger's signature", async () => {
    const evil = await generatedKey("RSA-2048", "evil");
    const k = await evil.privateKeyFor("RS256");
    await expectRefused("unknown kid", await signed(k, { kid: "no-such-key" }, { sub: "alice" }));
    await expectRefused("our kid, stranger sig", await signed(k, { kid: ourKid }, { sub: "alice" }));
    await expectRefused("no kid", await signed(k, {}, { sub: "alice" }));
  });

  it("signed with our own key but the wrong iss, an expired exp, a future nbf or a bad typ", async () => {
    const key = await ourRsaKey();
    const k = await key.privateKeyFor("RS256");
    const kid = key.kid;
    // Control: our key with our claims verifies (so each refusal below is the claim's doing).
    expect((await validateStatus(bst(await signed(k, { kid })))).code).toBe(STATUS_VALID);
    await expectRefused("iss", await signed(k, { kid }, { iss: "https://evil.example/" }));
    await expectRefused("iss with trailing slash", await signed(k, { kid }, { iss: `${ORIGIN}/` }));
    await expectRefused("expired", await signed(k, { kid }, { exp: now() - 3600, iat: now() - 7200 }));
    await expectRefused("nbf in the future", await signed(k, { kid }, { nbf: now() + 3600 }));
    await expectRefused("typ", await signed(k, { kid, typ: "id_token+jwt" }));
  });

  it("signed with our key for an audience that is not a relying party of ours: Validate refuses", async () => {
    // (Token exchange accepts it: a token our key signed is ours whatever its audience, and
    // exchange exists to re-target tokens. Only a stolen signing key could produce one.)
    const key = await ourRsaKey();
    const jwt = await signed(await key.privateKeyFor("RS256"), { kid: key.kid }, { aud: "https://evil.example/" });
    const v = await validateStatus(bst(jwt));
    expect(v.code ?? v.fault).toBeDefined();
    expect(v.code).not.toBe(STATUS_VALID);
  });

  it("a stolen genuine signature glued to a different payload", async () => {
    const [h, , s] = genuine.split(".");
    const p = forgeJwt({}, { ...claims, sub: "alice" }).split(".")[1];
    await expectRefused("glued", `${h}.${p}.${s}`);
  });
});

it("API constant is the relying party used by these tests", () => {
  expect(claims.aud === API || (Array.isArray(claims.aud) && claims.aud.includes(API))).toBe(true);
});
