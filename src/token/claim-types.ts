/**
 * The one claim-type table: claim names used inside the STS (short, OIDC-like) and the
 * claim-type URIs published in federation metadata and written into SAML attributes, as AD FS
 * and WIF clients expect them. It sits below the configuration so that claim rules can be
 * checked against it at start (a rule must not produce a protocol claim under its URI).
 */
export interface ClaimType {
  /** Internal short name, e.g. `email`. */
  name: string;
  /** Claim-type URI (SAML 2.0 attribute Name, metadata ClaimType Uri). */
  uri: string;
  displayName: string;
  description: string;
}

export const CLAIM_TYPES: readonly ClaimType[] = [
  {
    name: "email",
    uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    displayName: "E-Mail Address",
    description: "The e-mail address of the user",
  },
  {
    name: "given_name",
    uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    displayName: "Given Name",
    description: "The given name of the user",
  },
  {
    name: "family_name",
    uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    displayName: "Surname",
    description: "The surname of the user",
  },
  {
    name: "name",
    uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    displayName: "Name",
    description: "The unique name of the user",
  },
  {
    name: "upn",
    uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
    displayName: "UPN",
    description: "The user principal name (UPN) of the user",
  },
  {
    name: "role",
    uri: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    displayName: "Role",
    description: "A role the user holds",
  },
  {
    // WIF/AD FS claim type for delegation (WS-Trust ActAs): the party acting for the subject.
    // A SAML assertion carries the delegation chain here, one name per value, the party acting
    // now first; a JWT carries it nested in `act` (RFC 8693 §4.1).
    name: "actor",
    uri: "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor",
    displayName: "Actor",
    description: "The party acting for the subject (delegation)",
  },
  {
    // A SAML assertion has no element for the OAuth facts a JWT carries as `scope` and
    // `client_id`; ours carry them as attributes, so a token keeps its scope ceiling and its
    // client (who may revoke it) in either format. The scope URI is the one .NET and AD FS
    // map `scp` to; the client has no common claim type, so it is named in our namespace.
    name: "scope",
    uri: "http://schemas.microsoft.com/identity/claims/scope",
    displayName: "Scope",
    description: "An OAuth scope the token grants (one value per scope)",
  },
  {
    name: "client_id",
    uri: "urn:edge-sts:claims/client_id",
    displayName: "OAuth client",
    description: "The OAuth client the token was issued to",
  },
  {
    // RFC 8693 §4.4 `may_act`, which SAML has no element for either: the one party that may
    // act for the subject, carried from the token this one was made from.
    name: "may_act",
    uri: "urn:edge-sts:claims/may_act",
    displayName: "May act",
    description: "The only party that may act for the subject (delegation)",
  },
  {
    name: "groups",
    uri: "http://schemas.xmlsoap.org/claims/Group",
    displayName: "Group",
    description: "A group the user belongs to",
  },
];

/**
 * A claim-type URI as relying parties compare it: ignoring case, over the whole URI. .NET's
 * claims (`Claim.Type`, `ClaimsIdentity.FindFirst`) and WIF compare types with
 * OrdinalIgnoreCase, and Java's `equalsIgnoreCase` also folds the letters whose upper case is
 * ASCII (`ſ` as `s`, the Kelvin sign as `k`): folding to upper case, then to lower case, makes
 * every one of those spellings one key.
 */
export function foldClaimCase(s: string): string {
  return s.toUpperCase().toLowerCase();
}

const BY_NAME = new Map(CLAIM_TYPES.map((c) => [c.name, c]));
const BY_URI = new Map(CLAIM_TYPES.map((c) => [foldClaimCase(c.uri), c]));

/**
 * The URI for a claim name: a table name's, or the table's spelling of a table URI written in
 * another case; unknown names are used as they are (they may already be URIs).
 */
export function claimUri(name: string): string {
  return BY_NAME.get(name)?.uri ?? BY_URI.get(foldClaimCase(name))?.uri ?? name;
}

/** The internal name for a claim URI, in any case; unknown URIs are kept as they are. */
export function claimName(uri: string): string {
  return BY_URI.get(foldClaimCase(uri))?.name ?? uri;
}

/**
 * What makes two claim names one claim type: a table name and its URI are one, and URIs are
 * one in any case (a relying party reads `…/EmailAddress` as `…/emailaddress`). Other names
 * are JWT claim names, which are case-sensitive (RFC 7519 §4), and are their own key.
 */
export function claimTypeKey(name: string): string {
  const uri = claimUri(name);
  return isUriName(uri) ? foldClaimCase(uri) : uri;
}

/**
 * Whether a claim name is written as an absolute URI (a scheme, a colon, more): such names are
 * claim types compared ignoring case. Which SAML NameFormat it gets is src/saml/claims.ts
 * `attributeNameFormat`.
 */
export function isUriName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S/.test(name);
}
