/**
 * Realms, black box over HTTP against the development configuration: the first realm at any
 * host, realm2 at `realm2.localhost` (any port) and under `/realms/realm2`. Each realm has its
 * own documents, keys, principals and state; a request naming a realm we do not serve is a 404.
 */
import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { DOMParser } from "@xmldom/xmldom";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { DEV_REALM2 } from "../../src/config/dev-realm2.ts";
import { app } from "../../src/http/app.ts";
import { NS, TT, type RstOptions, envelope, soapHeaders } from "../helpers/soap.ts";
import { faultCode } from "../helpers/worker.ts";
import { exchangeWithDpop, proof, proofKey } from "../oauth/dpop-helpers.ts";
import { TX, b64url, jwtParts, verifyWithJwks } from "../oauth/helpers.ts";
import { DEMO, STS_ADMIN as ADMIN } from "../helpers/credentials.ts";
import { REPLY, browser, formFields, get } from "../helpers/wsfed.ts";

const REALM1 = "http://127.0.0.1:8787";
const BY_HOST = "http://realm2.localhost:8787";
const BY_PREFIX = "http://127.0.0.1:8787/realms/realm2";
const RP = "urn:example:rp";
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const STATUS_VALID = `${NS.t13}/status/valid`;
const STATUS_INVALID = `${NS.t13}/status/invalid`;

function at(base: string, path: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(base + path, init));
}

async function trustAt(base: string, o: RstOptions): Promise<{ status: number; text: string }> {
  const path = `/trust/${o.trust ?? "13"}/usernamemixed`;
  const e = envelope({ to: base + path, ...o });
  const res = await at(base, path, { method: "POST", headers: e.headers, body: e.body });
  return { status: res.status, text: await res.text() };
}

async function samlAt(base: string, user: string, password: string, o: RstOptions = {}): Promise<string> {
  const r = await trustAt(base, { user, password, appliesTo: RP, tokenType: TT.saml2, ...o });
  expect(r.status, r.text).toBe(200);
  return /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
}

async function validateAt(base: string, token: string, nonce?: { nonce: string; created: string }): Promise<{ status: number; text: string; code: string | undefined }> {
  const r = await trustAt(base, {
    ...VALIDATOR,
    requestType: "Validate",
    tokenType: `${NS.t13}/RSTR/Status`,
    extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>`,
    ...nonce,
  });
  return { ...r, code: /<wst:Code>([^<]+)<\/wst:Code>/.exec(r.text)?.[1] };
}

async function form(base: string, path: string, params: Record<string, string>, auth: string | null = DEMO) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth) headers.authorization = auth;
  const res = await at(base, path, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** demo-client exchanges a SAML 2.0 assertion for a token for urn:example:rp at `base`. */
function exchangeSaml(base: string, saml: string, extra: Record<string, string> = {}) {
  return form(base, "/oauth2/token", { grant_type: TX.grant, subject_token: b64url(saml), subject_token_type: TX.saml2, audience: RP, ...extra });
}

async function jwks(base: string): Promise<{ keys: (JsonWebKey & { kid: string })[] }> {
  const meta = (await (await at(base, "/.well-known/oauth-authorization-server")).json()) as { jwks_uri: string };
  expect(meta.jwks_uri.startsWith(base + "/")).toBe(true);
  return (await (await at(base, meta.jwks_uri.slice(base.length))).json()) as { keys: (JsonWebKey & { kid: string })[] };
}

function certificates(xml: string): string[] {
  return [...xml.matchAll(/<(?:ds:)?X509Certificate>([^<]+)</g)].map((m) => m[1]!.replace(/\s/g, ""));
}

describe("realm documents", () => {
  it("RFC 8414 metadata: each realm's issuer and endpoints are its own base", async () => {
    for (const base of [REALM1, BY_HOST, BY_PREFIX]) {
      const m = (await (await at(base, "/.well-known/oauth-authorization-server")).json()) as Record<string, string>;
      expect(m.issuer).toBe(base);
      for (const k of ["token_endpoint", "introspection_endpoint", "revocation_endpoint", "jwks_uri"]) expect(m[k]!.startsWith(base + "/"), k).toBe(true);
    }
  });

  it("JWKS: realm2's keys (by host and by prefix alike) share no key with the first realm's", async () => {
    const one = (await jwks(REALM1)).keys.map((k) => k.kid);
    const host = (await jwks(BY_HOST)).keys.map((k) => k.kid);
    const prefix = (await jwks(BY_PREFIX)).keys.map((k) => k.kid);
    expect(host.length).toBe(2);
    expect(prefix).toEqual(host);
    expect(one.filter((k) => host.includes(k))).toEqual([]);
  });

  it("a host with a trailing dot (its fully qualified spelling) is the same realm", async () => {
    const dotted = "http://realm2.localhost.:8787";
    expect((await jwks(dotted)).keys.map((k) => k.kid)).toEqual((await jwks(BY_HOST)).keys.map((k) => k.kid));
    expect((await trustAt(dotted, { user: "carol", password: "wonderland2", appliesTo: RP })).status).toBe(200);
    expect((await trustAt(dotted, { user: "alice", password: "wonderland", appliesTo: RP })).status).not.toBe(200);
  });

  it("federation metadata: entity ID, endpoints and signing certificates are the realm's", async () => {
    const one = await (await at(REALM1, "/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    for (const base of [BY_HOST, BY_PREFIX]) {
      const res = await at(base, "/FederationMetadata/2007-06/FederationMetadata.xml");
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(xml).toContain(`entityID="${base}"`);
      expect(xml).toContain(`${base}/trust/13/usernamemixed`);
      expect(xml).not.toContain(`"${REALM1}/trust`);
      const mine = certificates(xml);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.filter((c) => certificates(one).includes(c) && !isDecryptionCertificate(one, c))).toEqual([]);
      // realm2 trusts no SAML partner and is no relying party of its own: its issuedtokenmixed
      // endpoints refuse everyone, so it offers itself to no partner as a relying party.
      expect(xml).not.toContain("issuedtokenmixed");
      expect(xml).not.toContain("fed:ApplicationServiceType");
    }
    expect(one).toContain(`<fed:ApplicationServiceEndpoint><wsa:EndpointReference><wsa:Address>${REALM1}/trust/13/issuedtokenmixedasymmetricbasic256</wsa:Address>`);
  });

  it("MEX: the WSDL over GET and over WS-MetadataExchange names the realm's endpoints", async () => {
    for (const base of [BY_HOST, BY_PREFIX]) {
      const wsdl = await (await at(base, "/trust/mex")).text();
      const addresses = [...wsdl.matchAll(/location="([^"]+)"/g)].map((m) => m[1]!);
      expect(addresses.length).toBeGreaterThan(0);
      for (const a of addresses) expect(a.startsWith(base + "/trust/"), a).toBe(true);
      const get = envelope({ body: "", to: base + "/trust/mex" });
      const action = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
      const body = get.body.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, `<wsa:Action s:mustUnderstand="1">${action}</wsa:Action>`).replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, "");
      const res = await at(base, "/trust/mex", { method: "POST", headers: soapHeaders("1.2", action), body });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text).toContain(`${base}/trust/13/usernamemixed`);
      // realm2 trusts no requestor certificates and no SAML partner (and is no relying party of
      // its own): its WSDL, its SOAP metadata and its home page offer no certificatemixed and no
      // issued-token endpoint (which would refuse everyone); the first realm's do.
      for (const doc of [wsdl, text, await (await at(base, "/")).text()]) {
        expect(doc).toContain("/trust/13/usernamemixed");
        expect(doc).not.toContain("issuedtokenmixed");
        expect(doc).not.toContain("certificatemixed");
        expect(doc).not.toContain("CertificateWSTrustBinding");
      }
    }
    for (const doc of [await (await at(REALM1, "/trust/mex")).text(), await (await at(REALM1, "/")).text()]) {
      expect(doc).toContain("/trust/2005/certificatemixed");
      expect(doc).toContain("/trust/2005/issuedtokenmixedsymmetricbasic256");
    }
  });

  it("/healthz answers for each realm", async () => {
    for (const base of [REALM1, BY_HOST, BY_PREFIX]) expect((await at(base, "/healthz")).status).toBe(200);
  });
});

/** The first realm's decryption certificate is published too; only signing keys are compared. */
function isDecryptionCertificate(xml: string, cert: string): boolean {
  const enc = /<KeyDescriptor use="encryption">[\s\S]*?<\/KeyDescriptor>/g;
  return [...xml.matchAll(enc)].some((m) => m[0].replace(/\s/g, "").includes(cert));
}

describe("realm principals and tokens", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const trust of ["13", "2005"] as const) {
      it(`SOAP ${soap}, WS-Trust ${trust}: carol signs in to realm2 only; alice to the first realm only`, async () => {
        for (const base of [BY_HOST, BY_PREFIX]) {
          const ok = await trustAt(base, { soap, trust, user: "carol", password: "wonderland2", appliesTo: RP });
          expect(ok.status, ok.text).toBe(200);
          const doc = new DOMParser().parseFromString(ok.text, "text/xml");
          const issuer = doc.getElementsByTagNameNS(NS.saml2, "Issuer")[0]?.textContent;
          expect(issuer).toBe(base);
          expect(faultCode((await trustAt(base, { soap, trust, user: "alice", password: "wonderland", appliesTo: RP })).text)).toMatch(/FailedAuthentication$/);
        }
        expect(faultCode((await trustAt(REALM1, { soap, trust, user: "carol", password: "wonderland2", appliesTo: RP })).text)).toMatch(/FailedAuthentication$/);
      });
    }
  }

  it("Validate: a realm2 token is valid in realm2 and invalid in the first realm, and the other way round", async () => {
    const two = await samlAt(BY_HOST, "carol", "wonderland2");
    const one = await samlAt(REALM1, "alice", "wonderland");
    expect((await validateAt(BY_HOST, two)).code).toBe(STATUS_VALID);
    expect((await validateAt(REALM1, two)).code).toBe(STATUS_INVALID);
    expect((await validateAt(BY_HOST, one)).code).toBe(STATUS_INVALID);
    expect((await validateAt(REALM1, one)).code).toBe(STATUS_VALID);
    // The same realm by its prefix has another issuer (its base): the host-issued token is not its.
    expect((await validateAt(BY_PREFIX, two)).code).toBe(STATUS_INVALID);
  });

  it("token exchange: realm2's JWT verifies with realm2's JWKS only; introspection is per realm", async () => {
    const x = await exchangeSaml(BY_PREFIX, await samlAt(BY_PREFIX, "carol", "wonderland2"), { requested_token_type: TX.jwt });
    expect(x.status, JSON.stringify(x.json)).toBe(200);
    const jwt = x.json.access_token as string;
    expect(jwtParts(jwt).payload.iss).toBe(BY_PREFIX);
    expect(await verifyWithJwks(jwt, await jwks(BY_PREFIX))).toBe(true);
    expect(await verifyWithJwks(jwt, await jwks(REALM1))).toBe(false);
    expect((await form(BY_PREFIX, "/oauth2/introspect", { token: jwt })).json.active).toBe(true);
    expect((await form(REALM1, "/oauth2/introspect", { token: jwt })).json).toEqual({ active: false });
    // A first-realm client secret is the same string, but realm2's exchange refuses a first-realm token.
    const y = await exchangeSaml(BY_PREFIX, await samlAt(REALM1, "alice", "wonderland"));
    expect([y.status, y.json.error]).toEqual([400, "invalid_grant"]);
  });
});

describe("realm state", () => {
  async function revokeSubject(base: string, subject: string) {
    const res = await at(base, "/admin/revoke-subject", { method: "POST", headers: { authorization: ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject }) });
    expect(res.status, await res.text()).toBe(200);
  }

  it("revoking carol in the first realm leaves realm2's carol alone; revoking her in realm2 does not", async () => {
    const tok = await samlAt(BY_HOST, "carol", "wonderland2");
    await revokeSubject(REALM1, "carol");
    expect((await validateAt(BY_HOST, tok)).code).toBe(STATUS_VALID);
    await revokeSubject(BY_HOST, "carol");
    expect((await validateAt(BY_HOST, tok)).code).toBe(STATUS_INVALID);
  });

  it("a UsernameToken nonce seen by one realm is fresh in another, and a replay in its own", async () => {
    const tok = await samlAt(REALM1, "alice", "wonderland");
    const two = await samlAt(BY_HOST, "carol", "wonderland2");
    const nonce = { nonce: btoa(crypto.randomUUID()), created: new Date().toISOString() };
    expect((await validateAt(REALM1, tok, nonce)).code).toBe(STATUS_VALID);
    expect((await validateAt(BY_HOST, two, nonce)).code).toBe(STATUS_VALID);
    const replay = await validateAt(BY_HOST, two, nonce);
    expect(faultCode(replay.text), replay.text).toBe("wsse:MessageExpired");
  });

  it("failed sign-ins that lock a name out in one realm do not lock the same name in another", async () => {
    for (let i = 0; i < 11; i++) await trustAt(REALM1, { user: "carol", password: `guess-${i}`, appliesTo: RP });
    const locked = await trustAt(REALM1, { user: "carol", password: "wonderland2", appliesTo: RP });
    expect(locked.status).toBe(429);
    const ok = await trustAt(BY_HOST, { user: "carol", password: "wonderland2", appliesTo: RP });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe("requests for a realm we do not serve", () => {
  it("an unknown path prefix is a 404 on every door, never the first realm's documents", async () => {
    for (const path of ["/trust/mex", "/.well-known/oauth-authorization-server", "/oauth2/jwks", "/FederationMetadata/2007-06/FederationMetadata.xml", "/healthz"]) {
      const res = await at(REALM1, "/realms/nowhere" + path);
      const text = await res.text();
      expect(res.status, path).toBe(404);
      expect(text).not.toContain("BEGIN");
      expect(text).not.toContain("X509Certificate");
      expect(text).not.toContain('"keys"');
    }
  });

  it("an unknown prefix at a WS-Trust endpoint is a wsa:DestinationUnreachable fault with 404, in both SOAP versions", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      const r = await trustAt(`${REALM1}/realms/nowhere`, { soap, user: "alice", password: "wonderland", appliesTo: RP });
      expect(r.status).toBe(404);
      expect(faultCode(r.text)).toMatch(/DestinationUnreachable$/);
      expect(r.text).not.toContain("Assertion");
    }
  });

  it("an unknown prefix at the token endpoint is a 404 OAuth error", async () => {
    const r = await form(`${REALM1}/realms/nowhere`, "/oauth2/token", { grant_type: TX.grant });
    expect(r.status).toBe(404);
    expect(r.json.error).toBe("invalid_request");
  });

  it("realm2's host with another realm's prefix is refused; with its own prefix it is realm2", async () => {
    expect((await at(BY_HOST, "/realms/nowhere/oauth2/jwks")).status).toBe(404);
    const own = await at(BY_HOST, "/realms/realm2/.well-known/oauth-authorization-server");
    expect(own.status).toBe(200);
    expect(((await own.json()) as { issuer: string }).issuer).toBe(`${BY_HOST}/realms/realm2`);
  });

  it("a realm reached by its prefix has its RFC 8414 metadata where §3.1 puts it for an issuer with a path", async () => {
    const res = await at(REALM1, "/.well-known/oauth-authorization-server/realms/realm2");
    expect(res.status).toBe(200);
    const m = (await res.json()) as { issuer: string; jwks_uri: string };
    expect(m.issuer).toBe(BY_PREFIX);
    expect(m).toEqual(await (await at(BY_PREFIX, "/.well-known/oauth-authorization-server")).json());
    for (const path of [
      "/.well-known/oauth-authorization-server/realms/nowhere",
      "/.well-known/oauth-authorization-server/realms/realm2/more",
      "/.well-known/oauth-authorization-server/%72ealms/realm2",
      "/.well-known/oauth-authorization-server/realms/realm%32",
      "/.well-known/oauth%2Dauthorization-server/realms/realm2",
      "/.well-known/oauth-authorization-server/",
    ]) {
      expect((await at(REALM1, path)).status, path).toBe(404);
    }
  });

  it("a prefix that spells the realms folder only once percent-decoded reaches no route", async () => {
    for (const path of ["/%72ealms/realm2/trust/mex", "/realms/realm%32/trust/mex", "/realms/realm2/realms/realm2/trust/mex"]) {
      const res = await at(REALM1, path);
      expect(res.status, path).toBe(404);
    }
  });

  it("a host no realm lists is the first realm's (the development configuration lists no hosts for it)", async () => {
    const m = (await (await at("http://realm3.localhost:8787", "/.well-known/oauth-authorization-server")).json()) as { jwks_uri: string };
    const keys = (await (await at("http://realm3.localhost:8787", m.jwks_uri.slice("http://realm3.localhost:8787".length))).json()) as { keys: { kid: string }[] };
    expect(keys.keys.map((k) => k.kid)).toEqual((await jwks(REALM1)).keys.map((k) => k.kid));
  });
});

describe("wsa:To in a realm reached by its prefix", () => {
  it("names the endpoint with the prefix (any port); the endpoint without the prefix is another one", async () => {
    const path = "/realms/realm2/trust/13/usernamemixed";
    const send = async (to: string) => {
      const e = envelope({ user: "carol", password: "wonderland2", appliesTo: RP, to });
      const res = await at(REALM1, path, { method: "POST", headers: e.headers, body: e.body });
      return { status: res.status, text: await res.text() };
    };
    expect((await send(`http://127.0.0.1:9999${path}`)).status).toBe(200);
    const other = await send("http://127.0.0.1:8787/trust/13/usernamemixed");
    expect(faultCode(other.text)).toMatch(/DestinationUnreachable$/);
  });
});

describe("audit lines", () => {
  it("name the realm in a further realm only", async () => {
    const spy = vi.spyOn(console, "log");
    try {
      await trustAt(BY_HOST, { user: "carol", password: "wonderland2", appliesTo: RP });
      await trustAt(REALM1, { user: "alice", password: "wonderland", appliesTo: RP });
      const lines = spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"event":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const [two, one] = lines.slice(-2);
      expect([two!.realm, two!.subject]).toEqual(["realm2", "carol"]);
      expect("realm" in one!).toBe(false);
      expect(one!.subject).toBe("alice");
    } finally {
      spy.mockRestore();
    }
  });
});

describe("a single-realm configuration", () => {
  const { realms: _realms, ...single } = DEV_CONFIG;
  const singleEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(single) };
  const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const get = (url: string) => app.fetch(new Request(url), singleEnv, exec);

  it("serves every host as before, and nothing under the realms folder", async () => {
    const m = (await (await get("http://realm2.localhost:8787/.well-known/oauth-authorization-server")).json()) as { issuer: string; jwks_uri: string };
    expect(m.issuer).toBe("http://realm2.localhost:8787");
    const keys = (await (await get(m.jwks_uri)).json()) as { keys: { kid: string }[] };
    expect(keys.keys.map((k) => k.kid)).toEqual((await jwks(REALM1)).keys.map((k) => k.kid));
    for (const path of ["/realms/realm2/oauth2/jwks", "/realms/realm2/trust/mex", "/realms/realm2/healthz", "/.well-known/oauth-authorization-server/realms/realm2"]) {
      expect((await get(REALM1 + path)).status, path).toBe(404);
    }
  });
});

describe("DPoP in a realm reached by its prefix", () => {
  it("a proof's htu names the realm's token endpoint with the prefix; the first realm's is another endpoint", async () => {
    const k = await proofKey();
    const params = async () => ({
      subject_token: b64url(await samlAt(BY_PREFIX, "carol", "wonderland2")),
      subject_token_type: TX.saml2,
      audience: RP,
    });
    const viaPrefix = (path: string, init?: RequestInit) => at(BY_PREFIX, path, init);
    const ok = await exchangeWithDpop(await params(), await proof(k, { htu: `${BY_PREFIX}/oauth2/token` }), viaPrefix);
    expect([ok.status, ok.json.token_type]).toEqual([200, "DPoP"]);
    const other = await exchangeWithDpop(await params(), await proof(k, { htu: `${REALM1}/oauth2/token` }), viaPrefix);
    expect([other.status, other.json.error]).toEqual([400, "invalid_dpop_proof"]);
  });
});

describe("browser sign-in in realms that share a session secret and an issuer", () => {
  // The first realm has no `issuer` (it takes the origin asked at); realm2 configures that very
  // origin as its own, which validation cannot see, and the same web session secret. Each realm
  // has an alice with the same password: two principals.
  const config = {
    ...DEV_CONFIG,
    realms: [
      {
        ...DEV_REALM2,
        issuer: REALM1,
        webSessionSecret: "DEV_WEB_SESSION_SECRET",
        users: [{ username: "alice", passwordHashSecret: "DEV_ALICE_PASSWORD_HASH", claims: { role: ["realm2-admin"] } }],
        relyingParties: [{ identifier: RP, defaultTokenType: "saml2", replyUrls: [REPLY] }],
      },
    ],
  };
  const sharedEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
  const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const viaApp = (base: string) => async (path: string, init?: RequestInit) => app.fetch(new Request(base + path, init), sharedEnv, exec);

  it("a session cookie of the first realm, sent under realm2's cookie name, signs nobody in to realm2", async () => {
    const one = browser(viaApp(REALM1));
    const fields = formFields(await (await one.get({ wa: "wsignin1.0", wtrealm: RP })).text());
    const signedIn = await one.post({ ...fields, username: "alice", password: "wonderland" });
    expect(signedIn.status).toBe(200);
    const session = /(?:^|; )sts_session=([^;]+)/.exec(one.cookie() ?? "")?.[1];
    expect(session).toBeDefined();
    // The first realm's session answers with a token at once.
    expect(await (await get({ wa: "wsignin1.0", wtrealm: RP }, `sts_session=${session}`, viaApp(REALM1))).text()).toContain('name="wresult"');
    const res = await get({ wa: "wsignin1.0", wtrealm: RP }, `sts_session.realm2=${session}`, viaApp(BY_PREFIX));
    const page = await res.text();
    expect(page).not.toContain('name="wresult"');
    expect(page).toContain('name="password"');
  });
});

describe("an explicit issuer whose path is in the realms folder (as Keycloak names its issuers)", () => {
  const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const getWith = (config: object) => (url: string) => app.fetch(new Request(url), { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) }, exec);
  const META = "/.well-known/oauth-authorization-server";

  it("a single realm has its RFC 8414 metadata at the §3.1 address; nothing else of it is in the realms folder", async () => {
    const { realms: _realms, ...single } = DEV_CONFIG;
    const get = getWith({ ...single, issuer: `${REALM1}/realms/acme` });
    const res = await get(`${REALM1}${META}/realms/acme`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(`${REALM1}/realms/acme`);
    for (const path of [`${META}/realms/acme/more`, `${META}/realms/acmex`, `${META}/realms/other`, "/realms/acme/oauth2/jwks", `/realms/acme${META}`]) {
      expect((await get(REALM1 + path)).status, path).toBe(404);
    }
  });

  it("with realms: each realm's own issuer path is its §3.1 address at its hosts; another realm's prefix keeps its meaning", async () => {
    const get = getWith({
      ...DEV_CONFIG,
      issuer: `${REALM1}/realms/acme`,
      // http:// is allowed for localhost only; the address is asked at realm2's host all the same.
      realms: [{ ...DEV_REALM2, issuer: "http://localhost:8787/realms/two" }],
    });
    const issuerAt = async (url: string) => {
      const res = await get(url);
      return res.status === 200 ? ((await res.json()) as { issuer: string }).issuer : res.status;
    };
    expect(await issuerAt(`${REALM1}${META}/realms/acme`)).toBe(`${REALM1}/realms/acme`);
    expect(await issuerAt(`${BY_HOST}${META}/realms/two`)).toBe("http://localhost:8787/realms/two");
    expect(await issuerAt(`${REALM1}${META}/realms/realm2`)).toBe("http://localhost:8787/realms/two");
    // Each issuer's address only at its own realm's hosts.
    expect(await issuerAt(`${BY_HOST}${META}/realms/acme`)).toBe(404);
    expect(await issuerAt(`${REALM1}${META}/realms/two`)).toBe(404);
  });
});

describe("HTTP Basic challenges", () => {
  it("name a further realm, so a user agent does not send one realm's account to another realm on the same origin (RFC 7235 §2.2)", async () => {
    const wrong = `Basic ${btoa("user-admin:wrong-secret")}`;
    const challenge = async (base: string, path: string, init: RequestInit) => (await at(base, path, init)).headers.get("www-authenticate");
    const admin = { headers: { authorization: wrong } };
    expect(await challenge(REALM1, "/admin/users", admin)).toBe('Basic realm="sts-admin"');
    expect(await challenge(BY_PREFIX, "/admin/users", admin)).toBe('Basic realm="sts-admin realm2"');
    expect(await challenge(BY_HOST, "/admin/users", admin)).toBe('Basic realm="sts-admin realm2"');
    const token = () => ({ method: "POST", headers: { authorization: `Basic ${btoa("demo-client:wrong")}`, "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=x" });
    expect(await challenge(REALM1, "/oauth2/token", token())).toBe('Basic realm="sts", charset="UTF-8"');
    expect(await challenge(BY_PREFIX, "/oauth2/token", token())).toBe('Basic realm="sts realm2", charset="UTF-8"');
    expect(await challenge(BY_PREFIX, "/oauth2/introspect", token())).toBe('Basic realm="sts realm2", charset="UTF-8"');
  });
});
