import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import { NS, TT } from "../helpers/soap.ts";
import { ORIGIN, byTag, call, faultCode, trust } from "../helpers/worker.ts";

const alice = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

function assertionOf(text: string, ns = NS.saml2): string {
  const m = new RegExp(`<saml:Assertion xmlns:saml="${ns.replace(/[.:]/g, (c) => "\\" + c)}"[\\s\\S]*?</saml:Assertion>`).exec(text);
  expect(m).not.toBeNull();
  return m![0];
}

describe("WS-Trust Issue (black box)", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`issues a signed SAML 2.0 assertion over SOAP ${soap}, WS-Trust ${t}`, async () => {
        const r = await trust({ ...alice, soap, trust: t, tokenType: TT.saml2 });
        expect(r.status).toBe(200);
        const tns = t === "13" ? NS.t13 : NS.t05;
        expect(byTag(r.doc, tns, "RequestSecurityTokenResponseCollection")).toHaveLength(t === "13" ? 1 : 0);
        expect(byTag(r.doc, tns, "RequestSecurityTokenResponse")).toHaveLength(1);
        expect(r.res.headers.get("content-type")).toContain(soap === "1.2" ? "application/soap+xml" : "text/xml");
        expect(r.res.headers.get("cache-control")).toBe("no-store");
        // RelatesTo echoes our MessageID.
        expect(r.text).toContain("urn:uuid:11111111-2222-3333-4444-555555555555</a:RelatesTo>");
        // The assertion, cut out of the response, stands alone.
        const a = new DOMParser().parseFromString(assertionOf(r.text), "text/xml").documentElement as Element;
        expect(byTag(a, NS.saml2, "NameID")[0]!.textContent).toBe("alice");
        expect(byTag(a, NS.saml2, "Audience")[0]!.textContent).toBe("urn:example:rp");
        expect(byTag(a, NS.saml2, "Issuer")[0]!.textContent).toBe(ORIGIN);
        // Bearer confirmation data: the token's end and nothing .NET's Saml2SecurityTokenHandler
        // refuses (Recipient, Address, InResponseTo), though pysaml2 SPs would want a Recipient.
        const data = byTag(a, NS.saml2, "SubjectConfirmationData");
        expect(data).toHaveLength(1);
        expect(data[0]!.getAttribute("NotOnOrAfter")).toBe(byTag(a, NS.saml2, "Conditions")[0]!.getAttribute("NotOnOrAfter"));
        for (const name of ["Recipient", "Address", "InResponseTo", "NotBefore"]) expect(data[0]!.hasAttribute(name)).toBe(false);
        const attrs = byTag(a, NS.saml2, "Attribute").map((x) => x.getAttribute("Name"));
        expect(attrs).toContain("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
        expect(byTag(a, "http://www.w3.org/2000/09/xmldsig#", "Signature")).toHaveLength(1);
        // References per the SAML token profile.
        expect(r.text).toContain("oasis-wss-saml-token-profile-1.1#SAMLID");
        expect(byTag(r.doc, tns, "RequestedAttachedReference")).toHaveLength(1);
        expect(byTag(r.doc, tns, "RequestedUnattachedReference")).toHaveLength(1);
      });
    }
  }

  it("defaults to the relying party's token type (SAML 2.0 for urn:example:rp)", async () => {
    const r = await trust({ ...alice });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<wst:TokenType>${TT.saml2}</wst:TokenType>`);
  });

  it("issues SAML 1.1 when asked", async () => {
    const r = await trust({ ...alice, tokenType: TT.saml1 });
    expect(r.status).toBe(200);
    const a = new DOMParser().parseFromString(assertionOf(r.text, NS.saml1), "text/xml").documentElement as Element;
    expect(a.getAttribute("MajorVersion")).toBe("1");
    expect(a.getAttribute("Issuer")).toBe(ORIGIN);
    expect(byTag(a, NS.saml1, "NameIdentifier")[0]!.textContent).toBe("alice");
    expect(r.text).toContain("oasis-wss-saml-token-profile-1.0#SAMLAssertionID");
  });

  it("issues a JWT for https://api.example.com/ as a BinarySecurityToken", async () => {
    const r = await trust({ ...alice, appliesTo: "https://api.example.com/" });
    expect(r.status).toBe(200);
    const bst = byTag(r.doc, NS.wsse, "BinarySecurityToken")[0]!;
    expect(bst.getAttribute("ValueType")).toBe(TT.jwt);
    const jwt = atob(bst.textContent!);
    const payload = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload.sub).toBe("alice");
    expect(payload.aud).toBe("https://api.example.com/");
    expect(payload.iss).toBe(ORIGIN);
  });

  it("honours a requested lifetime within the maximum", async () => {
    const exp = new Date(Date.now() + 600_000).toISOString();
    const r = await trust({ ...alice, lifetime: { expires: exp } });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`NotOnOrAfter="${exp}"`);
  });

  // A JWT states whole seconds: the RSTR's Lifetime must not promise it a fraction of a second
  // past its exp (nor start before it says), however the request's times fall.
  it("a JWT's RSTR Lifetime states the JWT's own nbf and exp, on Issue and Renew, for a requested end between two seconds", async () => {
    const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
    const lifetimeOf = (text: string) => {
      const doc = new DOMParser().parseFromString(text, "text/xml");
      const jwt = atob(byTag(doc, NS.wsse, "BinarySecurityToken")[0]!.textContent!);
      const p = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { nbf: number; exp: number };
      const at = (local: string) => byTag(doc, NS.wsu, local)[0]!.textContent;
      return { jwt, stated: { created: at("Created"), expires: at("Expires") }, own: { created: new Date(p.nbf * 1000).toISOString(), expires: new Date(p.exp * 1000).toISOString() } };
    };
    const end = () => ({ expires: new Date(Math.floor(Date.now() / 1000) * 1000 + 600_700).toISOString() });
    const issued = await trust({ ...alice, appliesTo: "https://api.example.com/", lifetime: end() });
    expect(issued.status, issued.text).toBe(200);
    const first = lifetimeOf(issued.text);
    expect(first.stated).toEqual(first.own);
    const bst = /<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/.exec(issued.text)![0];
    const renewed = await trust({ ...validator, requestType: "Renew", lifetime: end(), extra: `<wst:RenewTarget>${bst}</wst:RenewTarget>` });
    expect(renewed.status, renewed.text).toBe(200);
    const second = lifetimeOf(renewed.text);
    expect(second.stated).toEqual(second.own);
  });

  it("a Lifetime that has already ended is refused saying so, not as a range that ends before it starts", async () => {
    for (const lifetime of [
      { created: "2020-01-01T00:00:00Z", expires: "2020-01-01T01:00:00Z" },
      { expires: "2020-01-01T01:00:00Z" },
    ]) {
      const r = await trust({ ...alice, lifetime });
      expect(faultCode(r.text), JSON.stringify(lifetime)).toBe("wst:InvalidTimeRange");
      expect(r.text).toMatch(/The requested lifetime ends at 2020-01-01T01:00:00\.000Z, which is not after the token's start at \d{4}-\d\d-\d\dT[\d:.]+Z\./);
      expect(r.text).not.toContain("ends before it starts");
    }
  });

  it("a Lifetime date that is not an xs:dateTime is refused naming wsu:Created or wsu:Expires and showing the value, escaped and bounded", async () => {
    const cases: [{ created?: string; expires?: string }, string][] = [
      [{ expires: "2026-12-06 03:32:14Z" }, "wst:Lifetime/wsu:Expires '2026-12-06 03:32:14Z' is not an xs:dateTime"],
      [{ created: "2026-12-07", expires: new Date(Date.now() + 600_000).toISOString() }, "wst:Lifetime/wsu:Created '2026-12-07' is not an xs:dateTime"],
      [{ expires: "&lt;b&gt;soon" }, "wst:Lifetime/wsu:Expires '&lt;b&gt;soon' is not an xs:dateTime"],
      [{ expires: "9".repeat(300) }, `wst:Lifetime/wsu:Expires '${"9".repeat(64)}' is not an xs:dateTime`],
    ];
    for (const [lifetime, reason] of cases) {
      const r = await trust({ ...alice, lifetime });
      expect(faultCode(r.text), reason).toBe("wst:InvalidRequest");
      expect(r.text).toContain(reason);
      expect(r.text).not.toContain("<b>");
    }
  });

  const soon = new Date(Date.now() + 30_000).toISOString();
  const faults: [string, Parameters<typeof trust>[0], string][] = [
    ["wrong password", { ...alice, password: "nope" }, "wst:FailedAuthentication"],
    ["unknown user", { ...alice, user: "mallory" }, "wst:FailedAuthentication"],
    ["no UsernameToken", { appliesTo: "urn:example:rp" }, "wst:FailedAuthentication"],
    ["unknown AppliesTo", { ...alice, appliesTo: "urn:example:nobody" }, "wst:InvalidScope"],
    ["missing AppliesTo", { user: "alice", password: "wonderland" }, "wst:InvalidRequest"],
    ["PasswordDigest", { ...alice, passwordType: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest" }, "wsse:UnsupportedSecurityToken"],
    ["PublicKey key type", { ...alice, keyType: `${NS.t13}/PublicKey` }, "wst:InvalidRequest"],
    ["unknown token type", { ...alice, tokenType: "urn:example:weird" }, "wst:InvalidRequest"],
    ["lifetime past the maximum", { ...alice, lifetime: { expires: new Date(Date.now() + 400 * 86400_000).toISOString() } }, "wst:InvalidTimeRange"],
    ["postdated lifetime", { ...alice, lifetime: { created: new Date(Date.now() + 86400_000).toISOString() } }, "wst:InvalidTimeRange"],
    // Both within the clock skew of now, the start after the end: a range of no time at all.
    ["reversed lifetime", { ...alice, lifetime: { created: new Date(Date.now() + 60_000).toISOString(), expires: new Date(Date.now() + 30_000).toISOString() } }, "wst:InvalidTimeRange"],
    // One instant for both ends: two clock reads may differ by a millisecond, a range of 1 ms.
    ["empty lifetime", { ...alice, lifetime: { created: soon, expires: soon } }, "wst:InvalidTimeRange"],
    ["stale timestamp", { ...alice, timestamp: { created: "2020-01-01T00:00:00Z", expires: "2020-01-01T00:05:00Z" } }, "wsse:MessageExpired"],
    ["unknown mustUnderstand header", { ...alice, extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="true"/>` }, "s:MustUnderstand"],
  ];
  for (const [name, req, code] of faults) {
    for (const soap of ["1.1", "1.2"] as const) {
      it(`faults on ${name} (SOAP ${soap}) with ${code} and no assertion`, async () => {
        const r = await trust({ ...req, soap });
        expect(faultCode(r.text)).toBe(code);
        expect(r.status).toBe(soap === "1.1" || code.startsWith("s:") ? 500 : 400);
        expect(r.text).not.toContain("Assertion");
        expect(r.text).not.toMatch(/at [A-Za-z]+ \(|\.ts:\d+/); // no stack traces
      });
    }
  }

  it("ignores mustUnderstand on a header addressed to another role", async () => {
    const r = await trust({ ...alice, soap: "1.2", extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="true" s:role="http://www.w3.org/2003/05/soap-envelope/role/none"/>` });
    expect(r.status).toBe(200);
    const r11 = await trust({ ...alice, soap: "1.1", extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="1" s:actor="urn:someone-else"/>` });
    expect(r11.status).toBe(200);
  });

  it("refuses a DOCTYPE with a fault and reads nothing", async () => {
    const body = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="${NS.s12}"><s:Body>&e;</s:Body></s:Envelope>`;
    const res = await call("/trust/13/usernamemixed", { method: "POST", headers: { "content-type": "application/soap+xml" }, body });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(faultCode(text)).toBe("wst:BadRequest");
    expect(text).not.toContain("root:");
  });

  it("answers a body that is not SOAP with a fault", async () => {
    const res = await call("/trust/13/usernamemixed", { method: "POST", headers: { "content-type": "text/xml" }, body: "<a/>" });
    expect(res.status).toBe(500);
    expect(faultCode(await res.text())).toBe("wst:BadRequest");
  });
});

describe("text in a WS-Trust container element", () => {
  it("an RST holding text beside its elements is refused, with no token; white space and newlines are layout", async () => {
    for (const t of ["13", "2005"] as const) {
      for (const text of ["KeyType SymmetricKey please", "<![CDATA[Lifetime: 1 day]]>"]) {
        const r = await trust({ ...alice, trust: t, extra: text });
        expect([r.status, faultCode(r.text)], `${t} ${text}`).toEqual([400, "wst:InvalidRequest"]);
        expect(r.text).toContain("wst:RequestSecurityToken holds its parameters as elements; it holds text");
        expect(r.text).not.toContain("RequestedSecurityToken");
      }
      expect((await trust({ ...alice, trust: t, extra: "\n\t \r\n" })).status).toBe(200);
    }
  });
});

describe("discovery", () => {
  it("the WSDL's trust assertion asks for client and server entropy, which the endpoint honours", async () => {
    const wsdl = await (await call("/trust/mex")).text();
    expect(wsdl).toContain("<sp:RequireClientEntropy/><sp:RequireServerEntropy/>");
    const entropy = btoa(String.fromCharCode(...new Uint8Array(32).fill(3)));
    const r = await trust({
      user: "alice",
      password: "wonderland",
      appliesTo: "urn:example:secure-rp",
      keyType: `${NS.t13}/SymmetricKey`,
      extra: `<wst:Entropy><wst:BinarySecret Type="${NS.t13}/Nonce">${entropy}</wst:BinarySecret></wst:Entropy>`,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain(`<wst:ComputedKey>${NS.t13}/CK/PSHA1</wst:ComputedKey>`);
  });

  it("serves the WSDL at /trust/mex with every endpoint, each bound to the policy of how its requestors authenticate", async () => {
    const res = await call("/trust/mex");
    expect(res.status).toBe(200);
    const doc = new DOMParser().parseFromString(await res.text(), "text/xml");
    const root = doc.documentElement!;
    expect(root.localName).toBe("definitions");
    expect(root.namespaceURI).toBe("http://schemas.xmlschema.org/wsdl/".replace("xmlschema", "xmlsoap"));
    const WSDL = "http://schemas.xmlsoap.org/wsdl/";
    const policies = new Map(
      byTag(doc, "http://schemas.xmlsoap.org/ws/2004/09/policy", "Policy")
        .filter((p) => (p.parentNode as Element).localName === "definitions")
        .map((p) => [p.getAttributeNS(NS.wsu, "Id"), p] as const),
    );
    const bindings = new Map(byTag(doc, WSDL, "binding").map((b) => [b.getAttribute("name"), b] as const));
    const ports = byTag(doc, WSDL, "port").map((p) => {
      const address = byTag(p, "http://www.w3.org/2005/08/addressing", "Address")[0]!.textContent!;
      const binding = bindings.get(p.getAttribute("binding")!.replace("tns:", ""))!;
      const ref = byTag(binding, "http://schemas.xmlsoap.org/ws/2004/09/policy", "PolicyReference")[0]!.getAttribute("URI")!.slice(1);
      const policy = policies.get(ref)!;
      const has = (local: string) => byTag(policy, "*", local).length > 0;
      const proof = has("UsernameToken") ? "username" : has("X509Token") ? "certificate" : has("IssuedToken") ? "issued-token" : "?";
      return [address.slice(ORIGIN.length), proof];
    });
    expect(ports).toEqual([
      ["/trust/13/usernamemixed", "username"],
      ["/trust/2005/usernamemixed", "username"],
      ["/trust/13/certificatemixed", "certificate"],
      ["/trust/2005/certificatemixed", "certificate"],
      ["/trust/13/issuedtokenmixedasymmetricbasic256", "issued-token"],
      ["/trust/13/issuedtokenmixedsymmetricbasic256", "issued-token"],
      ["/trust/2005/issuedtokenmixedasymmetricbasic256", "issued-token"],
      ["/trust/2005/issuedtokenmixedsymmetricbasic256", "issued-token"],
    ]);
    expect(policies.size).toBe(8);
    const sp12 = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
    // The UsernameToken travels signed and encrypted (by TLS) in WS-SP 1.2; the certificate, or
    // the issued token's key, signs the Body, wsa:To and wsa:Action.
    expect(byTag(doc, sp12, "SignedEncryptedSupportingTokens")).toHaveLength(1);
    expect(byTag(doc, sp12, "WssUsernameToken10")).toHaveLength(1);
    expect(byTag(doc, sp12, "EndorsingSupportingTokens")).toHaveLength(3);
    for (const parts of byTag(doc, sp12, "SignedParts")) expect(byTag(parts, sp12, "Body")).toHaveLength(1);
    expect(byTag(doc, NS.t13, "KeyType").map((k) => k.textContent)).toEqual([`${NS.t13}/PublicKey`, `${NS.t13}/SymmetricKey`]);
    expect(byTag(doc, "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy", "SignedSupportingTokens")).toHaveLength(1);
    expect(new Set(byTag(doc, "http://schemas.xmlsoap.org/wsdl/soap12/", "binding").map((b) => b.getAttribute("transport")))).toEqual(
      new Set(["http://schemas.xmlsoap.org/soap/http"]),
    );
  });

  it("declares every message part's element in its own wsdl:types, so a WSDL reader binds the operations without fetching a schema", async () => {
    const doc = new DOMParser().parseFromString(await (await call("/trust/mex")).text(), "text/xml");
    const WSDL = "http://schemas.xmlsoap.org/wsdl/";
    const XSD = "http://www.w3.org/2001/XMLSchema";
    const types = byTag(doc, WSDL, "types")[0]!;
    const declared = new Set(
      byTag(types, XSD, "schema").flatMap((schema) =>
        byTag(schema, XSD, "element").map((e) => `{${schema.getAttribute("targetNamespace")}}${e.getAttribute("name")}`),
      ),
    );
    const parts = byTag(doc, WSDL, "part").map((part) => {
      const [prefix, local] = part.getAttribute("element")!.split(":");
      return `{${part.lookupNamespaceURI(prefix!)}}${local}`;
    });
    expect(parts.length).toBe(16);
    expect(parts.filter((p) => !declared.has(p))).toEqual([]);
    // No import is left for a reader to resolve elsewhere.
    expect(byTag(types, XSD, "import")).toEqual([]);
  });

  it("serves the same WSDL at ?wsdl", async () => {
    const a = await (await call("/trust/mex")).text();
    const b = await (await call("/trust/13/usernamemixed?wsdl")).text();
    expect(b).toBe(a);
    // As a WCF service answers them: the query in any case, and WCF 4.5's ?singleWsdl.
    for (const q of ["WSDL", "Wsdl", "singleWsdl"]) {
      const res = await call(`/trust/2005/usernamemixed?${q}`);
      expect(res.status, q).toBe(200);
      expect(await res.text()).toBe(a);
    }
    expect((await call("/trust/13/usernamemixed?xsd=xsd0")).status).toBe(405);
  });

  it("serves signed federation metadata naming the issuer and every certificate", async () => {
    const res = await call("/FederationMetadata/2007-06/FederationMetadata.xml");
    expect(res.status).toBe(200);
    const doc = new DOMParser().parseFromString(await res.text(), "text/xml");
    const ed = doc.documentElement!;
    expect(ed.getAttribute("entityID")).toBe(ORIGIN);
    expect((ed.firstChild as Element).localName).toBe("Signature");
    const certs = byTag(doc, "http://www.w3.org/2000/09/xmldsig#", "X509Certificate");
    // Signature KeyInfo + 3 signing key descriptors (RSA current, EC current, RSA next) + the
    // token-decryption certificate partners encrypt for, in the role of a partner's relying party.
    expect(certs.length).toBe(5);
    const uses = byTag(doc, "urn:oasis:names:tc:SAML:2.0:metadata", "KeyDescriptor").map((k) => k.getAttribute("use"));
    expect(uses).toEqual(["signing", "signing", "signing", "encryption"]);
    // What a partner may encrypt for us with: the algorithms this STS opens, GCM only.
    const encryption = byTag(doc, "urn:oasis:names:tc:SAML:2.0:metadata", "KeyDescriptor")[3]!;
    expect(byTag(encryption, "urn:oasis:names:tc:SAML:2.0:metadata", "EncryptionMethod").map((m) => m.getAttribute("Algorithm"))).toEqual([
      "http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2009/xmlenc11#aes128-gcm",
      "http://www.w3.org/2009/xmlenc11#rsa-oaep", "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    ]);
    expect(byTag(doc, "http://docs.oasis-open.org/wsfed/federation/200706", "TokenType").map((t) => t.getAttribute("Uri"))).toEqual([
      TT.saml2, TT.saml1, "urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:access_token",
    ]);
  });

  it("the STS role holds signing certificates only: a WS-Federation reader that takes its every KeyDescriptor as a signing key (Microsoft.IdentityModel) trusts no decryption key", async () => {
    const doc = new DOMParser().parseFromString(await (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text(), "text/xml");
    const role = (type: string) => byTag(doc, MD, "RoleDescriptor").find((r) => r.getAttributeNS(XSI, "type") === type)!;
    const usesIn = (r: Element) => byTag(r, MD, "KeyDescriptor").map((k) => k.getAttribute("use"));
    expect(usesIn(role("fed:SecurityTokenServiceType"))).toEqual(["signing", "signing", "signing"]);
    // The decryption certificate is where partners that issue to this STS read it.
    expect(usesIn(role("fed:ApplicationServiceType"))).toEqual(["encryption"]);
  });

  it("healthz answers 200", async () => {
    expect((await call("/healthz")).status).toBe(200);
  });
});

describe("signatures survive serialization", () => {
  it("the federation metadata signature verifies after a round trip through its bytes", async () => {
    const { verifyEnveloped } = await import("../../src/xmldsig/verify.ts");
    const { parseXml } = await import("../../src/xml/parse.ts");
    const { KeyRing } = await import("../../src/keys/keyring.ts");
    const { DEV_KEY_MATERIALS } = await import("../../src/config/dev-keys.ts");
    const keys = await KeyRing.load(DEV_KEY_MATERIALS);
    const text = await (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    const doc = parseXml(text);
    const r = await verifyEnveloped(doc.documentElement!, { keys: keys.all() });
    expect(r).toMatchObject({ ok: true });
    // And a one-character change breaks it.
    const bad = parseXml(text.replace("Optional=\"true\"", "Optional=\"false\""));
    expect((await verifyEnveloped(bad.documentElement!, { keys: keys.all() })).ok).toBe(false);
  });

  for (const tt of [TT.saml2, TT.saml1]) {
    it(`an issued ${tt.slice(-7)} assertion verifies after a round trip through its bytes`, async () => {
      const { verifyEnveloped } = await import("../../src/xmldsig/verify.ts");
      const { parseXml } = await import("../../src/xml/parse.ts");
      const { KeyRing } = await import("../../src/keys/keyring.ts");
      const { DEV_KEY_MATERIALS } = await import("../../src/config/dev-keys.ts");
      const keys = await KeyRing.load(DEV_KEY_MATERIALS);
      const r = await trust({ ...alice, tokenType: tt });
      const a = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
      expect((await verifyEnveloped(parseXml(a).documentElement!, { keys: keys.all() })).ok).toBe(true);
    });
  }
});
