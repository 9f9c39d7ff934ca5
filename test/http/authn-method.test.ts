/**
 * How the subject authenticated, as each SAML version states it (SAML 2.0 AuthnContextClassRef,
 * SAML 1.1 AuthenticationMethod), black box: from our own sign-ins, from a partner's token in
 * either version's vocabulary, and from a token that states no method at all.
 */
import { describe, expect, it } from "vitest";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import { partnerAssertion, restated } from "../helpers/partner.ts";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, byTag, postSoap } from "../helpers/worker.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import { RP, TX, b64url, exchange, jwtFromTrust, unb64url } from "../oauth/helpers.ts";
import { saml1AuthnMethod, saml2AuthnClass } from "../../src/saml/authn-method.ts";

const AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:";
const AM = "urn:oasis:names:tc:SAML:1.0:am:";

/** The method an assertion states: its AuthnContextClassRef (2.0) or AuthenticationMethod (1.1). */
function statedMethod(xml: string): string | undefined {
  return /<saml:AuthnContextClassRef>([^<]*)</.exec(xml)?.[1] ?? /AuthenticationMethod="([^"]*)"/.exec(xml)?.[1];
}

/** Exchanges a subject token for urn:example:rp's SAML token of `kind`; returns the assertion XML. */
async function samlFor(subject: string, subjectType: string, kind: "saml2" | "saml1"): Promise<string> {
  const r = await exchange({ subject_token: subject, subject_token_type: subjectType, audience: RP, requested_token_type: TX[kind] });
  expect(r.status, r.text).toBe(200);
  return unb64url(r.json.access_token as string);
}

describe("the authentication method a SAML token states", () => {
  it("a certificate sign-in is X509 in SAML 2.0 and X509-PKI in SAML 1.1, never a password", async () => {
    for (const [tokenType, expected] of [[TT.saml2, `${AC}X509`], [TT.saml1, `${AM}X509-PKI`]] as const) {
      const path = "/trust/13/certificatemixed";
      const action = `${NS.t13}/RST/Issue`;
      const payload =
        `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:TokenType>${tokenType}</t:TokenType><t:RequestType>${NS.t13}/Issue</t:RequestType>` +
        `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference xmlns:a="${NS.wsa}"><a:Address>${RP}</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
      const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, soap: "1.2", payload, action, to: ORIGIN + path });
      const r = await postSoap({ path, headers: soapHeaders("1.2", action), body });
      expect(r.status, r.text).toBe(200);
      const ns = tokenType === TT.saml2 ? NS.saml2 : NS.saml1;
      const stated = tokenType === TT.saml2
        ? byTag(r.doc, ns, "AuthnContextClassRef")[0]?.textContent
        : byTag(r.doc, ns, "AuthenticationStatement")[0]?.getAttribute("AuthenticationMethod");
      expect(stated).toBe(expected);
    }
  });

  it("a partner's SAML 1.1 method becomes the SAML 2.0 class that states it, and stays itself in SAML 1.1", async () => {
    const saml1 = await restated(await partnerAssertion({ kind: "saml1" }), (x) => x.replace(/AuthenticationMethod="[^"]*"/, `AuthenticationMethod="${AM}X509-PKI"`));
    expect(statedMethod(await samlFor(b64url(saml1), TX.saml1, "saml2"))).toBe(`${AC}X509`);
    const again = await restated(await partnerAssertion({ kind: "saml1" }), (x) => x.replace(/AuthenticationMethod="[^"]*"/, `AuthenticationMethod="${AM}X509-PKI"`));
    expect(statedMethod(await samlFor(b64url(again), TX.saml1, "saml1"))).toBe(`${AM}X509-PKI`);
  });

  it("a partner's empty or non-URI class is unspecified in either version, not a password", async () => {
    for (const stated of ["", "not a uri"]) {
      for (const kind of ["saml2", "saml1"] as const) {
        const a = await restated(await partnerAssertion(), (x) => x.replace(/<saml:AuthnContextClassRef>[^<]*</, `<saml:AuthnContextClassRef>${stated}<`));
        expect(statedMethod(await samlFor(b64url(a), TX.saml2, kind))).toBe(kind === "saml2" ? `${AC}unspecified` : `${AM}unspecified`);
      }
    }
  });

  it("a partner's class SAML 1.1 has a method for is that method, and AD FS's own URIs pass as they are", async () => {
    const windows = "urn:federation:authentication:windows";
    for (const [cls, saml1] of [[`${AC}Kerberos`, "urn:ietf:rfc:1510"], [`${AC}MobileTwoFactorContract`, `${AM}unspecified`], [windows, windows]] as const) {
      const a = await restated(await partnerAssertion(), (x) => x.replace(/<saml:AuthnContextClassRef>[^<]*</, `<saml:AuthnContextClassRef>${cls}<`));
      expect(statedMethod(await samlFor(b64url(a), TX.saml2, "saml1"))).toBe(saml1);
    }
  });

  it("a JWT, which states no method, makes a SAML token whose method is unspecified", async () => {
    const jwt = await jwtFromTrust();
    expect(statedMethod(await samlFor(jwt, TX.jwt, "saml2"))).toBe(`${AC}unspecified`);
    expect(statedMethod(await samlFor(jwt, TX.jwt, "saml1"))).toBe(`${AM}unspecified`);
  });

  it("each version's vocabulary maps to the other's", () => {
    expect(saml1AuthnMethod(`${AC}PasswordProtectedTransport`)).toBe(`${AM}password`);
    expect(saml1AuthnMethod(`${AC}TLSClient`)).toBe("urn:ietf:rfc:2246");
    expect(saml1AuthnMethod(`${AM}bogus`)).toBe(`${AM}unspecified`);
    expect(saml2AuthnClass(`${AM}password`)).toBe(`${AC}Password`);
    expect(saml2AuthnClass("urn:ietf:rfc:2246")).toBe(`${AC}TLSClient`);
    expect(saml2AuthnClass(`${AC}Smartcard`)).toBe(`${AC}Smartcard`);
    expect(saml2AuthnClass("")).toBe(`${AC}unspecified`);
  });
});
