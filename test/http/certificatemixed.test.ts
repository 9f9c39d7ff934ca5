/**
 * The certificatemixed endpoints, black box: requestors that sign their message with an X.509
 * certificate (the development CA's alice-client acts as alice).
 */
import { generatedPair } from "../helpers/keys.ts";
import { describe, expect, it } from "vitest";
import { XMLSerializer } from "@xmldom/xmldom";
import { strictUtf8 } from "../../src/bytes.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { rootOf, secureRp } from "../xmlenc/helpers.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, byTag, faultCode, postSoap } from "../helpers/worker.ts";
import { signedEnvelope, type SignedEnvelopeOptions } from "../helpers/wss-sign.ts";

type Version = "13" | "2005";

function rst(t: Version, appliesTo = "urn:example:rp", tokenType = TT.saml2, extra = ""): string {
  const ns = t === "13" ? NS.t13 : NS.t05;
  const issue = t === "13" ? `${NS.t13}/Issue` : `${NS.t05}/Issue`;
  return `<t:RequestSecurityToken xmlns:t="${ns}"><t:TokenType>${tokenType}</t:TokenType><t:RequestType>${issue}</t:RequestType><wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>${appliesTo}</a:Address></a:EndpointReference></wsp:AppliesTo>${extra}</t:RequestSecurityToken>`;
}

async function signedRequest(t: Version, soap: "1.1" | "1.2", o: Partial<SignedEnvelopeOptions> = {}) {
  const path = `/trust/${t}/certificatemixed`;
  const action = `${t === "13" ? NS.t13 : NS.t05}/RST/Issue`;
  const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, soap, payload: rst(t), action, to: ORIGIN + path, ...o });
  const headers = soapHeaders(soap, action);
  return { path, headers, body };
}

const send = postSoap;

describe("certificatemixed (black box)", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`issues alice a token for a message signed with alice-client, SOAP ${soap}, WS-Trust ${t}`, async () => {
        const r = await send(await signedRequest(t, soap));
        expect(r.status, r.text).toBe(200);
        const nameId = byTag(r.doc, NS.saml2, "NameID")[0];
        expect(nameId?.textContent).toBe("alice");
        expect(byTag(r.doc, NS.saml2, "AuthnContextClassRef")[0]?.textContent).toBe("urn:oasis:names:tc:SAML:2.0:ac:classes:X509");
      });
    }
  }

  it("refuses the same signed message a second time", async () => {
    const req = await signedRequest("13", "1.2");
    expect((await send(req)).status).toBe(200);
    const again = await send(req);
    expect(faultCode(again.text)).toBe("wsse:MessageExpired");
    expect(again.text).toContain("received before");
  });

  it("refuses a certificate no configured authority issued, with wst:FailedAuthentication", async () => {
    const { certPem, keyPem } = await generatedPair(2048, "alice");
    const r = await send(await signedRequest("13", "1.2", { keyPem, certPem: certPem }));
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    expect(r.text).toContain("not trusted");
    expect(byTag(r.doc, NS.saml2, "Assertion")).toHaveLength(0);
  });

  it("refuses a message whose Body changed after signing", async () => {
    const req = await signedRequest("13", "1.1");
    const r = await send({ ...req, body: req.body.replace("urn:example:rp", "https://api.example.com/") });
    expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    expect(r.text).not.toContain("<saml:Assertion");
  });

  it("refuses a UsernameToken on certificatemixed and a signed message on usernamemixed", async () => {
    const req = await signedRequest("13", "1.2");
    const onUsername = await send({ ...req, path: "/trust/13/usernamemixed", body: req.body.replaceAll("/certificatemixed", "/usernamemixed") });
    expect(faultCode(onUsername.text)).toMatch(/wsse:UnsupportedSecurityToken|wst:FailedAuthentication/);
    const unsigned = req.body.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
    expect(faultCode((await send({ ...req, body: unsigned })).text)).toBe("wst:FailedAuthentication");
  });

  it("binds a PublicKey token to the key that signed the request; a UseKey naming another key is refused", async () => {
    const publicKey = `<t:KeyType>${NS.t13}/PublicKey</t:KeyType>`;
    const path = "/trust/13/certificatemixed";
    const action = `${NS.t13}/RST/Issue`;
    const headers = soapHeaders("1.2", action);
    const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: rst("13", "urn:example:secure-rp", TT.saml2, publicKey), action, to: ORIGIN + path });
    const r = await send({ path, headers, body });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain(`<wst:KeyType>${NS.t13}/PublicKey</wst:KeyType>`);
    // The token is encrypted for secure-rp: open it with its published key and find alice-client's certificate.
    const encrypted = byTag(r.doc, "http://www.w3.org/2001/04/xmlenc#", "EncryptedData")[0]!;
    const { key } = await secureRp();
    const { plaintext } = await decryptElement(rootOf(new XMLSerializer().serializeToString(encrypted)), key);
    const assertion = strictUtf8.decode(plaintext);
    expect(assertion).toContain("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
    expect(assertion).toContain(ALICE_CERT.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "").slice(0, 64));

    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
    const useKey = `<t:UseKey><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="http://www.w3.org/2009/xmldsig11#"><dsig11:NamedCurve URI="urn:oid:1.2.840.10045.3.1.7"/><dsig11:PublicKey>${btoa(String.fromCharCode(...raw))}</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></ds:KeyInfo></t:UseKey>`;
    const other = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: rst("13", "urn:example:secure-rp", TT.saml2, publicKey + useKey), action, to: ORIGIN + path });
    const refused = await send({ path, headers, body: other });
    expect(faultCode(refused.text)).toBe("wst:InvalidRequest");
    expect(refused.text).toContain("must be the key that signed this request");

    // With no KeyType the UseKey still asks for a key binding (WS-Trust 1.3 §9.2): the same
    // check applies; with KeyType Bearer it contradicts the request. Never a bearer token.
    for (const [keyType, says] of [["", "must be the key that signed this request"], [`<t:KeyType>${NS.t13}/Bearer</t:KeyType>`, "KeyType Bearer"]] as const) {
      const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: rst("13", "urn:example:secure-rp", TT.saml2, keyType + useKey), action, to: ORIGIN + path });
      const r = await send({ path, headers, body });
      expect(faultCode(r.text), r.text).toBe("wst:InvalidRequest");
      expect(r.text).toContain(says);
    }
  });
});
