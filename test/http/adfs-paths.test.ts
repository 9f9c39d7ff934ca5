/**
 * AD FS's addresses: when this STS takes over an AD FS host name, clients and relying parties
 * configured with AD FS paths (`/adfs/services/trust/…`, `/adfs/ls/`) reach the same endpoints
 * without being reconfigured.
 */
import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { NS, TT, envelope, type RstOptions } from "../helpers/soap.ts";
import { byTag, faultCode } from "../helpers/worker.ts";
import { DOMParser } from "@xmldom/xmldom";

const ORIGIN = "http://127.0.0.1:8787";
const REALM2 = "http://127.0.0.1:8787/realms/realm2";

function at(url: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(url, init));
}

/** A WS-Trust request posted to `base + path`, its wsa:To naming `to` (default: where it is posted). */
async function trustAt(base: string, path: string, o: RstOptions, to = base + path) {
  const e = envelope({ ...o, to });
  const res = await at(base + path, { method: "POST", headers: e.headers, body: e.body });
  const text = await res.text();
  return { status: res.status, text, doc: new DOMParser().parseFromString(text, "text/xml") };
}

describe("AD FS paths of the WS-Trust endpoints", () => {
  for (const trust of ["13", "2005"] as const) {
    it(`/adfs/services/trust/${trust}/usernamemixed issues as /trust/${trust}/usernamemixed does`, async () => {
      const r = await trustAt(ORIGIN, `/adfs/services/trust/${trust}/usernamemixed`, { trust, user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
      expect(r.status, r.text.slice(0, 400)).toBe(200);
      expect(byTag(r.doc, NS.saml2, "NameID")[0]!.textContent).toBe("alice");
      expect(byTag(r.doc, NS.saml2, "Issuer")[0]!.textContent).toBe(ORIGIN);
    });
  }

  it("the wsa:To must name the address the message was sent to, as at any endpoint", async () => {
    const r = await trustAt(ORIGIN, "/adfs/services/trust/13/usernamemixed", { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }, `${ORIGIN}/trust/13/usernamemixed`);
    expect(faultCode(r.text)).toBe("wsa:DestinationUnreachable");
    const back = await trustAt(ORIGIN, "/trust/13/usernamemixed", { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }, `${ORIGIN}/adfs/services/trust/13/usernamemixed`);
    expect(faultCode(back.text)).toBe("wsa:DestinationUnreachable");
  });

  it("a wrong password is refused there too", async () => {
    const r = await trustAt(ORIGIN, "/adfs/services/trust/13/usernamemixed", { user: "alice", password: "not-hers", appliesTo: "urn:example:rp" });
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
  });

  it("/adfs/services/trust/mex answers the WSDL to a GET and a WS-Transfer Get, naming the /trust/ endpoints", async () => {
    const wsdl = await (await at(`${ORIGIN}/adfs/services/trust/mex`)).text();
    expect(wsdl).toContain(`${ORIGIN}/trust/13/usernamemixed`);
    expect(wsdl).not.toContain("/adfs/");
    const action = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
    const body =
      `<s:Envelope xmlns:s="${NS.s12}" xmlns:a="${NS.wsa}"><s:Header><a:Action s:mustUnderstand="1">${action}</a:Action>` +
      `<a:MessageID>urn:uuid:0d3c0ffe-0000-4000-8000-000000000002</a:MessageID><a:To s:mustUnderstand="1">${ORIGIN}/adfs/services/trust/mex</a:To></s:Header><s:Body/></s:Envelope>`;
    const res = await at(`${ORIGIN}/adfs/services/trust/mex`, { method: "POST", headers: { "content-type": "application/soap+xml; charset=utf-8" }, body });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    expect(text).toContain("mex:MetadataSection");
    expect(text).toContain(`${ORIGIN}/trust/13/usernamemixed`);
  });

  it("under a realm's path prefix, the realm's endpoint and issuer", async () => {
    const r = await trustAt(REALM2, "/adfs/services/trust/13/usernamemixed", { user: "carol", password: "wonderland2", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
    expect(r.status, r.text.slice(0, 400)).toBe(200);
    expect(byTag(r.doc, NS.saml2, "Issuer")[0]!.textContent).toBe(REALM2);
  });
});

describe("AD FS's passive sign-in address", () => {
  const query = "?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp&wctx=rm%3D0%26id%3Dpassive";
  for (const path of ["/adfs/ls/", "/adfs/ls"]) {
    it(`${path} sends the browser to /wsfed with the same query (307, method and body kept)`, async () => {
      for (const method of ["GET", "POST"]) {
        const res = await at(`${ORIGIN}${path}${query}`, { method, redirect: "manual", ...(method === "POST" ? { body: "wa=wsignin1.0", headers: { "content-type": "application/x-www-form-urlencoded" } } : {}) });
        expect(res.status, method).toBe(307);
        expect(res.headers.get("location")).toBe(`/wsfed${query}`);
        expect(res.headers.get("cache-control")).toBe("no-store");
      }
    });
  }

  it("the page it leads to is the sign-in form for the relying party", async () => {
    const first = await at(`${ORIGIN}/adfs/ls/${query}`, { redirect: "manual" });
    const page = await at(new URL(first.headers.get("location")!, ORIGIN).href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("urn:example:rp");
  });

  it("a SAML 2.0 protocol request (SAMLRequest) is told this service speaks WS-Federation", async () => {
    const first = await at(`${ORIGIN}/adfs/ls/?SAMLRequest=fZJBT8MwDIX%2F&RelayState=x`, { redirect: "manual" });
    const page = await at(new URL(first.headers.get("location")!, ORIGIN).href);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("speaks WS-Federation, not the SAML 2.0 protocol");
  });

  it("under a realm's path prefix, to the realm's /wsfed", async () => {
    const res = await at(`${REALM2}/adfs/ls/${query}`, { redirect: "manual" });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`/realms/realm2/wsfed${query}`);
  });

  it("under a prefix no realm has, a 404 page, not a redirect into the unknown realm", async () => {
    for (const path of ["/adfs/ls/", "/adfs/ls"]) {
      for (const method of ["GET", "POST"]) {
        const res = await at(`${ORIGIN}/realms/nowhere${path}${query}`, { method, redirect: "manual", headers: { accept: "text/html" } });
        expect([res.status, res.headers.get("location")], `${method} ${path}`).toEqual([404, null]);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      }
    }
  });
});

describe("AD FS's federation metadata address", () => {
  // AD FS answers its paths in any case; the metadata address is often configured in lower case.
  it("in lower case is the same signed metadata, for each realm", async () => {
    for (const base of [ORIGIN, REALM2]) {
      const res = await at(`${base}/federationmetadata/2007-06/federationmetadata.xml`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/samlmetadata+xml; charset=utf-8");
      const doc = new DOMParser().parseFromString(await res.text(), "text/xml");
      expect(doc.documentElement!.getAttribute("entityID")).toBe(base);
      expect(byTag(doc, "http://www.w3.org/2000/09/xmldsig#", "SignatureValue")).toHaveLength(1);
    }
  });
});
