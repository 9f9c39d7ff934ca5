import type { RelyingParty, TokenKind } from "../config/types.ts";
import { invalidRequest } from "../errors.ts";
import { claimName, claimTypeKey, claimUri } from "../token/claim-types.ts";
import { isReservedClaim, newClaims } from "../token/claims.ts";
import type { ClaimName } from "../config/claim-rules.ts";
import { ClaimBudget, type OutputClaim, applyClaimRules, claimNamesEmitted } from "./claim-rules.ts";
import { PROTOCOL_CLAIMS } from "./protocol-claims.ts";
import type { RequestedClaim } from "./types.ts";

/**
 * Releases only the claims the relying party's policy names (all when it has no list; an empty
 * list names none, so releases none), and never
 * one with a protocol meaning: those the token states from what issuance decided, not from what
 * an identity source said. The list names claim types as requests, drops and federation
 * metadata do: `email` and `…/emailaddress` (in any case) release the same claims.
 */
export function releaseClaims(rp: RelyingParty, claims: Record<string, string[]>): Record<string, string[]> {
  const listed = releaseList(rp);
  const out = newClaims();
  for (const [name, values] of Object.entries(claims)) {
    if (isReservedClaim(name)) continue;
    if (!listed || listed.has(claimTypeKey(name))) out[name] = values.slice();
  }
  return out;
}

/** The claim types a party's list names, keyed once per (immutable) configured party. */
function releaseList(rp: RelyingParty): ReadonlySet<string> | undefined {
  if (!rp.claims) return undefined;
  let keys = releaseLists.get(rp);
  if (keys === undefined) releaseLists.set(rp, (keys = new Set(rp.claims.map(claimTypeKey))));
  return keys;
}
const releaseLists = new WeakMap<RelyingParty, ReadonlySet<string>>();

/** Whether a claim is the one a request names: by its claim type (any case) or its JWT name. */
function isNamed(c: ClaimName, uri: string): boolean {
  return claimTypeKey(c.saml) === claimTypeKey(uri) || c.jwt === uri;
}

/** Whether the values a request asks for are there: any value when it names none, else one of them. */
function hasWanted(values: readonly string[], wanted: readonly string[] | undefined): boolean {
  return wanted === undefined ? values.length > 0 : values.some((v) => wanted.includes(v));
}

/**
 * Requested claims (WS-Trust wst:Claims) narrow what the relying party's policy and rules give:
 * the token carries only the claims asked for (as Apache CXF's STS and AD FS do), each with only
 * the asked-for values when the request names some. A protocol claim (`stated`: the actor,
 * may_act, scope, client) is there when the token states it, with one of the asked-for values;
 * a request never narrows one, since it is what issuance decided, not what the subject holds. A
 * required claim that is not there refuses the request, naming it; an optional one is left out.
 * Nothing is ever added.
 */
function narrow(
  given: readonly OutputClaim[],
  requested: readonly RequestedClaim[],
  stated: Readonly<Record<string, readonly string[]>>,
  missing: (r: RequestedClaim) => never = refuseMissing,
): OutputClaim[] {
  const out: OutputClaim[] = [];
  for (const r of requested) {
    const wanted = r.values;
    const fact = PROTOCOL_CLAIMS.find((p) => isNamed(p, r.uri));
    let found = false;
    if (fact) found = hasWanted(stated[fact.saml] ?? [], wanted);
    else for (const c of given) {
      if (!isNamed(c, r.uri)) continue;
      const values = wanted === undefined ? c.values : c.values.filter((v) => wanted.includes(v));
      if (values.length === 0) continue;
      found = true;
      const have = out.find((o) => o.saml === c.saml && o.jwt === c.jwt);
      if (!have) out.push({ saml: c.saml, jwt: c.jwt, values: values.slice() });
      else for (const v of values) if (!have.values.includes(v)) have.values.push(v);
    }
    if (!found && !r.optional) missing(r);
  }
  return out;
}

function refuseMissing(r: RequestedClaim): never {
  const why = r.values === undefined ? "is not available to this relying party for this subject" : "does not have the requested value for this relying party and subject";
  throw invalidRequest(`The required claim '${r.uri.slice(0, 200)}' ${why}.`);
}

/**
 * Refuses requested claims that do not describe the claims a token already states — a required
 * claim it does not carry (or not with the asked-for value), or a claim or value it carries that
 * the request would leave out — as a request Renew cannot honour: a renewal keeps the token's
 * claims, as Apache CXF's STS renews an assertion with its statements unchanged. A request that
 * describes the token (the one it was issued for, which clients such as CXF's send again) passes.
 * `claims` are the token's as read back (verify-own.ts); the relying party's rules tell a JWT
 * name's claim type (`roles` is the WIF role) and a SAML name's JWT name.
 */
export function refuseOtherClaims(
  rp: RelyingParty,
  kind: TokenKind,
  claims: Readonly<Record<string, readonly string[]>>,
  requested: readonly RequestedClaim[],
  stated: Readonly<Record<string, readonly string[]>>,
): void {
  const saml = kind === "saml2" || kind === "saml1";
  // The names rules give under `as` (a claim passed through keeps its own name in both formats).
  const ruled = rp.claimRules ? claimNamesEmitted(rp.claimRules, []) : [];
  const given = Object.entries(claims).map(([name, values]): OutputClaim => {
    const r = saml ? ruled.find((c) => claimTypeKey(c.saml) === claimTypeKey(name)) : ruled.find((c) => c.jwt === name);
    return { saml: saml ? name : (r?.saml ?? name), jwt: saml ? (r?.jwt ?? claimName(name)) : name, values: values.slice() };
  });
  const refuse = (why: string): never => {
    throw invalidRequest(`wst:Claims asks for other claims than the token to renew states (${why}): a renewal keeps the token's claims (Validate transforms a token into one with other claims).`);
  };
  const kept = narrow(given, requested, stated, (r) => refuse(`it does not state the required claim '${r.uri.slice(0, 200)}'${r.values === undefined ? "" : " with the requested value"}`));
  for (const g of given) {
    const values = kept.find((k) => k.saml === g.saml && k.jwt === g.jwt)?.values ?? [];
    const left = g.values.filter((v) => !values.includes(v));
    if (left.length > 0) refuse(`the request leaves out ${values.length === 0 ? "its claim" : "values of its claim"} '${(saml ? claimUri(g.saml) : g.jwt).slice(0, 200)}'`);
  }
}

/**
 * The claims named for the token's format: the SAML attribute name (the claim-type table's URI
 * for a table name) or the JWT claim name. Claims one format names alike are one claim there,
 * their values merged: in SAML a table name and its URI (a user holding both `email` and
 * `…/emailaddress`), and URIs differing only in letter case, which relying parties read as one
 * claim type — two attributes of one name would leave each reader to pick one. JWT claim names
 * are case-sensitive (RFC 7519 §4), so there only equal names merge.
 */
export function formatNames(given: readonly OutputClaim[], kind: TokenKind): Record<string, string[]> {
  const saml = kind === "saml2" || kind === "saml1";
  const named = new Map<string, string>(); // key → the name the first claim of that key gave
  const out = newClaims();
  for (const c of given) {
    const key = saml ? claimTypeKey(c.saml) : c.jwt;
    const name = named.get(key) ?? (saml ? claimUri(c.saml) : c.jwt);
    named.set(key, name);
    const have = out[name];
    if (!have) out[name] = c.values.slice();
    else for (const v of c.values) if (!have.includes(v)) have.push(v);
  }
  return out;
}

/**
 * The claims a token states about its subject, decided in one place for every operation and
 * both protocols: the relying party's release list, then its claim rules (when it has any; else
 * the released claims as they are), then the requested claims, then the token format's names
 * ({@link formatNames}). What the policy gives is bounded ({@link ClaimBudget}): past
 * MAX_TOKEN_CLAIM_CHARS the request is refused. `stated`: the protocol claims the token will state
 * (protocol-claims.ts), which requests may name; none when not given.
 */
export function decideClaims(
  rp: RelyingParty,
  kind: TokenKind,
  subject: string,
  claims: Record<string, string[]>,
  requested: readonly RequestedClaim[] | undefined,
  stated: Readonly<Record<string, readonly string[]>> = {},
): Record<string, string[]> {
  const released = releaseClaims(rp, claims);
  const budget = new ClaimBudget();
  let given: OutputClaim[] = rp.claimRules
    ? applyClaimRules(rp.claimRules, subject, released, budget)
    : Object.entries(released).map(([name, values]) => {
        budget.spend(values.reduce((n, v) => n + v.length, name.length));
        return { saml: name, jwt: name, values };
      });
  if (requested) given = narrow(given, requested, stated);
  return formatNames(given, kind);
}
