import type { KeyRing } from "../keys/keyring.ts";
import { XSI_NS } from "../xml/dom.ts";
import { addTreeChild as addChild, setTreeQualifiedAttribute, treeElement } from "../xml/tree-writer.ts";
import { type AssertionInput, nameIdAttributes, samlTime } from "./assertion-input.ts";
import { saml2AuthnClass } from "./authn-method.ts";
import { attributeNameFormat, claimUri } from "./claims.ts";
import { SAML2_BEARER, SAML2_HOLDER_OF_KEY, SAML2_NS } from "./ns.ts";
import { signToken } from "./sign-token.ts";

const S = SAML2_NS;

/**
 * Builds and signs a SAML 2.0 bearer or holder-of-key assertion (SAML 2.0 core §2.3.3). The assertion declares
 * its own namespaces, so its bytes verify when cut out of the response.
 */
export async function buildSaml2Assertion(a: AssertionInput, keys: KeyRing): Promise<string> {
  const issued = samlTime(a.issuedAt);
  const expires = samlTime(a.expires);
  // notBefore and authnInstant are often the issue instant itself: formatted once.
  const same = (d: Date) => (d.getTime() === a.issuedAt.getTime() ? issued : samlTime(d));
  const root = treeElement(S, "saml:Assertion", { ID: a.id, IssueInstant: issued, Version: "2.0" });
  const issuer = addChild(root, S, "saml:Issuer", null, a.issuer);

  const subject = addChild(root, S, "saml:Subject");
  addChild(subject, S, "saml:NameID", nameIdAttributes(a, true), a.subject);
  const sc = addChild(subject, S, "saml:SubjectConfirmation", { Method: a.holderOfKey ? SAML2_HOLDER_OF_KEY : SAML2_BEARER });
  // SAML 2.0 profiles §4.1.4.2: bearer confirmation data carries NotOnOrAfter. No Recipient,
  // Address or InResponseTo: those belong to the Web Browser SSO profile's <Response>, which this
  // STS does not speak, and .NET's Saml2SecurityTokenHandler (WIF ID4157, Microsoft.IdentityModel
  // IDX11114) refuses a token that states any of them. The audience names the relying party.
  const data = addChild(sc, S, "saml:SubjectConfirmationData", { NotOnOrAfter: expires });
  if (a.holderOfKey) {
    // SAML 2.0 profiles §3.1: holder-of-key data is a KeyInfoConfirmationDataType holding the
    // key in ds:KeyInfo. The type's prefix is the assertion's own, declared on the root.
    setTreeQualifiedAttribute(data, "xsi", XSI_NS, "type", "saml:KeyInfoConfirmationDataType");
    data.children.push(a.holderOfKey);
  }

  const cond = addChild(root, S, "saml:Conditions", {
    NotBefore: same(a.notBefore),
    NotOnOrAfter: expires,
  });
  addChild(addChild(cond, S, "saml:AudienceRestriction"), S, "saml:Audience", null, a.audience);

  const names = Object.keys(a.claims).filter((n) => a.claims[n]!.length > 0);
  if (names.length > 0) {
    const st = addChild(root, S, "saml:AttributeStatement");
    for (const n of names) {
      const name = claimUri(n);
      const attr = addChild(st, S, "saml:Attribute", { Name: name, NameFormat: attributeNameFormat(name) });
      for (const v of a.claims[n]!) addChild(attr, S, "saml:AttributeValue", null, v);
    }
  }

  const authn = addChild(root, S, "saml:AuthnStatement", {
    AuthnInstant: same(a.authnInstant),
    SessionIndex: a.id,
  });
  addChild(addChild(authn, S, "saml:AuthnContext"), S, "saml:AuthnContextClassRef", null, saml2AuthnClass(a.authnMethod));

  // SAML 2.0 core §5.3: the ds:Signature follows saml:Issuer.
  return signToken(root, a.id, a.signatureAlgorithm, keys, issuer);
}
