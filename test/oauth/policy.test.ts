/**
 * Black-box tests over HTTP against the real app with a custom STS_CONFIG: private_key_jwt
 * clients, trusted external JWT and SAML issuers, may_act, per-client delegation and audience
 * policy, scope narrowing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { AC_X509 } from "../../src/saml/ns.ts";
import { assertionInput } from "../helpers/assertion-input.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { API, RP, TX, b64url, es256, exchange, forgeJwt, hs256, jwtParts, post, type Fetcher } from "./helpers.ts";
import { basic, DEMO } from "../helpers/credentials.ts";

const IDP = "https://idp.example.org";
const SAML_IDP = "https://saml-idp.example.org";
const REMOTE_IDP = "https://remote-idp.example.org";
const REMOTE_JWKS = `${REMOTE_IDP}/jwks-${crypto.randomUUID()}`;
const DOWN_IDP = "https://down-idp.example.org";
const DOWN_JWKS = `${DOWN_IDP}/jwks-${crypto.randomUUID()}`;
const TOKEN_URL = `${ORIGIN}/oauth2/token`;

let clientKey: CryptoKey; // private_key_jwt client
let idpKey: CryptoKey; // trusted external JWT issuer
let remoteKey: { priv: CryptoKey; jwk: JsonWebKey }; // trusted issuer whose JWKS is fetched
let samlRing: KeyRing; // trusted external SAML issuer
let fetcher: Fetcher;

async function ecPair(kid: string): Promise<{ priv: CryptoKey; jwk: JsonWebKey }> {
  const kp = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
  return { priv: kp.privateKey, jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, use: "sig", alg: "ES256" } as JsonWebKey };
}

beforeAll(async () => {
  const c = await ecPair("client-key-1");
  clientKey = c.priv;
  remoteKey = await ecPair("remote-key-1");
  const i = await ecPair("idp-key-1");
  idpKey = i.priv;
  const kp = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"],
  )) as CryptoKeyPair;
  const certDer = await buildSelfSignedCertificate({
    privateKey: kp.privateKey, publicKey: kp.publicKey, commonName: "saml-idp", notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000),
  });
  const certPem = derToPem(certDer, "CERTIFICATE");
  const pk8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", kp.privateKey)) as ArrayBuffer);
  samlRing = await KeyRing.load([{ status: "current", certificatePem: certPem, privateKeyPem: derToPem(pk8, "PRIVATE KEY") }]);

  const config = {
    keys: DEV_CONFIG.keys,
    users: DEV_CONFIG.users,
    relyingParties: [
      { identifier: RP, defaultTokenType: "saml2" },
      { identifier: API, defaultTokenType: "jwt", scopes: ["read", "write"], aliases: ["https://api.example.com/v2"] },
      { identifier: "urn:example:other", defaultTokenType: "jwt" },
    ],
    oauthClients: [
      { clientId: "demo-client", secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [RP, API], allowedActors: ["*"] },
      // A trusted issuer's subjects are named in its namespace (<issuer>#<subject>).
      { clientId: "jwt-client", jwks: { keys: [c.jwk] }, allowedAudiences: [API], allowedActors: [`${IDP}#carol`] },
      { clientId: "quiet-client", secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [API], mayIntrospect: false },
    ],
    trustedIssuers: [
      { issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] },
      { issuer: SAML_IDP, kind: "saml", certificates: [certPem] },
      { issuer: REMOTE_IDP, kind: "jwt", jwksUri: REMOTE_JWKS, algorithms: ["ES256"] },
      { issuer: DOWN_IDP, kind: "jwt", jwksUri: DOWN_JWKS, algorithms: ["ES256"] },
    ],
  };
  const customEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
  fetcher = async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(ORIGIN + path, init), customEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
});

const now = () => Math.floor(Date.now() / 1000);
const idpToken = (claims: Record<string, unknown>) =>
  es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "carol", iat: now(), exp: now() + 300, email: "carol@idp.example.org", ...claims }, idpKey);
const assertion = (claims: Record<string, unknown> = {}) =>
  es256({ alg: "ES256", typ: "JWT", kid: "client-key-1" }, { iss: "jwt-client", sub: "jwt-client", aud: TOKEN_URL, jti: crypto.randomUUID(), iat: now(), exp: now() + 60, ...claims }, clientKey);
const pkjwt = (a: string) => ({ client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: a });

describe("private_key_jwt (RFC 7523)", () => {
  it("authenticates a client by its signed assertion, once per jti", async () => {
    const a = await assertion();
    const subject = await idpToken({});
    const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(a) }, null, fetcher);
    expect(r.status).toBe(200);
    expect(jwtParts(r.json.access_token as string).payload.client_id).toBe("jwt-client");
    const replay = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(a) }, null, fetcher);
    expect([replay.status, replay.json.error]).toEqual([401, "invalid_client"]);
    expect(replay.json.error_description).toContain("jti");
    expect(replay.res.headers.get("www-authenticate")).toBe('Basic realm="sts", charset="UTF-8"');
  });

  it("refuses a wrong audience, a long lifetime, no exp, an HMAC or unsigned assertion, iss ≠ sub", async () => {
    const subject = await idpToken({});
    const bad = [
      await assertion({ aud: "https://someone-else.example/token" }),
      await assertion({ exp: now() + 7200 }),
      await assertion({ exp: undefined }),
      await assertion({ sub: "demo-client" }),
      await hs256({ alg: "HS256", typ: "JWT" }, { iss: "jwt-client", sub: "jwt-client", aud: TOKEN_URL, jti: "h1", exp: now() + 60 }, "demo-secret"),
      forgeJwt({ alg: "none" }, { iss: "jwt-client", sub: "jwt-client", aud: TOKEN_URL, jti: "n1", exp: now() + 60 }),
    ];
    for (const a of bad) {
      const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(a) }, null, fetcher);
      expect([r.status, r.json.error]).toEqual([401, "invalid_client"]);
    }
    // Authlib's PrivateKeyJWT makes its assertions to live an hour (exp = iat + 3600).
    const hour = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(await assertion({ exp: now() + 3600 })) }, null, fetcher);
    expect(hour.status).toBe(200);
    // When it was made is bounded like how long it lives: not ahead of the clock, not more than
    // an hour ago (RFC 7523 §3 item 6), each told to the client.
    for (const [iat, why] of [[now() + 600, "iat lies in the future"], [now() - 86400, "iat is more than an hour ago"]] as const) {
      const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(await assertion({ iat, exp: now() + 60 })) }, null, fetcher);
      expect([r.status, r.json.error, r.json.error_description]).toEqual([401, "invalid_client", `The client assertion is not acceptable: ${why}.`]);
    }
    const madeAnHourAgo = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(await assertion({ iat: now() - 3500, exp: now() + 60 })) }, null, fetcher);
    expect(madeAnHourAgo.status).toBe(200);
    // The issuer identifier is an accepted audience too (RFC 7523 §3).
    const ok = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(await assertion({ aud: ORIGIN })) }, null, fetcher);
    expect(ok.status).toBe(200);
  });

  it("a client with keys, an unknown client and a client without keys are refused alike: the answer names no client that exists", async () => {
    const subject = await idpToken({});
    const refusals = [];
    for (const a of [
      await assertion({ jti: crypto.randomUUID(), aud: "https://someone-else.example/token" }), // jwt-client, bad audience
      await assertion({ iss: "no-such-client", sub: "no-such-client" }),
      await assertion({ iss: "demo-client", sub: "demo-client" }), // a client with a secret and no keys
    ]) {
      const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(a) }, null, fetcher);
      refusals.push([r.status, r.json.error, r.json.error_description]);
    }
    expect(new Set(refusals.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(refusals[0]!.slice(0, 2)).toEqual([401, "invalid_client"]);
  });

  it("failures of requests that name no client do not lock out a client whose assertion leaves client_id out (RFC 7523 §2.2)", async () => {
    // No client authentication at all, from this address-less caller, until the limits refuse.
    let refused = false;
    for (let i = 0; i < 12 && !refused; i++) {
      const r = await post("/oauth2/token", { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange" }, null, fetcher);
      refused = r.status === 429;
    }
    expect(refused).toBe(true);
    const subject = await idpToken({});
    const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, ...pkjwt(await assertion()) }, null, fetcher);
    expect(r.status).toBe(200);
  });
});

describe("trusted external issuers", () => {
  it("fetches a trusted issuer's JWKS from its jwksUri once, then verifies from the cache", async () => {
    const { vi } = await import("vitest");
    const real = globalThis.fetch;
    const seen: string[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url !== REMOTE_JWKS) return real(input, init);
      seen.push(url);
      return new Response(JSON.stringify({ keys: [remoteKey.jwk] }), { headers: { "content-type": "application/json" } });
    });
    try {
      const token = () =>
        es256({ alg: "ES256", typ: "JWT", kid: "remote-key-1" }, { iss: REMOTE_IDP, aud: ORIGIN, sub: "dave", iat: now(), exp: now() + 300 }, remoteKey.priv);
      const r1 = await exchange({ subject_token: await token(), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect(r1.status).toBe(200);
      expect(jwtParts(r1.json.access_token as string).payload.sub).toBe(`${REMOTE_IDP}#dave`);
      const r2 = await exchange({ subject_token: await token(), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect(r2.status).toBe(200);
      expect(seen).toEqual([REMOTE_JWKS]);
      // A token signed by a key the issuer does not publish is refused.
      const stranger = await ecPair("remote-key-1");
      const forged = await es256({ alg: "ES256", typ: "JWT", kid: "remote-key-1" }, { iss: REMOTE_IDP, aud: ORIGIN, sub: "dave", exp: now() + 300 }, stranger.priv);
      const r3 = await exchange({ subject_token: forged, subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect([r3.status, r3.json.error]).toEqual([400, "invalid_grant"]);
    } finally {
      spy.mockRestore();
    }
  });

  it("a jwksUri that gives no key set: the client is told so, the operator gets one jwks_unavailable line naming the issuer and URI", async () => {
    const { vi } = await import("vitest");
    const real = globalThis.fetch;
    let answer: () => Response = () => new Response("down for maintenance", { status: 503 });
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      return url === DOWN_JWKS ? answer() : real(input, init);
    });
    const lines: string[] = [];
    const logSpy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      const token = () => es256({ alg: "ES256", typ: "JWT", kid: "down-key-1" }, { iss: DOWN_IDP, aud: ORIGIN, sub: "erin", iat: now(), exp: now() + 300 }, remoteKey.priv);
      const refused = await exchange({ subject_token: await token(), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect([refused.status, refused.json.error]).toEqual([400, "invalid_grant"]);
      expect(refused.json.error_description).toBe("The trusted issuer's published keys could not be fetched, so the token could not be checked; try again later.");
      answer = () => {
        throw new TypeError("fetch failed");
      };
      const again = await exchange({ subject_token: await token(), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect(again.json.error_description).toBe(refused.json.error_description);
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === "jwks_unavailable");
      expect(events).toHaveLength(1); // once a minute, not once a request
      expect(events[0]).toMatchObject({ level: "error", issuer: DOWN_IDP, jwks_uri: DOWN_JWKS });
      expect(events[0]!.message).toContain("Expected 200 OK");
      // Once the set can be had, the same issuer's tokens are judged again.
      answer = () => new Response(JSON.stringify({ keys: [{ ...remoteKey.jwk, kid: "down-key-1" }] }), { headers: { "content-type": "application/json" } });
      const ok = await exchange({ subject_token: await token(), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect(ok.status).toBe(200);
      // ...and the operator is told once, with the failures counted.
      const back = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === "jwks_available");
      expect(back).toEqual([expect.objectContaining({ level: "info", issuer: DOWN_IDP, jwks_uri: DOWN_JWKS, failures: 2 })]);
      expect(back[0]!.message).toBe(`The JWKS of trusted issuer ${DOWN_IDP} can be fetched again from ${DOWN_JWKS} after 2 failures.`);
    } finally {
      fetchSpy.mockRestore();
      logSpy.mockRestore();
    }
  });

  it("accepts a JWT from a trusted issuer (inline JWKS) and keeps only its claims", async () => {
    const r = await exchange({ subject_token: await idpToken({}), subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
    expect(r.status).toBe(200);
    const p = jwtParts(r.json.access_token as string).payload;
    expect([p.sub, p.iss, p.email]).toEqual([`${IDP}#carol`, ORIGIN, "carol@idp.example.org"]);
  });

  it("a trusted issuer's claim XML cannot carry: SAML refused with invalid_request, a JWT still issued", async () => {
    const odd = await idpToken({ email: "carol\u0001@idp.example.org" });
    const saml = await exchange({ subject_token: odd, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 }, DEMO, fetcher);
    expect([saml.status, saml.json.error]).toEqual([400, "invalid_request"]);
    expect(String(saml.json.error_description)).toMatch(/XML cannot carry/);
    const jwt = await exchange({ subject_token: odd, subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
    expect(jwt.status).toBe(200);
    expect(jwtParts(jwt.json.access_token as string).payload.email).toBe("carol\u0001@idp.example.org");
  });

  it("refuses external JWTs with the wrong audience, expired, unlisted alg, HMAC, none, or an untrusted issuer", async () => {
    const bad = [
      await idpToken({ aud: "https://elsewhere.example/" }),
      await idpToken({ exp: now() - 3600 }),
      await es256({ alg: "ES384", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "carol", exp: now() + 60 }, idpKey),
      await hs256({ alg: "HS256", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "carol", exp: now() + 60 }, "k"),
      forgeJwt({ alg: "none" }, { iss: IDP, aud: ORIGIN, sub: "carol", exp: now() + 60 }),
      await es256({ alg: "ES256", kid: "idp-key-1" }, { iss: "https://other-idp.example", aud: ORIGIN, sub: "carol", exp: now() + 60 }, idpKey),
      await es256({ alg: "ES256", kid: "idp-key-1", jwk: { kty: "EC" } }, { iss: IDP, aud: ORIGIN, sub: "carol", exp: now() + 60 }, idpKey),
    ];
    for (const t of bad) {
      const r = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
      expect([r.status, r.json.error]).toEqual([400, "invalid_grant"]);
    }
  });

  it("accepts a SAML 2.0 assertion signed by a pinned certificate, refuses a tampered one", async () => {
    const t0 = new Date(Date.now() - 1000);
    const xml = await buildSaml2Assertion(assertionInput({
      at: t0, id: "_ext1", issuer: SAML_IDP, subject: "dave", audience: ORIGIN, expires: new Date(Date.now() + 300_000),
      authnMethod: AC_X509, claims: { email: ["dave@saml-idp.example.org"] },
    }), samlRing);
    const r = await exchange({ subject_token: b64url(xml), subject_token_type: TX.saml2, audience: API }, DEMO, fetcher);
    expect(r.status).toBe(200);
    expect(jwtParts(r.json.access_token as string).payload).toMatchObject({ sub: `${SAML_IDP}#dave`, email: "dave@saml-idp.example.org" });
    const tampered = await exchange({ subject_token: b64url(xml.replace(">dave<", ">root<")), subject_token_type: TX.saml2, audience: API }, DEMO, fetcher);
    expect([tampered.status, tampered.json.error]).toEqual([400, "invalid_grant"]);
  });
});

describe("delegation policy (may_act, allowedActors)", () => {
  it("enforces may_act: matching actor accepted with iss, mismatching refused", async () => {
    const subject = await idpToken({ sub: "erin", may_act: { sub: "carol", iss: IDP } });
    const carol = await idpToken({});
    const ok = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, actor_token: carol, actor_token_type: TX.jwt }, DEMO, fetcher);
    expect(ok.status).toBe(200);
    expect(jwtParts(ok.json.access_token as string).payload.act).toEqual({ sub: "carol", iss: IDP });
    const mallory = await idpToken({ sub: "mallory" });
    const no = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, actor_token: mallory, actor_token_type: TX.jwt }, DEMO, fetcher);
    expect([no.status, no.json.error]).toEqual([400, "invalid_grant"]);
    expect(no.json.error_description).toContain("may_act");
    // may_act.iss must match too.
    const wrongIss = await idpToken({ sub: "erin", may_act: { sub: "carol", iss: "https://other.example" } });
    const r = await exchange({ subject_token: wrongIss, subject_token_type: TX.jwt, audience: API, actor_token: carol, actor_token_type: TX.jwt }, DEMO, fetcher);
    expect(r.json.error).toBe("invalid_grant");
  });

  it("applies the client's allowedActors", async () => {
    const subject = await idpToken({ sub: "erin" });
    const mallory = await idpToken({ sub: "mallory" });
    const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, actor_token: mallory, actor_token_type: TX.jwt, ...pkjwt(await assertion()) }, null, fetcher);
    expect([r.status, r.json.error]).toEqual([400, "unauthorized_client"]);
    const carol = await idpToken({});
    const ok = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, actor_token: carol, actor_token_type: TX.jwt, ...pkjwt(await assertion()) }, null, fetcher);
    expect(ok.status).toBe(200);
  });
});

describe("targets and scope", () => {
  it("refuses a configured relying party the client may not use (invalid_target); resolves aliases and a sole audience", async () => {
    const subject = await idpToken({});
    const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: "urn:example:other" }, DEMO, fetcher);
    expect([r.status, r.json.error]).toEqual([400, "invalid_target"]);
    const alias = await exchange({ subject_token: subject, subject_token_type: TX.jwt, resource: "https://api.example.com/v2", audience: API }, DEMO, fetcher);
    expect(alias.status).toBe(200);
    expect(jwtParts(alias.json.access_token as string).payload.aud).toBe(API);
    const sole = await exchange({ subject_token: subject, subject_token_type: TX.jwt }, basic("quiet-client", "demo-secret"), fetcher);
    expect(sole.status).toBe(200);
  });

  it("scope narrows only: unknown scopes are dropped; none left → invalid_scope; absent → all the policy allows", async () => {
    const subject = await idpToken({});
    const narrowed = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, scope: "read admin" }, DEMO, fetcher);
    expect(narrowed.json.scope).toBe("read");
    expect(jwtParts(narrowed.json.access_token as string).payload.scope).toBe("read");
    const all = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API }, DEMO, fetcher);
    expect(all.json.scope).toBe("read write");
    const none = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: API, scope: "admin" }, DEMO, fetcher);
    expect([none.status, none.json.error]).toEqual([400, "invalid_scope"]);
  });

  it("introspection: only entitled clients see a token; mayIntrospect=false is refused; another client's revocation is answered as an unknown token's", async () => {
    const subject = await idpToken({});
    const t = (await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.jwt }, DEMO, fetcher)).json.access_token as string;
    const mine = await post("/oauth2/introspect", { token: t }, DEMO, fetcher);
    expect(mine.json).toMatchObject({ active: true, sub: `${IDP}#carol`, aud: RP, client_id: "demo-client" });
    const jwtClient = await post("/oauth2/introspect", { token: t, ...pkjwt(await assertion({ aud: `${ORIGIN}/oauth2/introspect` })) }, null, fetcher);
    expect(jwtClient.text).toBe('{"active":false}');
    const quiet = await post("/oauth2/introspect", { token: t }, basic("quiet-client", "demo-secret"), fetcher);
    expect([quiet.status, quiet.json.error]).toEqual([403, "unauthorized_client"]);
    const rv = await post("/oauth2/revoke", { token: t, ...pkjwt(await assertion()) }, null, fetcher);
    expect([rv.status, rv.text]).toEqual([200, ""]);
    expect((await post("/oauth2/introspect", { token: t }, DEMO, fetcher)).json.active).toBe(true);
  });
});
