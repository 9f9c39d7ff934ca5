/**
 * Reading identity claims out of a verified JWT payload: one reserved set for every JWT we read
 * (ours and trusted issuers'), so a claim with protocol meaning is never taken for an attribute
 * of the person.
 */
import { isReservedClaim, newClaims } from "../token/claims.ts";

/**
 * The payload's other claims whose value is a string or an array of strings, as arrays (fresh
 * ones: the payload may be a remembered, frozen one). Anything else (numbers, objects, mixed
 * arrays) is left out.
 */
export function identityClaims(payload: Readonly<Record<string, unknown>>): Record<string, string[]> {
  const claims = newClaims();
  for (const [k, v] of Object.entries(payload)) {
    if (isReservedClaim(k)) continue;
    if (typeof v === "string") claims[k] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) claims[k] = [...(v as string[])];
  }
  return claims;
}
