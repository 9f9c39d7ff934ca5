import type { Element } from "@xmldom/xmldom";
import type { RequestedClaim } from "../engine/types.ts";
import { invalidRequest } from "../errors.ts";
import { text } from "../soap/envelope.ts";
import { childElements, strayText, valueText } from "../xml/dom.ts";
import { parseXsBoolean } from "../xml/xs.ts";

/** The identity dialect (ISIP 1.5, WCF's `ClaimTypeRequirement`): `ic:ClaimType Uri Optional`. */
export const IDENTITY_DIALECT = "http://schemas.xmlsoap.org/ws/2005/05/identity";
/** WS-Federation 1.2 §9.3 authorization dialect: `auth:ClaimType Uri Optional` with `auth:Value`. */
export const AUTHORIZATION_DIALECT = "http://docs.oasis-open.org/wsfed/authorization/200706";

/** At most this many claim types in one request (a request names what a token may carry: a few). */
export const MAX_REQUESTED_CLAIMS = 64;
/** At most this many characters in a claim-type URI or a requested value. */
export const MAX_CLAIM_URI_LENGTH = 512;
export const MAX_CLAIM_VALUE_LENGTH = 1024;

/** Elements of an auth:ClaimType that describe it to a person; they ask for nothing. */
const DESCRIPTIVE = new Set(["DisplayName", "Description", "DisplayValue"]);

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function readClaimType(el: Element, dialect: string): RequestedClaim {
  const uri = el.getAttribute("Uri") ?? "";
  if (uri.trim() === "") throw invalidRequest("A requested ClaimType must name its claim in a Uri attribute.");
  if (uri.length > MAX_CLAIM_URI_LENGTH) throw invalidRequest(`A requested claim's Uri may have at most ${MAX_CLAIM_URI_LENGTH} characters.`);
  let optional = false;
  if (el.hasAttribute("Optional")) {
    const v = parseXsBoolean(el.getAttribute("Optional") ?? "");
    if (v === undefined) throw invalidRequest(`The Optional attribute of the requested claim '${clip(uri)}' must be true, false, 1 or 0.`);
    optional = v;
  }
  const values: string[] = [];
  for (const c of childElements(el)) {
    // auth:ClaimType (WS-Federation 1.2 §9.3): at most one auth:Value constrains the claim; the
    // other value forms (encrypted, structured, constrained) are not supported.
    if (dialect === AUTHORIZATION_DIALECT && c.namespaceURI === AUTHORIZATION_DIALECT && DESCRIPTIVE.has(c.localName ?? "")) continue;
    if (dialect === AUTHORIZATION_DIALECT && c.namespaceURI === AUTHORIZATION_DIALECT && c.localName === "Value" && values.length === 0) {
      // xs:string: text only. `ad<x/>min` would otherwise be read as "admin".
      if (valueText(c, { cdata: true }) === undefined) throw invalidRequest(`The auth:Value of the requested claim '${clip(uri)}' must be text only (no elements or comments).`);
      const v = text(c);
      if (v.length > MAX_CLAIM_VALUE_LENGTH) throw invalidRequest(`A requested claim's auth:Value may have at most ${MAX_CLAIM_VALUE_LENGTH} characters.`);
      values.push(v);
      continue;
    }
    throw invalidRequest(`The requested claim '${clip(uri)}' carries an element this STS does not support (${clip(c.localName ?? "")}); only one auth:Value may constrain it.`);
  }
  return values.length > 0 ? { uri, optional, values } : { uri, optional };
}

/**
 * Reads wst:Claims (WS-Trust 1.3 §4.1 and the February 2005 draft alike) in the identity or the
 * authorization dialect into protocol-free requested claims. Bounded: at most 64 claim types, a
 * Uri of at most 512 characters. Anything else — another dialect, another element, a claim type
 * without Uri, text — is refused; messages quote what was sent as text, never as markup. A wst:Claims
 * that is empty asks for nothing in particular: undefined, as if it were absent, so
 * the relying party's policy decides (rather than a token narrowed to no claims at all).
 */
export function readClaimsRequest(el: Element): RequestedClaim[] | undefined {
  const dialect = el.getAttribute("Dialect") ?? "";
  if (dialect !== IDENTITY_DIALECT && dialect !== AUTHORIZATION_DIALECT) {
    throw invalidRequest(dialect === ""
      ? `wst:Claims must name its Dialect (${IDENTITY_DIALECT} or ${AUTHORIZATION_DIALECT}).`
      : `Unsupported wst:Claims Dialect '${clip(dialect)}': this STS reads ${IDENTITY_DIALECT} and ${AUTHORIZATION_DIALECT}.`);
  }
  // Text in wst:Claims is no request this STS can read (a claim type written as text, or a
  // dialect that holds a query string): refused, rather than read as no claims at all, which
  // would give a token of every claim the policy releases.
  const stray = strayText(el);
  if (stray !== undefined) {
    throw invalidRequest(`wst:Claims in the dialect ${dialect} names its claims in ClaimType elements; it holds text ('${clip(stray.trim())}').`);
  }
  const kids = childElements(el);
  if (kids.length > MAX_REQUESTED_CLAIMS) throw invalidRequest(`wst:Claims may name at most ${MAX_REQUESTED_CLAIMS} claim types.`);
  const out: RequestedClaim[] = [];
  for (const c of kids) {
    if (c.namespaceURI !== dialect || c.localName !== "ClaimType") {
      throw invalidRequest(`wst:Claims in the dialect ${dialect} holds only ClaimType elements of that namespace; it holds ${clip(c.localName ?? "")}.`);
    }
    out.push(readClaimType(c, dialect));
  }
  return out.length > 0 ? out : undefined;
}
