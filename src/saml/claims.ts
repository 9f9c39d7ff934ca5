/** Claim names in SAML attributes; the claim-type table itself is src/token/claim-types.ts. */
export { CLAIM_TYPES, type ClaimType, claimName, claimUri, isUriName } from "../token/claim-types.ts";

/** Splits a claim URI into SAML 1.1 AttributeNamespace and AttributeName (at the last '/'). */
export function saml11AttributeParts(uri: string): { namespace: string; name: string } {
  const i = uri.lastIndexOf("/");
  return i > 0 && i < uri.length - 1
    ? { namespace: uri.slice(0, i), name: uri.slice(i + 1) }
    : { namespace: "urn:edge-sts:claims", name: uri };
}
