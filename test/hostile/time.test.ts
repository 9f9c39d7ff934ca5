/**
 * Time, lifetimes and state retention (docs/security.md, "Time, lifetimes and state
 * retention"): black box over HTTP through the worker, with the development configuration or a
 * variant of it. Tokens "of ours" with chosen times are signed here with the published
 * development key, exactly as the STS would have signed them; time passing is simulated by
 * choosing those times and by running the state object's alarm, never by sleeping.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { CompactSign } from "jose";
import { app } from "../../src/http/app.ts";
import { isolateCaches } from "../../src/cache.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { createStateClient, subjectShardName } from "../../src/state/client.ts";
import { parseXsDateTime } from "../../src/xml/datetime.ts";
import { isNotRenewable, isRenewableAfterExpiry, markedId, notRenewableId, randomPartOf } from "../../src/token/renewability.ts";
import { newJti } from "../../src/jwt/mint.ts";
import { newSamlId } from "../../src/saml/assertion-input.ts";
import { assertionInput } from "../helpers/assertion-input.ts";
import { NS, type RstOptions, TT, envelope } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode } from "../helpers/worker.ts";
import { API, RP, TX, b64url, es256, exchange, jwtParts, post, unb64url, type Fetcher } from "../oauth/helpers.ts";
import { STATUS_INVALID, STATUS_VALID, VALIDATOR, ourRsaKey, resign, statusCode } from "./helpers.ts";
import { bindings, freshSubject, tokenStateStub } from "../state/helpers.ts";
import { DEMO } from "../helpers/credentials.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ALICE = { user: "alice", password: "wonderland" };
const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const GATEWAY_SECRET = "gateway-secret-7c6b5a4f3e2d1c0b";
const IDP = "https://idp.example.org";
const SAML_IDP = "https://saml-idp.example.org";

const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/** The worker with this configuration (development secrets bound), as a client would call it. */
function workerWith(config: object, extraEnv: Record<string, string> = {}): Fetcher {
  const e = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, ...DEV_SECRETS, ...extraEnv, STS_CONFIG: JSON.stringify(config) };
  return async (path, init) => app.fetch(new Request(ORIGIN + path, init), e, exec);
}

async function trustVia(f: Fetcher, o: RstOptions): Promise<{ status: number; text: string }> {
  const m = envelope(o);
  const res = await f(`/trust/${o.trust ?? "13"}/usernamemixed`, { method: "POST", headers: m.headers, body: m.body });
  return { status: res.status, text: await res.text() };
}

const samlIn = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];
const jwtIn = (text: string) => {
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(text);
  return m ? atob(m[1]!) : undefined;
};
const bst = (jwt: string) =>
  `<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="${TX.jwt}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${btoa(jwt)}</wsse:BinarySecurityToken>`;
const attr = (xml: string, name: string) => new RegExp(` ${name}="([^"]+)"`).exec(xml)?.[1];
const setAttr = (xml: string, name: string, value: string) => xml.replace(new RegExp(` ${name}="[^"]*"`, "g"), ` ${name}="${value}"`);
const iso = (ms: number) => new Date(ms).toISOString();
const secs = (ms: number) => Math.floor(ms / 1000);
const lifetimeOf = (saml: string) => Date.parse(attr(saml, "NotOnOrAfter")!) - Date.parse(attr(saml, "IssueInstant")!);

/** A JWT "of ours": the claims given, signed with the development RSA key as the STS would. */
async function ownJwt(claims: Record<string, unknown>): Promise<string> {
  const key = await ourRsaKey();
  const now = secs(Date.now());
  const payload = { iss: ORIGIN, sub: "alice", aud: API, iat: now, nbf: now, exp: now + 1800, jti: newJti(), ...claims };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
    .sign(await key.privateKeyFor("RS256"));
}

/** alice's SAML 2.0 assertion for urn:example:rp, with its times (or anything) changed and re-signed with our key. */
async function ownSaml(f: Fetcher, change: (xml: string) => string, extra = ""): Promise<string> {
  const r = await trustVia(f, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, extra });
  return resign(change(samlIn(r.text)!), await ourRsaKey());
}

const validateVia = async (f: Fetcher, token: string) => statusCode((await trustVia(f, { ...VALIDATOR, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>` })).text);
const introspectVia = async (f: Fetcher, token: string) => post("/oauth2/introspect", { token }, DEMO, f);
const exchangeFor = (f: Fetcher, subject: string, kind: "jwt" | "saml2", audience = API, requested = TX.jwt) =>
  exchange({ subject_token: kind === "jwt" ? subject : b64url(subject), subject_token_type: TX[kind], audience, requested_token_type: requested }, DEMO, f);

async function sha256Hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("exchange and other derivations never extend a token's life (auth_time, maximum total lifetime, Renewing Allow=false)", () => {
  const dev: Fetcher = call;
  let withGateway: Fetcher;
  const gateway = { user: "gateway", password: GATEWAY_SECRET };

  beforeAll(async () => {
    withGateway = workerWith(
      {
        ...DEV_CONFIG,
        relyingParties: [...DEV_CONFIG.relyingParties, { identifier: "urn:example:fixed", defaultTokenType: "saml2", renewal: { allowed: false } }],
        serviceAccounts: [
          ...(DEV_CONFIG.serviceAccounts ?? []),
          { username: "gateway", secretHashSecret: "GATEWAY_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] },
        ],
      },
      { GATEWAY_HASH: `sha256$${await sha256Hex(GATEWAY_SECRET)}` },
    );
  });

  it("an exchanged token carries the original auth_time and ends by auth_time + the maximum total lifetime, exchange after exchange", async () => {
    const authTime = secs(Date.now() - 23.5 * HOUR); // the API's maximum total lifetime is 24 h
    const subject = await ownJwt({ auth_time: authTime });
    const r = await exchangeFor(dev, subject, "jwt");
    expect(r.status).toBe(200);
    const p = jwtParts(r.json.access_token as string).payload;
    expect(p.auth_time).toBe(authTime);
    expect(p.exp as number).toBeLessThanOrEqual(authTime + 24 * 3600);
    // Exchanging the result again gains nothing either.
    const again = await exchangeFor(dev, r.json.access_token as string, "jwt");
    expect(again.status).toBe(200);
    expect(jwtParts(again.json.access_token as string).payload.auth_time).toBe(authTime);
    expect(jwtParts(again.json.access_token as string).payload.exp as number).toBeLessThanOrEqual(authTime + 24 * 3600);
    // As SAML: AuthnInstant is the original authentication, NotOnOrAfter within the cap.
    const saml = await exchangeFor(dev, subject, "jwt", RP, TX.saml2);
    expect(saml.status).toBe(200);
    const xml = unb64url(saml.json.access_token as string);
    expect(Date.parse(attr(xml, "AuthnInstant")!)).toBe(authTime * 1000);
    expect(Date.parse(attr(xml, "NotOnOrAfter")!)).toBeLessThanOrEqual((authTime + 24 * 3600) * 1000);
  });

  it("a subject token whose authentication is older than the maximum total lifetime is not exchanged", async () => {
    const subject = await ownJwt({ auth_time: secs(Date.now() - 25 * HOUR) });
    const r = await exchangeFor(dev, subject, "jwt");
    expect([r.status, r.json.error]).toEqual([400, "invalid_grant"]);
  });

  it('a token issued with Renewing Allow="false" exchanges only into a not-renewable token that ends with it', async () => {
    const ends = Date.now() + 10 * MIN;
    const r = await trustVia(dev, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, lifetime: { expires: iso(ends) }, extra: `<wst:Renewing Allow="false"/>` });
    const original = samlIn(r.text)!;
    const end = Date.parse(attr(original, "NotOnOrAfter")!);
    const x = await exchangeFor(dev, original, "saml2");
    expect(x.status).toBe(200);
    const jwt = x.json.access_token as string;
    expect((jwtParts(jwt).payload.exp as number) * 1000).toBeLessThanOrEqual(end);
    // Not renewable either: Renew refuses it, so the chain cannot be stretched that way.
    const renew = await trustVia(dev, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(jwt)}</wst:RenewTarget>` });
    expect(faultCode(renew.text)).toBe("wst:UnableToRenew");
    // And exchanging the exchanged token again keeps the original end.
    const y = await exchangeFor(dev, jwt, "jwt");
    expect(y.status).toBe(200);
    expect((jwtParts(y.json.access_token as string).payload.exp as number) * 1000).toBeLessThanOrEqual(end);
  });

  it("a token of a relying party that renews nothing exchanges only into a token that ends with it", async () => {
    const r = await trustVia(withGateway, { ...ALICE, appliesTo: "urn:example:fixed", tokenType: TT.saml2, lifetime: { expires: iso(Date.now() + 10 * MIN) } });
    const original = samlIn(r.text)!;
    const x = await exchangeFor(withGateway, original, "saml2");
    expect(x.status).toBe(200);
    expect((jwtParts(x.json.access_token as string).payload.exp as number) * 1000).toBeLessThanOrEqual(Date.parse(attr(original, "NotOnOrAfter")!));
  });

  it("Validate-transformation of a not-renewable token ends with it and is not renewable", async () => {
    const r = await trustVia(dev, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, lifetime: { expires: iso(Date.now() + 10 * MIN) }, extra: `<wst:Renewing Allow="false"/>` });
    const original = samlIn(r.text)!;
    const t = await trustVia(dev, { ...ALICE, requestType: "Validate", tokenType: TT.jwt, appliesTo: API, extra: `<wst:ValidateTarget>${original}</wst:ValidateTarget>` });
    const jwt = jwtIn(t.text)!;
    expect(jwt).toBeDefined();
    expect((jwtParts(jwt).payload.exp as number) * 1000).toBeLessThanOrEqual(Date.parse(attr(original, "NotOnOrAfter")!));
    const renew = await trustVia(dev, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(jwt)}</wst:RenewTarget>` });
    expect(faultCode(renew.text)).toBe("wst:UnableToRenew");
  });

  it("OnBehalfOf and ActAs keep the presented token's authentication time and its renewability", async () => {
    const authTime = secs(Date.now() - 23.5 * HOUR);
    const old = await ownJwt({ auth_time: authTime });
    for (const extra of [`<wst:OnBehalfOf>${bst(old)}</wst:OnBehalfOf>`, `<wst14:ActAs xmlns:wst14="${WST14}">${bst(old)}</wst14:ActAs>`]) {
      const r = await trustVia(withGateway, { ...gateway, appliesTo: API, tokenType: TT.jwt, extra });
      const jwt = jwtIn(r.text);
      expect(jwt, r.text).toBeDefined();
      expect(jwtParts(jwt!).payload.auth_time).toBe(authTime);
      expect(jwtParts(jwt!).payload.exp as number).toBeLessThanOrEqual(authTime + 24 * 3600);
    }
    const fixed = await trustVia(withGateway, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, lifetime: { expires: iso(Date.now() + 10 * MIN) }, extra: `<wst:Renewing Allow="false"/>` });
    const original = samlIn(fixed.text)!;
    const r = await trustVia(withGateway, { ...gateway, appliesTo: API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${original}</wst:OnBehalfOf>` });
    const jwt = jwtIn(r.text)!;
    expect((jwtParts(jwt).payload.exp as number) * 1000).toBeLessThanOrEqual(Date.parse(attr(original, "NotOnOrAfter")!));
    const renew = await trustVia(withGateway, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(jwt)}</wst:RenewTarget>` });
    expect(faultCode(renew.text)).toBe("wst:UnableToRenew");
  });
});

describe("times from outside are checked before anything is built from them", () => {
  let f: Fetcher;
  let idpKey: CryptoKey;
  let samlRing: KeyRing;

  beforeAll(async () => {
    const kp = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    idpKey = kp.privateKey;
    const pub = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
    const rsa = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const certPem = derToPem(
      await buildSelfSignedCertificate({ privateKey: rsa.privateKey, publicKey: rsa.publicKey, commonName: "saml-idp", notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY) }),
      "CERTIFICATE",
    );
    const pk8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", rsa.privateKey)) as ArrayBuffer);
    samlRing = await KeyRing.load([{ status: "current", certificatePem: certPem, privateKeyPem: derToPem(pk8, "PRIVATE KEY") }]);
    f = workerWith({
      ...DEV_CONFIG,
      trustedIssuers: [
        { issuer: IDP, kind: "jwt", jwks: { keys: [{ kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y, kid: "idp-1", alg: "ES256", use: "sig" }] }, algorithms: ["ES256"] },
        { issuer: SAML_IDP, kind: "saml", certificates: [certPem] },
      ],
    });
  });

  const idpJwt = (claims: Record<string, unknown>) => {
    const now = secs(Date.now());
    return es256({ alg: "ES256", typ: "JWT", kid: "idp-1" }, { iss: IDP, aud: ORIGIN, sub: "carol", iat: now, exp: now + 300, ...claims }, idpKey);
  };

  /** A trusted SAML issuer's assertion for us, its attributes changed by `change`, then signed by that issuer. */
  async function idpSaml(change: (xml: string) => string = (x) => x): Promise<string> {
    const now = Date.now();
    const xml = await buildSaml2Assertion(
      assertionInput({
        at: new Date(now),
        issuer: SAML_IDP,
        subject: "carol",
        audience: ORIGIN,
        expires: new Date(now + 5 * MIN),
        authnInstant: new Date(now - MIN),
        authnMethod: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
        claims: {},
      }),
      samlRing,
    );
    return resign(change(xml), samlRing.all()[0]!);
  }

  it("a trusted issuer's auth_time is an integer in the past: 1e20, milliseconds, a year ahead, fractions are refused (JWT and SAML out)", async () => {
    const now = Date.now();
    const bad: Record<string, unknown>[] = [
      { auth_time: 1e20 },
      { auth_time: now }, // milliseconds: the year 58895
      { auth_time: secs(now + 365 * DAY) },
      { auth_time: secs(now - MIN) + 0.5 },
      { auth_time: "1700000000" },
      { iat: secs(now + DAY) }, // issued tomorrow
      { exp: 1e20 }, // expires in the year 3 billion
      { nbf: -1e20 },
    ];
    for (const claims of bad) {
      for (const [audience, requested] of [[API, TX.jwt], [RP, TX.saml2]] as const) {
        const r = await exchangeFor(f, await idpJwt(claims), "jwt", audience, requested);
        expect([r.status, r.json.error], JSON.stringify({ claims, requested })).toEqual([400, "invalid_grant"]);
      }
    }
  });

  it("a trusted issuer's auth_time in the past is carried; within the skew ahead it is taken as now", async () => {
    const authTime = secs(Date.now() - 2 * MIN);
    const r = await exchangeFor(f, await idpJwt({ auth_time: authTime }), "jwt");
    expect(r.status).toBe(200);
    expect(jwtParts(r.json.access_token as string).payload.auth_time).toBe(authTime);
    const ahead = await exchangeFor(f, await idpJwt({ auth_time: secs(Date.now()) + 60 }), "jwt");
    expect(ahead.status).toBe(200);
    const p = jwtParts(ahead.json.access_token as string).payload;
    expect(p.auth_time as number).toBeLessThanOrEqual(p.iat as number);
  });

  it("a trusted SAML issuer's AuthnInstant and IssueInstant are strict xs:dateTimes in the past", async () => {
    const control = await exchangeFor(f, await idpSaml(), "saml2");
    expect(control.status).toBe(200);
    const future = iso(Date.now() + 365 * DAY);
    const bad = [
      (x: string) => setAttr(x, "AuthnInstant", future),
      (x: string) => setAttr(x, "AuthnInstant", "+058895-01-01T00:00:00.000Z"),
      (x: string) => setAttr(x, "AuthnInstant", "2024-02-30T10:00:00Z"), // not a day of the calendar
      (x: string) => setAttr(x, "AuthnInstant", "2024-01-01T10:00:00-23:59"), // no such time zone
      (x: string) => setAttr(x, "IssueInstant", future),
      (x: string) => setAttr(x, "NotOnOrAfter", "9999-12-31T23:59:59-14:00"), // past the year 9999 in UTC
    ];
    for (const change of bad) {
      const r = await exchangeFor(f, await idpSaml(change), "saml2");
      expect([r.status, r.json.error], change.toString()).toEqual([400, "invalid_grant"]);
    }
  });

  it("a trusted SAML issuer's time attribute that is present but empty is no xs:dateTime: refused, not read as absent", async () => {
    const control = await exchangeFor(f, await idpSaml((x) => x.replace("<saml:AuthnStatement ", `<saml:AuthnStatement SessionNotOnOrAfter="${iso(Date.now() + HOUR)}" `)), "saml2");
    expect(control.status).toBe(200);
    const empty = [
      // Absent, each of these leaves a bound off (the confirmation window, the session's end,
      // the start) or moves one (the total lifetime counted from IssueInstant).
      (x: string) => x.replace(/(<saml:SubjectConfirmationData[^>]*) NotOnOrAfter="[^"]*"/, '$1 NotOnOrAfter=""'),
      (x: string) => x.replace("<saml:AuthnStatement ", '<saml:AuthnStatement SessionNotOnOrAfter="" '),
      (x: string) => x.replace(/(<saml:Conditions[^>]*) NotBefore="[^"]*"/, '$1 NotBefore=""'),
      (x: string) => setAttr(x, "AuthnInstant", ""),
      (x: string) => setAttr(x, "AuthnInstant", " "),
    ];
    for (const change of empty) {
      const r = await exchangeFor(f, await idpSaml(change), "saml2");
      expect([r.status, r.json.error], change.toString()).toEqual([400, "invalid_grant"]);
    }
  });

  it("a token of ours that cannot be read back is inactive for introspection and invalid for Validate, never an error", async () => {
    const saml = await ownSaml(call, (x) => setAttr(x, "AuthnInstant", "+058895-01-01T00:00:00.000Z"));
    const i = await introspectVia(call, b64url(saml));
    expect([i.status, i.json]).toEqual([200, { active: false }]);
    expect(await validateVia(call, saml)).toBe(STATUS_INVALID);
    const jwt = await ownJwt({ auth_time: 1e20 });
    const j = await introspectVia(call, jwt);
    expect([j.status, j.json]).toEqual([200, { active: false }]);
    const x = await exchangeFor(call, jwt, "jwt");
    expect([x.status, x.json.error]).toEqual([400, "invalid_grant"]);
  });
});

describe("revocations outlive every window in which the token is still accepted", () => {
  const skewed = workerWith({ ...DEV_CONFIG, limits: { clockSkewSeconds: 3600 } });

  it("with a one-hour clock skew, a cancelled token stays cancelled after the state object's clean-up", async () => {
    const now = Date.now();
    // alice's assertion, expired six minutes ago: still accepted under a one-hour skew.
    const token = await ownSaml(skewed, (x) => {
      let y = setAttr(x, "IssueInstant", iso(now - 70 * MIN));
      y = setAttr(y, "NotBefore", iso(now - 70 * MIN));
      y = setAttr(y, "AuthnInstant", iso(now - 70 * MIN));
      return setAttr(y, "NotOnOrAfter", iso(now - 6 * MIN));
    });
    expect(await validateVia(skewed, token)).toBe(STATUS_VALID);
    const cancel = await trustVia(skewed, { ...VALIDATOR, requestType: "Cancel", extra: `<wst:CancelTarget>${token}</wst:CancelTarget>` });
    expect(cancel.status).toBe(200);
    expect(await validateVia(skewed, token)).toBe(STATUS_INVALID);
    // The object's clean-up runs (whenever it is due, and now).
    const stub = env.TOKEN_STATE.getByName(await subjectShardName({ subject: "alice" }));
    await runDurableObjectAlarm(stub);
    expect(await validateVia(skewed, token)).toBe(STATUS_INVALID);
    expect((await introspectVia(skewed, b64url(token))).json).toEqual({ active: false });
    const x = await exchangeFor(skewed, token, "saml2");
    expect([x.status, x.json.error]).toEqual([400, "invalid_grant"]);
  });

  it("a subject-wide revocation is kept while a token issued before it may still be accepted", async () => {
    const stub = await tokenStateStub(freshSubject("retention"));
    const now = Date.now();
    // Tokens issued before the cut-off ended six minutes ago; a one-hour skew still accepts them.
    await stub.revokeSubject({ before: now - 2 * HOUR, keepUntil: now - 6 * MIN });
    await runDurableObjectAlarm(stub);
    expect(await stub.status({ idHash: "old", issuedAt: now - 3 * HOUR, expiresAt: now - 6 * MIN })).toEqual({ state: "revoked", reason: "subject-revoked" });
  });

  it("a one-time value is still refused when the object judges a moment after the caller's window ended", async () => {
    let now = Date.now();
    const client = createStateClient(bindings, { cache: null, now: () => now });
    const key = `ut:alice:${crypto.randomUUID()}`;
    const end = now + 10 * MIN;
    now = end - 1; // the caller judged it fresh just inside its window...
    expect(await client.rememberNonce({ key }, end)).toBe(true);
    now = end + 1; // ...and the replay reaches the object just after it
    expect(await client.rememberNonce({ key }, end)).toBe(false);
  });
});

describe('renewing an expired token: within the clock skew as a valid one, past it only when issued with wst:Renewing OK="true", until the grace ends', () => {
  const OK = `<wst:Renewing OK="true"/>`;
  /** `xml` with its times moved so that it ended `ago` ms ago after an hour of life (its ID kept), re-signed with our key. */
  const endedAgo = async (xml: string, ago: number) => {
    const now = Date.now();
    let y = setAttr(xml, "IssueInstant", iso(now - ago - HOUR));
    y = setAttr(y, "NotBefore", iso(now - ago - HOUR));
    y = setAttr(y, "AuthnInstant", iso(now - ago - HOUR));
    return resign(setAttr(y, "NotOnOrAfter", iso(now - ago)), await ourRsaKey());
  };
  /** alice's assertion, issued for a request with `issuedWith` in its RST, that ended `ago` ms ago. */
  const expired = async (ago: number, issuedWith = OK) => endedAgo(samlIn((await trustVia(call, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, extra: issuedWith })).text)!, ago);
  const renew = (token: string, extra = "") => trustVia(call, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${token}</wst:RenewTarget>${extra}` });
  // As the fault's XML text writes it.
  const NOT_ISSUED_SO = "It was not issued as renewable after expiry (wst:Renewing OK=&quot;true&quot; in the request that issued it).";

  it("the development parties' grace (the default, 30 minutes) outlasts the default skew (5 minutes)", async () => {
    // Within the skew: still valid, renewed without the mark.
    expect(samlIn((await renew(await expired(2 * MIN, ""))).text)).toBeDefined();
    // Past the skew, within the grace: a token issued with OK="true" renews, nothing asked again.
    const renewed = samlIn((await renew(await expired(10 * MIN))).text)!;
    expect(renewed).toBeDefined();
    expect(Date.parse(attr(renewed, "NotOnOrAfter")!)).toBeGreaterThan(Date.now());
    // Past the grace: never.
    expect(faultCode((await renew(await expired(31 * MIN))).text)).toBe("wst:UnableToRenew");
  });

  it('a token issued without OK="true" does not renew once expired, whatever the Renew request says (WS-Trust 1.3 §5, as Apache CXF)', async () => {
    for (const issuedWith of ["", `<wst:Renewing/>`, `<wst:Renewing OK="false"/>`]) {
      const late = await expired(10 * MIN, issuedWith);
      for (const asked of ["", OK]) {
        const refused = await renew(late, asked);
        expect(faultCode(refused.text), issuedWith + asked).toBe("wst:UnableToRenew");
        expect(refused.text).toContain(`The token has expired. ${NOT_ISSUED_SO}`);
      }
    }
    // Allow="false" wins over OK="true": the token is marked not renewable, and never renews.
    const both = await expired(10 * MIN, `<wst:Renewing Allow="false" OK="true"/>`);
    expect(attr(both, "ID")).toMatch(/^_nr\./);
    expect(faultCode((await renew(both, OK)).text)).toBe("wst:UnableToRenew");
  });

  it('the issue-time decision survives a chain of renewals; a Renew\'s own OK="true" asks it of the renewed token', async () => {
    let tok = await expired(10 * MIN);
    for (let i = 0; i < 3; i++) {
      const r = await renew(tok);
      const renewed = samlIn(r.text);
      expect(renewed, r.text).toBeDefined();
      expect(attr(renewed!, "ID")).toMatch(/^_ok\.[0-9a-f]{32}$/);
      tok = await endedAgo(renewed!, 10 * MIN);
    }
    // A token issued without it renews (while valid) into one with it when the Renew asks...
    const asked = samlIn((await renew(await expired(0, ""), OK)).text)!;
    expect(attr(asked, "ID")).toMatch(/^_ok\./);
    expect(samlIn((await renew(await endedAgo(asked, 10 * MIN))).text)).toBeDefined();
    // ...and into one without it when the Renew does not.
    const plain = samlIn((await renew(await expired(0, ""))).text)!;
    expect(attr(plain, "ID")).toMatch(/^_[0-9a-f]{32}$/);
    expect(faultCode((await renew(await endedAgo(plain, 10 * MIN))).text)).toBe("wst:UnableToRenew");
  });

  it("a JWT of ours carries the mark in its signed jti alike", async () => {
    const ended = { iat: secs(Date.now() - HOUR), nbf: secs(Date.now() - HOUR), exp: secs(Date.now() - 10 * MIN), auth_time: secs(Date.now() - HOUR) };
    const marked = await ownJwt({ ...ended, jti: `ok.${newJti()}` });
    const r = await trustVia(call, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(marked)}</wst:RenewTarget>` });
    expect(r.status, r.text).toBe(200);
    expect(jwtParts(jwtIn(r.text)!).payload.jti).toMatch(/^ok\.[A-Za-z0-9_-]{22}$/);
    const unmarked = await ownJwt({ ...ended });
    const refused = await trustVia(call, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(unmarked)}</wst:RenewTarget><wst:Renewing OK="true"/>` });
    expect(faultCode(refused.text)).toBe("wst:UnableToRenew");
    expect(refused.text).toContain(NOT_ISSUED_SO);
  });

  it("token exchange has no wst:Renewing: a token issued with OK=\"true\" exchanges into one without the mark", async () => {
    const original = samlIn((await trustVia(call, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, extra: OK })).text)!;
    expect(attr(original, "ID")).toMatch(/^_ok\./);
    const x = await exchangeFor(call, original, "saml2");
    expect(x.status).toBe(200);
    expect(isRenewableAfterExpiry(jwtParts(x.json.access_token as string).payload.jti as string)).toBe(false);
    const saml = await exchangeFor(call, original, "saml2", RP, TX.saml2);
    expect(attr(unb64url(saml.json.access_token as string), "ID")).toMatch(/^_[0-9a-f]{32}$/);
  });

  it("the mark cannot be spliced into a token: the ID is signed, and an altered one fails the signature check", async () => {
    const late = await expired(10 * MIN, "");
    const id = attr(late, "ID")!;
    // The ID and the signature's reference to it both changed: the digest no longer matches.
    const spliced = late.replace(` ID="${id}"`, ` ID="_ok.${id.slice(1)}"`).replace(`URI="#${id}"`, `URI="#_ok.${id.slice(1)}"`);
    expect(spliced).not.toBe(late);
    const r = await renew(spliced, OK);
    expect(r.status).not.toBe(200);
    expect(r.text).toContain("signature is not valid");
    // A JWT's jti likewise: the payload changed under the same signature.
    const jwt = await ownJwt({ iat: secs(Date.now() - HOUR), nbf: secs(Date.now() - HOUR), exp: secs(Date.now() - 10 * MIN), auth_time: secs(Date.now() - HOUR) });
    const [h, , sig] = jwt.split(".");
    const payload = jwtParts(jwt).payload;
    const forged = `${h}.${b64url(JSON.stringify({ ...payload, jti: `ok.${payload.jti as string}` }))}.${sig}`;
    const j = await trustVia(call, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(forged)}</wst:RenewTarget>` });
    expect(j.status).not.toBe(200);
    expect(faultCode(j.text)).not.toBe(undefined);
    expect(jwtIn(j.text)).toBeUndefined();
  });
});

describe("state belongs to the realm, whatever its issuer is called", () => {
  it("a cancellation made without a configured issuer holds once the same origin is configured, and one made then holds after it is taken away", async () => {
    const unset = workerWith(DEV_CONFIG);
    const set = workerWith({ ...DEV_CONFIG, issuer: ORIGIN });
    const cancel = (f: Fetcher, token: string) => trustVia(f, { ...VALIDATOR, requestType: "Cancel", extra: `<wst:CancelTarget>${token}</wst:CancelTarget>` });
    const before = samlIn((await trustVia(unset, { ...ALICE, appliesTo: RP, tokenType: TT.saml2 })).text)!;
    expect(await validateVia(set, before)).toBe(STATUS_VALID); // the same iss: ours under either configuration
    expect((await cancel(unset, before)).status).toBe(200);
    isolateCaches.clear(); // another isolate: only the state objects know of the cancellation
    expect(await validateVia(set, before)).toBe(STATUS_INVALID);
    const during = samlIn((await trustVia(set, { ...ALICE, appliesTo: RP, tokenType: TT.saml2 })).text)!;
    expect((await cancel(set, during)).status).toBe(200);
    isolateCaches.clear();
    expect(await validateVia(unset, during)).toBe(STATUS_INVALID);
  });
});

describe("a random token ID never reads as not renewable", () => {
  it("the mark is not producible by a random jti or SAML ID; marked IDs (and those minted before) are recognised", () => {
    // 22 characters, like every random jti: any first three characters are possible.
    for (const id of ["nr-AAAAAAAAAAAAAAAAAAA", "nr-abcdefghijklmnop_-X", "nr.", "_nr-", "xnr.abc"]) {
      expect(isNotRenewable(id), id).toBe(id === "nr.");
    }
    for (let i = 0; i < 200; i++) {
      expect(isNotRenewable(newJti())).toBe(false);
      expect(isNotRenewable(newSamlId())).toBe(false);
      expect(isNotRenewable(notRenewableId(newJti(), false))).toBe(true);
      expect(isNotRenewable(notRenewableId(newSamlId(), true))).toBe(true);
    }
    // The mark as it was written before: exactly the mark and a whole random part.
    expect(isNotRenewable("nr-AAAAAAAAAAAAAAAAAAAAAA")).toBe(true);
    expect(isNotRenewable(`_nr-${"0a".repeat(16)}`)).toBe(true);
  });

  it("the renewable-after-expiry mark is neither a random ID nor the not-renewable mark; Allow=\"false\" wins over OK=\"true\"", () => {
    for (const id of ["ok.", "_ok.", "ok-AAAAAAAAAAAAAAAAAAA", "xok.abc", "_nr.abc", "nr.abc"]) {
      expect(isRenewableAfterExpiry(id), id).toBe(id === "ok." || id === "_ok.");
    }
    for (let i = 0; i < 200; i++) {
      for (const [random, saml] of [[newJti(), false], [newSamlId(), true]] as const) {
        const ok = markedId(random, { renewableAfterExpiry: true }, saml);
        expect([isRenewableAfterExpiry(random), isRenewableAfterExpiry(ok), isNotRenewable(ok)]).toEqual([false, true, false]);
        expect(isRenewableAfterExpiry(notRenewableId(random, saml))).toBe(false);
        expect(markedId(random, { notRenewable: true, renewableAfterExpiry: true }, saml)).toBe(notRenewableId(random, saml));
        expect(markedId(random, {}, saml)).toBe(random);
        expect(randomPartOf(ok, saml)).toBe(randomPartOf(random, saml));
      }
    }
  });

  it("a JWT of ours whose random jti happens to start with nr- renews", async () => {
    const jwt = await ownJwt({ jti: "nr-" + newJti().slice(3), auth_time: secs(Date.now() - MIN) });
    const r = await trustVia(call, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bst(jwt)}</wst:RenewTarget>` });
    expect(r.status, r.text).toBe(200);
    expect(jwtIn(r.text)).toBeDefined();
  });
});

describe("issued lifetimes never exceed the maximum; dates are read strictly", () => {
  const EIGHT_HOURS = 8 * HOUR; // the development relying parties' maximum

  it("a requested lifetime up to the skew past the maximum is shortened to the maximum, on Issue and Renew", async () => {
    const r = await trustVia(call, { ...ALICE, appliesTo: RP, tokenType: TT.saml2, lifetime: { expires: iso(Date.now() + EIGHT_HOURS + 299_000) } });
    const tok = samlIn(r.text)!;
    expect(tok, r.text).toBeDefined();
    expect(lifetimeOf(tok)).toBe(EIGHT_HOURS);
    const renewed = await trustVia(call, {
      ...VALIDATOR,
      requestType: "Renew",
      extra: `<wst:RenewTarget>${tok}</wst:RenewTarget><wst:Lifetime><wsu:Expires>${iso(Date.now() + EIGHT_HOURS + 299_000)}</wsu:Expires></wst:Lifetime>`,
    });
    const again = samlIn(renewed.text)!;
    expect(again, renewed.text).toBeDefined();
    expect(lifetimeOf(again)).toBeLessThanOrEqual(EIGHT_HOURS);
    // Clearly past the maximum is still refused, not shortened.
    const far = await trustVia(call, { ...ALICE, appliesTo: RP, lifetime: { expires: iso(Date.now() + EIGHT_HOURS + 301_000) } });
    expect(faultCode(far.text)).toBe("wst:InvalidTimeRange");
  });

  it("calendar-impossible dates, 24:00, leap seconds and time zones past ±14:00 are refused, not normalised", async () => {
    for (const created of ["2020-02-30T00:00:00Z", "2021-02-29T00:00:00Z", "2020-04-31T00:00:00Z", "2020-01-01T00:00:00-23:59", "2020-01-01T24:00:00Z", "2020-01-01T00:00:00+14:01"]) {
      const r = await trustVia(call, { ...ALICE, appliesTo: RP, lifetime: { created } });
      expect(faultCode(r.text), created).toBe("wst:InvalidRequest");
      const ts = await trustVia(call, { ...ALICE, appliesTo: RP, timestamp: { created, expires: iso(Date.now() + 5 * MIN) } });
      expect(faultCode(ts.text), created).toBe("wst:BadRequest");
    }
    // The same instants written correctly are accepted.
    const ok = await trustVia(call, { ...ALICE, appliesTo: RP, lifetime: { created: "2020-02-29T00:00:00+14:00" } });
    expect(ok.status).toBe(200);
  });

  it("a wsu time with no time zone is refused with the reason, not read as UTC (WS-Security 1.1 §10); an offset names its instant", async () => {
    // Now, written as a local time with no zone: read as UTC it was accepted, whatever zone its
    // sender's clock is in.
    const local = (ms: number) => iso(ms).replace("Z", "");
    const now = Date.now();
    const cases: [string, RstOptions, string, string][] = [
      ["Timestamp Created", { timestamp: { created: local(now), expires: iso(now + 5 * MIN) } }, "wst:BadRequest", `wsu:Timestamp's wsu:Created '${local(now)}' states no time zone`],
      ["Timestamp Expires", { timestamp: { created: iso(now), expires: local(now + 5 * MIN) } }, "wst:BadRequest", `wsu:Timestamp's wsu:Expires '${local(now + 5 * MIN)}' states no time zone`],
      ["UsernameToken Created", { created: local(now) }, "wst:BadRequest", `wsse:UsernameToken's wsu:Created '${local(now)}' states no time zone`],
      ["Lifetime Expires", { lifetime: { expires: local(now + HOUR) } }, "wst:InvalidRequest", `wst:Lifetime/wsu:Expires '${local(now + HOUR)}' states no time zone`],
    ];
    for (const [what, o, code, reason] of cases) {
      const r = await trustVia(call, { ...ALICE, appliesTo: RP, ...o });
      expect([r.status, faultCode(r.text)], what).toEqual([400, code]);
      expect(r.text, what).toContain(`${reason}: WS-Security 1.1 §10 requires UTC, such as 2026-01-01T00:00:00Z.`);
      expect(r.text).not.toContain("<saml:Assertion");
    }
    // The same instants with an offset, or with Z, are accepted.
    const offset = (ms: number) => iso(ms).replace("Z", "+00:00");
    const ok = await trustVia(call, {
      ...ALICE, appliesTo: RP, timestamp: { created: offset(now), expires: offset(now + 5 * MIN) }, created: offset(now), lifetime: { expires: offset(now + HOUR) },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(parseXsDateTime("2027-01-01T00:00:00", { timeZone: "required" })).toBeUndefined();
    expect(parseXsDateTime("2027-01-01T00:00:00-05:00", { timeZone: "required" })?.toISOString()).toBe("2027-01-01T05:00:00.000Z");
    expect(parseXsDateTime("2027-01-01T00:00:00")?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("a wsu time is its text: markup inside, or a no-break space or byte order mark beside it, names no instant", async () => {
    const now = Date.now();
    const forms: [string, (v: string) => string, string][] = [
      ["an element inside", (v) => `${v.slice(0, 11)}<x:t xmlns:x="urn:x">${v.slice(11)}</x:t>`, "text only"],
      ["a comment inside", (v) => `${v.slice(0, 11)}<!---->${v.slice(11)}`, "text only"],
      ["a no-break space before", (v) => `\u00a0${v}`, "is not"],
      ["a byte order mark after", (v) => `${v}\ufeff`, "is not"],
    ];
    for (const [how, spoil, reason] of forms) {
      const cases: [string, RstOptions, string][] = [
        ["Timestamp Created", { timestamp: { created: spoil(iso(now)), expires: iso(now + 5 * MIN) } }, "wst:BadRequest"],
        ["Timestamp Expires", { timestamp: { created: iso(now), expires: spoil(iso(now + 5 * MIN)) } }, "wst:BadRequest"],
        ["UsernameToken Created", { created: spoil(iso(now)) }, "wst:BadRequest"],
        ["Lifetime Created", { lifetime: { created: spoil(iso(now)) } }, "wst:InvalidRequest"],
        ["Lifetime Expires", { lifetime: { expires: spoil(iso(now + HOUR)) } }, "wst:InvalidRequest"],
      ];
      for (const [what, o, code] of cases) {
        const r = await trustVia(call, { ...ALICE, appliesTo: RP, ...o });
        expect([r.status, faultCode(r.text)], `${what}, ${how}`).toEqual([400, code]);
        expect(r.text).not.toContain("<saml:Assertion");
        // Markup is named as such; a value with another character in it is refused, naming it.
        expect(r.text, `${what}, ${how}`).toContain(`${what.replace(/ .*/, "")}`);
        expect(r.text, `${what}, ${how}`).toContain(reason === "is not" ? "is not an xs:dateTime" : reason);
      }
    }
    // CDATA is text, and XML white space around the value is collapsed away.
    const ok = await trustVia(call, { ...ALICE, appliesTo: RP, timestamp: { created: `<![CDATA[${iso(now)}]]>`, expires: ` \n${iso(now + 5 * MIN)}\t` }, lifetime: { expires: `\n ${iso(now + HOUR)} \n` } });
    expect(ok.status, ok.text).toBe(200);
  });

  it("the xs:dateTime parser", () => {
    const ok: [string, string][] = [
      ["2027-02-28T23:59:59Z", "2027-02-28T23:59:59.000Z"],
      ["2028-02-29T00:00:00Z", "2028-02-29T00:00:00.000Z"],
      ["2000-02-29T12:00:00+14:00", "2000-02-28T22:00:00.000Z"],
      ["2000-03-01T00:00:00-14:00", "2000-03-01T14:00:00.000Z"],
      [" 2027-01-01T00:00:00.123456789Z\n", "2027-01-01T00:00:00.123Z"],
      ["2027-01-01T00:00:00.9999", "2027-01-01T00:00:00.999Z"],
      ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
    ];
    for (const [s, want] of ok) expect(parseXsDateTime(s)?.toISOString(), s).toBe(want);
    const bad = [
      "2027-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2027-02-30T00:00:00Z", "2027-06-31T00:00:00Z", "2027-13-01T00:00:00Z",
      "2027-00-10T00:00:00Z", "2027-01-00T00:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T23:60:00Z", "2027-01-01T23:59:60Z",
      "2027-01-01T00:00:00-23:59", "2027-01-01T00:00:00+14:01", "2027-01-01T00:00:00+05:60", "+058895-01-01T00:00:00Z",
      "58895-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-00:01", "2027-01-01",
      "2027-01-01T00:00Z", "2027-01-01 00:00:00Z", "2027-1-01T00:00:00Z", "2027-01-01T00:00:00.Z", "2027-01-01T00:00:00z",
      "2027-01-01T00:00:00+0100", "\u00a02027-01-01T00:00:00Z", "Fri, 01 Jan 2027 00:00:00 GMT", "1798761600", "",
    ];
    for (const s of bad) expect(parseXsDateTime(s), s).toBeUndefined();
    // Inner white space is not collapsed away: it is no dateTime.
    expect(parseXsDateTime("2027-01-01T00:00:00\t Z")).toBeUndefined();
    expect(parseXsDateTime("\t\r\n 2027-01-01T00:00:00Z \t\r\n")?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("a long run of white space inside the value is no dateTime; around it, it is collapsed away", async () => {
    // Their cost against each other is a benchmark row (`npm run bench`, micro: hostile xs:dateTime).
    const inner = "2027-01-01T00:00:00Z" + " ".repeat(40_000) + "x";
    expect(parseXsDateTime(inner)).toBeUndefined();
    expect(parseXsDateTime(" ".repeat(40_000) + "2027-01-01T00:00:00Z")?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    // Over HTTP: refused as any malformed Created, and the worker goes on serving.
    const env = envelope({ ...ALICE, appliesTo: RP, timestamp: { created: inner, expires: new Date(Date.now() + 300_000).toISOString() } });
    const r = await call("/trust/13/usernamemixed", { method: "POST", headers: env.headers, body: env.body });
    expect(faultCode(await r.text())).toBe("wst:BadRequest");
    expect((await trustVia(call, { ...ALICE, appliesTo: RP })).status).toBe(200);
  });
});
