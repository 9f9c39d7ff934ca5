/**
 * Hostile DPoP proofs (RFC 9449) at the token endpoint: each is refused with invalid_dpop_proof
 * (HTTP 400) and a description that says what is wrong, and never yields a token.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { ecKeyInfo, unb64url_bytes } from "../helpers/key-info.ts";
import { NS, TT } from "../helpers/soap.ts";
import { fromBase64, toBase64Url } from "../../src/bytes.ts";
import RSA_2040 from "../fixtures/keys/rsa-2040.key.pem?raw";
import RSA_2041 from "../fixtures/keys/rsa-2041.key.pem?raw";
import RSA_2047 from "../fixtures/keys/rsa-2047.key.pem?raw";
import { API, TX, b64url, es256, forgeJwt, hs256, jwtFromTrust, jwtParts } from "../oauth/helpers.ts";
import { assertionIn, ecIssuerKey, jwtIn, trustWith, workerWith } from "./configured.ts";
import { TOKEN_URL, exchangeWithDpop, proof, proofKey } from "../oauth/dpop-helpers.ts";

let subject = "";
beforeAll(async () => {
  subject = await jwtFromTrust();
});

const now = () => Math.floor(Date.now() / 1000);

/** Sends the DPoP header value(s) with a good exchange and expects a clear invalid_dpop_proof. */
async function refused(dpop: string | string[], why: RegExp, params: Record<string, string> = {}): Promise<void> {
  const r = await exchangeWithDpop({ subject_token: subject, ...params }, dpop);
  expect(r.json.access_token).toBeUndefined();
  expect([r.status, r.json.error]).toEqual([400, "invalid_dpop_proof"]);
  expect(r.json.error_description).toMatch(why);
}

/** Signs header.payload with a WebCrypto key directly (for what jose refuses to make). */
async function rawSign(header: object, payload: object, key: CryptoKey, params: string): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = new Uint8Array(await crypto.subtle.sign(params, key, new TextEncoder().encode(input)));
  let bin = "";
  for (const b of sig) bin += String.fromCharCode(b);
  return `${input}.${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

const claims = () => ({ htm: "POST", htu: TOKEN_URL, iat: now(), jti: crypto.randomUUID() });

describe("hostile DPoP proofs → invalid_dpop_proof", () => {
  it("a replayed proof (same jti) is refused the second time", async () => {
    const k = await proofKey();
    const p = await proof(k);
    expect((await exchangeWithDpop({ subject_token: subject }, p)).status).toBe(200);
    await refused(p, /has been used before/);
    // The same jti with another key is another proof (the cache is keyed by thumbprint and jti).
    const jti = crypto.randomUUID();
    expect((await exchangeWithDpop({ subject_token: subject }, await proof(k, { jti }))).status).toBe(200);
    expect((await exchangeWithDpop({ subject_token: subject }, await proof(await proofKey(), { jti }))).status).toBe(200);
  });

  it("a wrong htu: another endpoint, scheme, host or port", async () => {
    const k = await proofKey();
    for (const htu of [
      "http://127.0.0.1:8787/oauth2/introspect",
      "https://127.0.0.1:8787/oauth2/token",
      "http://localhost:8787/oauth2/token",
      "http://127.0.0.1:8788/oauth2/token",
      "http://127.0.0.1:8787/oauth2/token/",
      "/oauth2/token",
      "not a url",
    ]) {
      await refused(await proof(k, { htu }), /htu must be the token endpoint URL, http:\/\/127\.0\.0\.1:8787\/oauth2\/token/);
    }
    await refused(await proof(k, { htu: 42 }), /htu must be/);
    // RFC 3986 §6.2.2.2: a percent-encoded reserved character is not that character.
    await refused(await proof(k, { htu: "http://127.0.0.1:8787/oauth2%2Ftoken" }), /htu must be the token endpoint URL/);
  });

  it("an htu with userinfo (RFC 9110 §4.2.4), even empty or naming this host", async () => {
    const k = await proofKey();
    for (const htu of [
      "http://evil@127.0.0.1:8787/oauth2/token",
      "http://127.0.0.1:8787@127.0.0.1:8787/oauth2/token",
      "http://user:pass@127.0.0.1:8787/oauth2/token",
      "http://@127.0.0.1:8787/oauth2/token",
      "HTTP:evil@127.0.0.1:8787/oauth2/token",
    ]) {
      await refused(await proof(k, { htu }), /htu must not carry userinfo/);
    }
  });

  // Defect: htu was read by the URL parser, which drops tabs, line breaks and leading spaces
  // and takes "\" for "/": " http://evil@…" passed the userinfo rule and then matched.
  it("an htu that is no URI: spaces, control characters, backslashes, non-ASCII, which the URL parser would read past", async () => {
    const k = await proofKey();
    for (const htu of [
      " http://evil@127.0.0.1:8787/oauth2/token",
      "ht\ttp://evil@127.0.0.1:8787/oauth2/token",
      "http\n://127.0.0.1:8787/oauth2/token",
      "\u0001http://127.0.0.1:8787/oauth2/token",
      "http://127.0.0.1:8787/oauth2/token ",
      "http:\\\\127.0.0.1:8787\\oauth2\\token",
      "http://127.0.0.1:8787/oauth2/t\u00f6ken",
    ]) {
      await refused(await proof(k, { htu }), /htu must be the token endpoint URL, http:\/\/127\.0\.0\.1:8787\/oauth2\/token, written as a URI \(RFC 3986/);
    }
  });

  it("a wrong htm", async () => {
    const k = await proofKey();
    for (const htm of ["GET", "post", "PUT", 1]) await refused(await proof(k, { htm }), /htm must be 'POST'/);
  });

  it("a stale, future or malformed iat", async () => {
    const k = await proofKey();
    await refused(await proof(k, { iat: now() - 3600 }), /iat is too old/);
    await refused(await proof(k, { iat: now() + 3600 }), /iat lies in the future/);
    await refused(await proof(k, { iat: String(now()) }), /iat must be a NumericDate/);
    await refused(await proof(k, { iat: undefined }), /iat must be a NumericDate/);
  });

  it("a missing, empty or overlong jti", async () => {
    const k = await proofKey();
    for (const jti of [undefined, "", "x".repeat(257), 7]) await refused(await proof(k, { jti }), /jti must be a string of 1 to 256 characters/);
  });

  it("alg none and HMAC algorithms", async () => {
    const k = await proofKey();
    await refused(forgeJwt({ alg: "none", typ: "dpop+jwt", jwk: k.jwk }, claims()), /alg must be one of RS256/);
    const secret = "a-shared-secret-of-sufficient-length-0123456789";
    const oct = { kty: "oct", k: b64url(secret) };
    await refused(await hs256({ alg: "HS256", typ: "dpop+jwt", jwk: oct }, claims(), secret), /alg must be one of/);
    // Key confusion: HS256 keyed with the bytes of a public key the header names.
    await refused(await hs256({ alg: "HS256", typ: "dpop+jwt", jwk: k.jwk }, claims(), JSON.stringify(k.jwk)), /alg must be one of/);
    await refused(forgeJwt({ alg: "ES256K", typ: "dpop+jwt", jwk: k.jwk }, claims(), "AAAA"), /alg must be one of/);
    await refused(forgeJwt({ typ: "dpop+jwt", jwk: k.jwk }, claims(), "AAAA"), /alg must be one of/);
  });

  it("a private key in the jwk header (RSA d and CRT members, EC d, OKP d) or a symmetric one", async () => {
    for (const alg of ["RS256", "ES256", "EdDSA"]) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const priv = await exportJWK(privateKey);
      const r = await proofKey(alg);
      await refused(await proof(r, {}, { jwk: priv }), /its jwk header must be a public key \(private or symmetric key members found\)/);
      // One private member alone is enough to refuse.
      await refused(await proof(r, {}, { jwk: { ...r.jwk, d: priv.d } }), /must be a public key \(private/);
    }
    const rsa = await proofKey("RS256");
    for (const m of ["p", "q", "dp", "dq", "qi", "oth", "k"]) {
      await refused(await proof(rsa, {}, { jwk: { ...rsa.jwk, [m]: "AQAB" } }), /must be a public key \(private or symmetric key members found\)/);
    }
    await refused(forgeJwt({ alg: "ES256", typ: "dpop+jwt", jwk: { kty: "oct", k: "AAAA" } }, claims(), "AAAA"), /must be a public key \(private/);
  });

  it("a jwk that does not fit its alg, or is too weak", async () => {
    const ec = await proofKey("ES256");
    const p384 = await proofKey("ES384");
    await refused(await proof(ec, {}, { jwk: p384.jwk }), /its jwk header is an EC P-384 key, which none of the allowed algorithms \(ES256\) verifies with/);
    await refused(await proof(ec, {}, { jwk: "a string" }), /its jwk header is not a JWK object with a kty member/);
    await refused(await proof(ec, {}, { jwk: undefined }), /its jwk header is not a JWK object with a kty member/);
    await refused(await proof(ec, {}, { jwk: { kty: "RSA", n: "AQAB", e: "AQAB" } }), /its jwk header is an RSA key, which none of the allowed algorithms \(ES256\) verifies with/);
    const weak = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const weakJwk = (await crypto.subtle.exportKey("jwk", weak.publicKey)) as JsonWebKey;
    const p = await rawSign({ alg: "RS256", typ: "dpop+jwt", jwk: { kty: "RSA", n: weakJwk.n, e: weakJwk.e } }, claims(), weak.privateKey, "RSASSA-PKCS1-v1_5");
    await refused(p, /its jwk header is an RSA key of 1024 bits; at least 2048 are needed/);
    // The description is one sentence about the jwk header, not "its jwk header its point …".
    await refused(await proof(ec, {}, { jwk: { ...ec.jwk, y: ec.jwk.x } }), /: its jwk header has a point \(x, y\) that is not on P-256\.$/);
  });

  it("an RSA modulus of 2041 to 2047 bits, or of 2040 bits with a leading zero byte (its size is its bits, not its bytes)", async () => {
    const params = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const signed = async (privateKey: CryptoKey, n: (n: string) => string = (n) => n) => {
      const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
      return rawSign({ alg: "RS256", typ: "dpop+jwt", jwk: { kty: "RSA", n: n(jwk.n!), e: jwk.e } }, claims(), privateKey, params.name);
    };
    const key = (pem: string) => crypto.subtle.importKey("pkcs8", fromBase64(pem.replace(/-----[^-]+-----|\s/g, ""))!, params, true, ["sign"]);
    for (const [bits, pem] of [[2041, RSA_2041], [2047, RSA_2047]] as const) {
      await refused(await signed(await key(pem)), new RegExp(`is an RSA key of ${bits} bits; at least 2048 are needed`));
    }
    const withLeadingZero = (n: string) => toBase64Url(new Uint8Array([0, ...unb64url_bytes(n)]));
    await refused(await signed(await key(RSA_2040), withLeadingZero), /is an RSA key of 2040 bits; at least 2048 are needed/);
  });

  it("a missing or wrong typ", async () => {
    const k = await proofKey();
    for (const typ of [undefined, "JWT", "at+jwt", "dpop", "application/jwt", "text/dpop+jwt", "application/dpop+jwt; x=1", " dpop+jwt", 42]) {
      await refused(await proof(k, {}, { typ }), /typ header must be 'dpop\+jwt'/);
    }
  });

  it("typ is a media type: any letter case, with or without application/ (RFC 7515 §4.1.9), as jose reads it", async () => {
    const k = await proofKey();
    for (const typ of ["dpop+jwt", "DPoP+JWT", "application/dpop+jwt", "Application/DPOP+jwt"]) {
      const r = await exchangeWithDpop({ subject_token: subject }, await proof(k, {}, { typ }));
      expect([r.status, r.json.token_type], typ).toEqual([200, "DPoP"]);
    }
  });

  it("two DPoP headers, even two good proofs", async () => {
    const k = await proofKey();
    await refused([await proof(k), await proof(k)], /send exactly one DPoP header/);
  });

  it("malformed JWS and undecodable parts", async () => {
    for (const bad of ["", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", "!!.??.##", "e30.e30.", `${b64url("[]")}.${b64url("{}")}.AAAA`, `${b64url("{")}.e30.AAAA`]) {
      await refused(bad, /not a compact JWS|header is not a JSON object|alg must be one of|typ header/);
    }
    const k = await proofKey();
    const [h, , s] = (await proof(k)).split(".");
    await refused(`${h}.${b64url("[1,2]")}.${s}`, /signature does not verify/);
  });

  it("a crit header: an extension not understood is said so, a malformed one names the JWS rule, never a bad signature", async () => {
    const k = await proofKey();
    const signed = (header: Record<string, unknown>, crit: Record<string, boolean>) =>
      new SignJWT(claims()).setProtectedHeader({ alg: k.alg, typ: "dpop+jwt", jwk: k.jwk, ...header } as never).sign(k.privateKey, { crit });
    await refused(await signed({ crit: ["foo"], foo: 1 }, { foo: true }), /^The DPoP proof is not acceptable: its crit header names an extension this server does not understand \(RFC 7515 section 4\.1\.11: DPoP proofs use none\)\.$/);
    const [, p, sig] = (await proof(k)).split(".");
    const header = (h: object) => `${b64url(JSON.stringify({ alg: k.alg, typ: "dpop+jwt", jwk: k.jwk, ...h }))}.${p}.${sig}`;
    await refused(header({ crit: [] }), /^The DPoP proof is not acceptable: it is not a valid JWS: 'crit' \(Critical\) Header Parameter MUST be an array of non-empty strings when present\.$/);
    await refused(header({ crit: ["foo"] }), /its crit header names an extension this server does not understand/);
    await refused(header({ crit: ["b64"] }), /not a valid JWS: Extension Header Parameter 'b64' is missing/);
  });

  it("a b64 header (RFC 7797), outside crit too, where verifiers disagree on what was signed", async () => {
    const k = await proofKey();
    for (const b64 of [false, true]) {
      await refused(await proof(k, {}, { b64 }), /^The DPoP proof is not acceptable: its header carries b64 \(RFC 7797\), which no DPoP proof uses\.$/);
    }
  });

  it("an oversized proof is refused unread", async () => {
    const k = await proofKey();
    await refused(await proof(k, { pad: "x".repeat(9000) }), /longer than 8192 bytes/);
  });

  it("a proof signed by a key other than the one in its jwk header", async () => {
    const a = await proofKey();
    const b = await proofKey();
    await refused(await proof(a, {}, { jwk: b.jwk }), /signature does not verify with the key in its jwk header/);
    // A tampered payload under a good signature.
    const [h, p, s] = (await proof(a)).split(".");
    const claimsObj = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(p!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
    await refused(`${h}.${b64url(JSON.stringify({ ...claimsObj, jti: "other" }))}.${s}`, /signature does not verify/);
  });

  it("a DPoP-bound subject token without a proof, or with another key's", async () => {
    const k = await proofKey();
    const bound = await exchangeWithDpop({ subject_token: subject }, await proof(k));
    const tok = bound.json.access_token as string;
    const none = await exchangeWithDpop({ subject_token: tok, subject_token_type: TX.at }, undefined);
    expect([none.status, none.json.error, none.json.access_token]).toEqual([400, "invalid_dpop_proof", undefined]);
    expect(none.json.error_description).toMatch(/DPoP-bound: send a DPoP proof made with its key/);
    await refused(await proof(await proofKey()), /not made with the key the subject_token is bound to/, { subject_token: tok, subject_token_type: TX.at });
  });
});

describe("a trusted issuer's DPoP-bound token", () => {
  const IDP = "https://idp.example.org";

  it("needs a proof from its key too; a cnf this STS cannot read refuses the token", async () => {
    const i = await ecIssuerKey("idp-key-1");
    const f = workerWith({ ...DEV_CONFIG, trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] }] });
    const k = await proofKey();
    const idpToken = (cnf: object) =>
      es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "erin", exp: now() + 300, cnf }, i.priv);
    const bound = await idpToken({ jkt: k.jkt });
    const none = await exchangeWithDpop({ subject_token: bound }, undefined, f);
    expect([none.status, none.json.error, none.json.access_token]).toEqual([400, "invalid_dpop_proof", undefined]);
    const other = await exchangeWithDpop({ subject_token: bound }, await proof(await proofKey()), f);
    expect([other.status, other.json.error]).toEqual([400, "invalid_dpop_proof"]);
    const ok = await exchangeWithDpop({ subject_token: bound }, await proof(k), f);
    expect(ok.status).toBe(200);
    expect(jwtParts(ok.json.access_token as string).payload).toMatchObject({ aud: API, cnf: { jkt: k.jkt } });
    // An mTLS binding (RFC 8705 x5t#S256) cannot be checked here: refused, not dropped.
    const mtls = await exchangeWithDpop({ subject_token: await idpToken({ "x5t#S256": k.jkt }) }, await proof(k), f);
    expect([mtls.status, mtls.json.error, mtls.json.access_token]).toEqual([400, "invalid_grant", undefined]);
    expect(mtls.json.error_description).toMatch(/cnf claim this STS cannot read/);
  });
});

// Defect: only a DPoP binding was enforced at token exchange; a token bound to a public key
// (WS-Trust PublicKey, SAML holder-of-key or JWT cnf.jwk, ours or a trusted issuer's) was
// exchanged by whoever held it, without its key, for a bearer token.
describe("a token bound to another kind of key, presented to token exchange", () => {
  const IDP = "https://idp.example.org";
  const HOK = "https://hok-api.example.com/";

  it("needs a DPoP proof made with that key (ours, JWT and SAML; a trusted issuer's cnf.jwk), as subject and as actor", async () => {
    const i = await ecIssuerKey("idp-key-1");
    const f = workerWith({
      ...DEV_CONFIG,
      relyingParties: [...DEV_CONFIG.relyingParties!, { identifier: HOK, defaultTokenType: "jwt", keyTypes: ["bearer", "public-key"] }],
      trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] }],
    });
    const k = await proofKey();
    const useKey = `<wst:UseKey>${ecKeyInfo(k.jwk as JsonWebKey)}</wst:UseKey>`;
    const hok = async (tokenType: string) => {
      const r = await trustWith(f, { user: "alice", password: "wonderland", appliesTo: HOK, tokenType, keyType: `${NS.t13}/PublicKey`, extra: useKey });
      expect(r.status, r.text).toBe(200);
      return r.text;
    };
    const ownJwt = jwtIn(await hok(TT.jwt))!;
    expect(jwtParts(ownJwt).payload.cnf).toMatchObject({ jwk: { kty: "EC", x: k.jwk.x } });
    const ownSaml = b64url(assertionIn(await hok(TT.saml2))!);
    const theirs = await es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "erin", exp: now() + 300, cnf: { jwk: k.jwk } }, i.priv);
    const bearerActor = await jwtFromTrust();
    for (const [what, token, type] of [["our JWT", ownJwt, TX.jwt], ["our SAML", ownSaml, TX.saml2], ["a trusted issuer's JWT", theirs, TX.jwt]] as const) {
      for (const as of ["subject", "actor"] as const) {
        const params: Record<string, string> = as === "subject"
          ? { subject_token: token, subject_token_type: type }
          : { subject_token: bearerActor, subject_token_type: TX.jwt, actor_token: token, actor_token_type: type };
        const none = await exchangeWithDpop(params, undefined, f);
        expect([none.status, none.json.error, none.json.access_token], `${what} as ${as}`).toEqual([400, "invalid_dpop_proof", undefined]);
        expect(none.json.error_description, `${what} as ${as}`).toMatch(new RegExp(`${as}_token is bound to a key: send a DPoP proof made with it`));
        const other = await exchangeWithDpop(params, await proof(await proofKey()), f);
        expect([other.status, other.json.error], `${what} as ${as}`).toEqual([400, "invalid_dpop_proof"]);
        const ok = await exchangeWithDpop(params, await proof(k), f);
        expect(ok.status, `${what} as ${as}: ${JSON.stringify(ok.json)}`).toBe(200);
        expect(jwtParts(ok.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
      }
    }
  });
});

// Defect: the thumbprint a bound key was compared by knew RSA and EC only (an Ed25519 cnf.jwk
// was hashed as an EC key, so no proof ever matched it), and it hashed an RSA modulus with a
// prepended zero octet as written, so one key had two thumbprints.
describe("one RFC 7638 thumbprint per key, whichever door it came through", () => {
  const IDP = "https://idp.example.org";

  it("a trusted issuer's cnf.jwk of an Ed25519 key, or an RSA key with a zero-padded modulus, is proved by a DPoP proof of that key", async () => {
    const i = await ecIssuerKey("idp-key-1");
    const f = workerWith({ ...DEV_CONFIG, trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] }] });
    const ed = await proofKey("EdDSA");
    const rsa = await proofKey("PS256");
    const padded = { ...rsa.jwk, n: toBase64Url(new Uint8Array([0, ...unb64url_bytes(rsa.jwk.n!)])) };
    for (const [what, k, cnfJwk] of [["Ed25519", ed, ed.jwk], ["RSA, n with a leading zero octet", rsa, padded]] as const) {
      const theirs = await es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "erin", exp: now() + 300, cnf: { jwk: cnfJwk } }, i.priv);
      const other = await exchangeWithDpop({ subject_token: theirs }, await proof(await proofKey(k.alg)), f);
      expect([other.status, other.json.error], what).toEqual([400, "invalid_dpop_proof"]);
      const ok = await exchangeWithDpop({ subject_token: theirs }, await proof(k), f);
      expect(ok.status, `${what}: ${JSON.stringify(ok.json)}`).toBe(200);
      expect(jwtParts(ok.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
    }
  });

  it("a proof whose jwk writes n or e with a leading zero octet is refused: the token would carry a jkt its resource server cannot match", async () => {
    const k = await proofKey("PS256");
    const zeroFirst = (m: string) => toBase64Url(new Uint8Array([0, ...unb64url_bytes(m)]));
    for (const jwk of [{ ...k.jwk, n: zeroFirst(k.jwk.n!) }, { ...k.jwk, e: zeroFirst(k.jwk.e!) }]) {
      await refused(await proof(k, {}, { jwk }), /its jwk header writes n or e with a leading zero octet \(RFC 7518/);
    }
  });
});
