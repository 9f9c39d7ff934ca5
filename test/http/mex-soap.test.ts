/**
 * WS-MetadataExchange over SOAP: the WS-Transfer Get that WCF's MetadataExchangeClient and
 * svcutil send to the metadata endpoint.
 */
import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { NS } from "../helpers/soap.ts";
import { ORIGIN, byTag, call, faultCode } from "../helpers/worker.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { workerWith } from "../hostile/configured.ts";

const GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
const MEX = "http://schemas.xmlsoap.org/ws/2004/09/mex";
const WSDL = "http://schemas.xmlsoap.org/wsdl/";

function get(soap: "1.1" | "1.2", o: { action?: string; body?: string; to?: string } = {}) {
  const action = o.action ?? GET;
  const env =
    `<s:Envelope xmlns:s="${soap === "1.2" ? NS.s12 : NS.s11}" xmlns:a="${NS.wsa}"><s:Header><a:Action s:mustUnderstand="1">${action}</a:Action>` +
    `<a:MessageID>urn:uuid:0d3c0ffe-0000-4000-8000-000000000001</a:MessageID><a:To s:mustUnderstand="1">${o.to ?? ORIGIN + "/trust/mex"}</a:To></s:Header><s:Body>${o.body ?? ""}</s:Body></s:Envelope>`;
  const headers: Record<string, string> =
    soap === "1.2" ? { "content-type": `application/soap+xml; charset=utf-8` } : { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` };
  return call("/trust/mex", { method: "POST", headers, body: env });
}

describe("POST /trust/mex (WS-Transfer Get)", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    it(`answers SOAP ${soap} with the WSDL in a mex:MetadataSection`, async () => {
      const res = await get(soap);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const doc = new DOMParser().parseFromString(text, "text/xml");
      expect(text).toContain("http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse");
      expect(text).toContain("urn:uuid:0d3c0ffe-0000-4000-8000-000000000001</a:RelatesTo>");
      const sections = byTag(doc, MEX, "MetadataSection");
      expect(sections.map((s) => s.getAttribute("Dialect"))).toEqual([WSDL]);
      const defs = byTag(sections[0]!, WSDL, "definitions");
      expect(defs).toHaveLength(1);
      const addresses = byTag(defs[0]!, "http://schemas.xmlsoap.org/wsdl/soap12/", "address").map((a) => a.getAttribute("location"));
      expect(addresses).toContain(`${ORIGIN}/trust/13/usernamemixed`);
      // The same WSDL an HTTP GET answers.
      const plain = await (await call("/trust/mex")).text();
      expect(plain.replace(/^<\?xml[^?]*\?>/, "")).toBe(text.slice(text.indexOf("<wsdl:definitions"), text.indexOf("</wsdl:definitions>") + "</wsdl:definitions>".length));
    });
  }

  it("refuses another action, a Body with content and another destination, with SOAP faults", async () => {
    expect(faultCode(await (await get("1.2", { action: "http://schemas.xmlsoap.org/ws/2004/09/transfer/Put" })).text())).toBe("wsa:ActionNotSupported");
    expect(faultCode(await (await get("1.2", { body: "<x:Filter xmlns:x='urn:x'/>" })).text())).toBe("wst:BadRequest");
    expect(faultCode(await (await get("1.2", { to: "https://elsewhere.example/trust/mex" })).text())).toBe("wsa:DestinationUnreachable");
    const dtd = await call("/trust/mex", { method: "POST", headers: { "content-type": "application/soap+xml" }, body: '<!DOCTYPE x [<!ENTITY e "x">]><x/>' });
    expect(dtd.status).toBe(400);
    expect(faultCode(await dtd.text())).toBe("wst:BadRequest");
  });
});

describe("the issued-token endpoints in the WSDL", () => {
  const { realms: _realms, trustedIssuers: _partners, ...noPartner } = DEV_CONFIG;
  const endpoints = async (config: object) => {
    const f = workerWith(config);
    return [await (await f("/trust/mex")).text(), await (await f("/")).text()];
  };

  it("are published only where someone can sign in at them: a trusted SAML partner, or this STS as its own relying party", async () => {
    for (const doc of await endpoints(noPartner)) {
      expect(doc).toContain("/trust/13/usernamemixed");
      expect(doc).not.toContain("issuedtokenmixed");
    }
    const ownParty = { ...noPartner, relyingParties: [...DEV_CONFIG.relyingParties!, { identifier: ORIGIN, defaultTokenType: "saml2" }] };
    for (const doc of await endpoints(ownParty)) expect(doc).toContain("/trust/13/issuedtokenmixedsymmetricbasic256");
  });
});

describe("the algorithm suite every policy advertises (WS-SP 1.2 §6.1), over GET and the WS-Transfer Get", () => {
  const SP12 = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
  const SP2005 = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
  /** The suite named in each binding's policy, of the WSDL a GET answers and of the one a SOAP Get answers. */
  const suites = async (config: object) => {
    const f = workerWith(config);
    const body = `<s:Envelope xmlns:s="${NS.s12}" xmlns:a="${NS.wsa}"><s:Header><a:Action s:mustUnderstand="1">${GET}</a:Action><a:To s:mustUnderstand="1">${ORIGIN}/trust/mex</a:To></s:Header><s:Body/></s:Envelope>`;
    const docs = [await (await f("/trust/mex")).text(), await (await f("/trust/mex", { method: "POST", headers: { "content-type": "application/soap+xml; charset=utf-8" }, body })).text()];
    return docs.map((text) => {
      const doc = new DOMParser().parseFromString(text, "text/xml");
      return byTag(doc, NS.wsp, "Policy")
        .filter((p) => p.getAttributeNS(NS.wsu, "Id"))
        .map((p) => {
          const suite = [SP12, SP2005].flatMap((sp) => byTag(p, sp, "AlgorithmSuite").flatMap((s) => byTag(s, sp, "*")).map((e) => e.localName));
          return [p.getAttributeNS(NS.wsu, "Id")!, suite] as const;
        });
    });
  };

  it("is Basic256Sha256 (RSA-SHA256, HMAC-SHA256, SHA-256 digests) in all eight while SHA-1 is off, the default", async () => {
    for (const policies of await suites(DEV_CONFIG)) {
      expect(policies).toHaveLength(8);
      for (const [id, suite] of policies) expect(suite, id).toEqual(["Basic256Sha256"]);
    }
  });

  it("is Basic256, as AD FS advertises it, in all eight once allowSha1Signatures turns the legacy suite on", async () => {
    const legacy = { ...DEV_CONFIG, requestorCertificates: { ...DEV_CONFIG.requestorCertificates!, allowSha1Signatures: true } };
    for (const policies of await suites(legacy)) {
      expect(policies).toHaveLength(8);
      for (const [id, suite] of policies) expect(suite, id).toEqual(["Basic256"]);
    }
  });
});

describe("what every endorsing signature must sign (sp:SignedParts), as the endpoints check it", () => {
  const SP12 = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
  const SP2005 = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
  /** Each endorsing policy's SignedParts, as `Body` / `Header:To`, of the WSDL a GET answers. */
  const signedParts = async (config: object) => {
    const doc = new DOMParser().parseFromString(await (await workerWith(config)("/trust/mex")).text(), "text/xml");
    return byTag(doc, NS.wsp, "Policy")
      .filter((p) => p.getAttributeNS(NS.wsu, "Id"))
      .flatMap((p) =>
        [SP12, SP2005].flatMap((sp) => byTag(p, sp, "EndorsingSupportingTokens")).map((e) => {
          const parts = byTag(e, e.namespaceURI!, "SignedParts");
          expect(parts, p.getAttributeNS(NS.wsu, "Id")!).toHaveLength(1);
          const named = byTag(parts[0]!, e.namespaceURI!, "*").map((x) => (x.localName === "Header" ? `Header:${x.getAttribute("Name")}` : x.localName!));
          return [p.getAttributeNS(NS.wsu, "Id")!, named] as const;
        }),
      );
  };

  it("is the Body, wsa:To and wsa:Action at certificatemixed and issuedtokenmixed by default", async () => {
    const policies = await signedParts(DEV_CONFIG);
    // certificatemixed and the two issuedtokenmixed of both WS-Trust versions.
    expect(policies).toHaveLength(6);
    for (const [id, parts] of policies) expect(parts, id).toEqual(["Body", "Header:To", "Header:Action"]);
  });

  it("is wsa:To alone, as AD FS and WCF's CertificateOverTransport write it, once allowTimestampOnlySignatures takes signatures without the Body", async () => {
    const wcf = { ...DEV_CONFIG, requestorCertificates: { ...DEV_CONFIG.requestorCertificates!, allowTimestampOnlySignatures: true } };
    const policies = await signedParts(wcf);
    expect(policies).toHaveLength(6);
    for (const [id, parts] of policies) expect(parts, id).toEqual(["Header:To"]);
  });
});
