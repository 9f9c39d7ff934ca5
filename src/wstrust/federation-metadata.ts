import { XMLSerializer } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import type { KeyRing } from "../keys/keyring.ts";
import { CLAIM_TYPES } from "../saml/claims.ts";
import { newSamlId } from "../saml/assertion-input.ts";
import { SAML1_TOKEN_TYPE, SAML2_METADATA_NS, SAML2_TOKEN_TYPE } from "../saml/ns.ts";
import { RSA_SHA256, SHA256 } from "../xmldsig/algorithms.ts";
import { signEnveloped } from "../xmldsig/sign.ts";
import { WSA10_NS } from "../soap/ns.ts";
import { TRUST_ENDPOINTS } from "./mex.ts";
import { JWT_TOKEN_TYPE } from "./token-types.ts";
import { addChild, createRoot } from "../xml/build.ts";
import { DSIG_NS } from "../xml/dom.ts";

const MD = SAML2_METADATA_NS;
const FED_NS = "http://docs.oasis-open.org/wsfed/federation/200706";
const AUTH_NS = "http://docs.oasis-open.org/wsfed/authorization/200706";
const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

function keyDescriptors(parent: Element, keys: KeyRing): void {
  // Every certificate in use: current, next (published ahead of rotation) and previous.
  for (const k of keys.published()) {
    const kd = addChild(parent, MD, "md:KeyDescriptor", { use: "signing" });
    const ki = addChild(kd, DSIG_NS, "ds:KeyInfo");
    addChild(addChild(ki, DSIG_NS, "ds:X509Data"), DSIG_NS, "ds:X509Certificate", null, k.certificateBase64);
  }
}

function endpoint(parent: Element, qname: string, address: string): void {
  const e = addChild(parent, FED_NS, qname);
  addChild(addChild(e, WSA10_NS, "wsa:EndpointReference"), WSA10_NS, "wsa:Address", null, address);
}

/**
 * WS-Federation 1.2 §3.1 metadata: an md:EntityDescriptor whose entityID is the issuer, with a
 * fed:SecurityTokenServiceType role listing signing certificates, token types, claim types
 * and the WS-Trust endpoints; signed (enveloped) with the current RSA key.
 */
export async function buildFederationMetadata(issuer: string, origin: string, keys: KeyRing): Promise<string> {
  const id = newSamlId();
  const root = createRoot(MD, "md:EntityDescriptor", { ds: DSIG_NS, fed: FED_NS, auth: AUTH_NS, xsi: XSI_NS, wsa: WSA10_NS });
  root.setAttribute("ID", id);
  root.setAttribute("entityID", issuer);

  const role = addChild(root, MD, "md:RoleDescriptor", {
    "xsi:type": "fed:SecurityTokenServiceType",
    protocolSupportEnumeration: FED_NS,
  });
  keyDescriptors(role, keys);
  const tto = addChild(role, FED_NS, "fed:TokenTypesOffered");
  for (const uri of [SAML2_TOKEN_TYPE, SAML1_TOKEN_TYPE, JWT_TOKEN_TYPE]) addChild(tto, FED_NS, "fed:TokenType", { Uri: uri });
  const cto = addChild(role, FED_NS, "fed:ClaimTypesOffered");
  for (const c of CLAIM_TYPES) {
    const ct = addChild(cto, AUTH_NS, "auth:ClaimType", { Uri: c.uri, Optional: "true" });
    addChild(ct, AUTH_NS, "auth:DisplayName", null, c.displayName);
    addChild(ct, AUTH_NS, "auth:Description", null, c.description);
  }
  endpoint(role, "fed:SecurityTokenServiceEndpoint", origin + TRUST_ENDPOINTS["13"]);
  endpoint(role, "fed:SecurityTokenServiceEndpoint", origin + TRUST_ENDPOINTS["2005"]);

  await signEnveloped(root, { key: keys.current("RSA"), signatureAlgorithm: RSA_SHA256, digestAlgorithm: SHA256, referenceId: id });
  // SAML 2.0 metadata schema: ds:Signature is the first child of EntityDescriptor. Moving it
  // is safe: the enveloped transform removes it wherever it is, and exclusive c14n of
  // SignedInfo does not depend on its position.
  const sig = root.lastChild as Element;
  root.insertBefore(sig, root.firstChild);
  return `<?xml version="1.0" encoding="utf-8"?>` + new XMLSerializer().serializeToString(root);
}
