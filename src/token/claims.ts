import { claimUri, foldClaimCase } from "./claim-types.ts";

/**
 * The one set of claim names with protocol meaning. A user's claims in the configuration may not
 * use them (they would overwrite protocol data in the tokens we mint), and no token we read —
 * JWT or SAML, ours or a trusted issuer's — has them taken for attributes of the person: RFC 7519 §4.1 (iss,
 * sub, aud, exp, nbf, iat, jti), RFC 8693 §4 (act, may_act, scope, client_id), RFC 9068 §2.2
 * (auth_time), RFC 7800 §3 (cnf), OpenID Connect Core §2 and §3.3.2.11 (azp, nonce, at_hash,
 * c_hash, acr, amr: how the subject authenticated is ours to state) and Front-/Back-Channel
 * Logout (sid). `actor` is the attribute our SAML tokens carry their actor in (the WIF actor claim
 * type, src/saml/claims.ts): from anywhere but our own signed token it would be read back as a
 * delegation nobody granted. `actort`, `nameid`, `scp` and `authmethod` are the JWT names .NET's
 * token handlers map on reading (their default inbound claim type map) to the actor,
 * nameidentifier, scope and authenticationmethod claim types: in a JWT of ours they would be a
 * delegation, a second subject, a scope and a sign-in method to such a relying party. Ask
 * {@link isReservedClaim}, which also knows these names by their claim-type URIs.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
  "act", "may_act", "scope", "client_id", "auth_time", "cnf",
  "azp", "nonce", "at_hash", "c_hash", "acr", "amr", "sid",
  "actor",
  "actort", "nameid", "scp", "authmethod",
]);

/**
 * Claim types that relying parties' frameworks make from a token's protocol elements, not its
 * attributes: .NET and WIF read the subject (SAML NameID, JWT `sub`) as `nameidentifier` and the
 * AuthnStatement as `authenticationmethod` / `authenticationinstant`, and AD FS writes `amr`
 * under the last. An attribute of that type would stand beside them — a second subject, or a
 * sign-in method that never happened — so none is ever a claim of the person.
 */
const RESERVED_CLAIM_URIS: ReadonlySet<string> = new Set([
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant",
  "http://schemas.microsoft.com/claims/authnmethodsreferences",
]);

/** Every reserved name and claim-type URI, case folded. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(
  [...RESERVED_CLAIMS, ...[...RESERVED_CLAIMS].map(claimUri), ...RESERVED_CLAIM_URIS].map(foldClaimCase),
);

/**
 * Whether a claim name has a protocol meaning: by its name, or by the claim-type URI a SAML token
 * writes it under (a claim named `http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor`
 * becomes the very attribute our tokens state their actor in, and is read back as one). Case is
 * ignored over the whole name ({@link foldClaimCase}): relying parties compare claim types so,
 * and `HTTP://SCHEMAS.XMLSOAP.ORG/ws/2009/09/identity/claims/Actor` is the actor to them; a
 * JWT claim named `Scope` is refused too, as one a reader might take for `scope`.
 */
export function isReservedClaim(name: string): boolean {
  return RESERVED_KEYS.has(foldClaimCase(name));
}

/**
 * An empty claims map. It has no prototype: claim names come from outside (users, directories,
 * partners' tokens), and one named `constructor`, `toString` or `__proto__` must be a claim like
 * any other, not a property that every plain object already has. Build every claims map that is
 * looked up by name with this.
 */
export function newClaims(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>;
}

/** The claims that are attributes of the person: every {@link isReservedClaim} name left out. */
export function personClaims(claims: Readonly<Record<string, string[]>>): Record<string, string[]> {
  const out = newClaims();
  for (const [k, v] of Object.entries(claims)) if (!isReservedClaim(k)) out[k] = v;
  return out;
}

/**
 * Whether a claim name a partner's token states names nothing: empty or only white space. SAML
 * 2.0 core §1.3.1 (SAML 1.1 alike) has a name hold a non-whitespace character, and an attribute
 * `Name` is an xs:anyURI, whose white space collapses (XML white space only: `\u00a0` is a
 * character of the name). Carried on, it would be a claim with no name in every token made from
 * it: a SAML attribute .NET's readers refuse the whole token for, a JWT member named "". A token
 * stating one is refused, whatever its format.
 */
export function isBlankClaimName(name: string): boolean {
  // XML 1.0 §2.3 S, as src/xml/xs.ts trimXmlSpace strips it (xml/ is this layer's sibling, not
  // below it). Anchored at both ends, one character class: linear in the name's length.
  return /^[ \t\r\n]*$/.test(name);
}

/**
 * Whether a JWT payload names a claim by a blank ({@link isBlankClaimName}): among its own
 * members, or the members of the claim sets RFC 8693 nests in it — `act` at every depth (§4.1:
 * each actor is a set of claims about that party) and `may_act` (§4.4), with whatever `act`
 * or `may_act` they nest in turn. The same rule at every level: a nested link is the same kind
 * of claim set as the top, carried into the chain of every token made from it. Walked with a
 * work list, not recursion, so a hostile depth costs only its size.
 */
export function statesBlankClaimName(payload: Record<string, unknown>): boolean {
  const sets: unknown[] = [payload];
  while (sets.length > 0) {
    const o = sets.pop();
    if (typeof o !== "object" || o === null || Array.isArray(o)) continue;
    for (const [name, value] of Object.entries(o)) {
      if (isBlankClaimName(name)) return true;
      if (name === "act" || name === "may_act") sets.push(value);
    }
  }
  return false;
}
