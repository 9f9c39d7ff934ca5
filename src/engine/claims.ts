import type { RelyingParty } from "../config/types.ts";
import { RESERVED_CLAIMS } from "../token/claims.ts";

/**
 * Releases only the claims the relying party's policy names (all when it names none), and never
 * one with a protocol meaning: those the token states from what issuance decided, not from what
 * an identity source said.
 */
export function releaseClaims(rp: RelyingParty, claims: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(claims)) {
    if (RESERVED_CLAIMS.has(name)) continue;
    if (rp.claims === undefined || rp.claims.includes(name)) out[name] = values.slice();
  }
  return out;
}
