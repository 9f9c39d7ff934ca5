import type { KeyRing } from "../keys/keyring.ts";
import { type TreeElement, addTreeChild as addChild, treeElement } from "../xml/tree-writer.ts";
import { type AssertionInput, nameIdAttributes, samlTime } from "./assertion-input.ts";
import { saml1AuthnMethod } from "./authn-method.ts";
import { claimUri, saml11AttributeParts } from "./claims.ts";
import { SAML1_BEARER, SAML1_HOLDER_OF_KEY, SAML1_NS } from "./ns.ts";
import { signToken } from "./sign-token.ts";

const S = SAML1_NS;

function addSubject(parent: TreeElement, a: AssertionInput): void {
  const subject = addChild(parent, S, "saml:Subject");
  addChild(subject, S, "saml:NameIdentifier", nameIdAttributes(a, false), a.subject);
  const sc = addChild(subject, S, "saml:SubjectConfirmation");
  addChild(sc, S, "saml:ConfirmationMethod", null, a.holderOfKey ? SAML1_HOLDER_OF_KEY : SAML1_BEARER);
  // SAML 1.1 core §2.4.2.3: the holder's key follows the method, in every statement's Subject.
  if (a.holderOfKey) sc.children.push(a.holderOfKey);
}

/**
 * Builds and signs a SAML 1.1 bearer or holder-of-key assertion (SAML 1.1 core §2.3.2). SAML 1.1 has no
 * Issuer element: the issuer is the `Issuer` attribute; the signature is the last child.
 */
export async function buildSaml1Assertion(a: AssertionInput, keys: KeyRing): Promise<string> {
  const root = treeElement(S, "saml:Assertion", {
    MajorVersion: "1",
    MinorVersion: "1",
    AssertionID: a.id,
    Issuer: a.issuer,
    IssueInstant: samlTime(a.issuedAt),
  });

  const cond = addChild(root, S, "saml:Conditions", {
    NotBefore: samlTime(a.notBefore),
    NotOnOrAfter: samlTime(a.expires),
  });
  addChild(addChild(cond, S, "saml:AudienceRestrictionCondition"), S, "saml:Audience", null, a.audience);

  const names = Object.keys(a.claims).filter((n) => a.claims[n]!.length > 0);
  if (names.length > 0) {
    const st = addChild(root, S, "saml:AttributeStatement");
    addSubject(st, a);
    for (const n of names) {
      const p = saml11AttributeParts(claimUri(n));
      const attr = addChild(st, S, "saml:Attribute", { AttributeName: p.name, AttributeNamespace: p.namespace });
      for (const v of a.claims[n]!) addChild(attr, S, "saml:AttributeValue", null, v);
    }
  }
  const authn = addChild(root, S, "saml:AuthenticationStatement", {
    AuthenticationMethod: saml1AuthnMethod(a.authnMethod),
    AuthenticationInstant: samlTime(a.authnInstant),
  });
  addSubject(authn, a);

  return signToken(root, a.id, a.signatureAlgorithm, keys, null);
}
