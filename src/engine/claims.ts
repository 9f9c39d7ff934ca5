import type { RelyingParty } from "../config/types.ts";

/** Releases only the claims the relying party's policy names (all when it names none). */
export function releaseClaims(rp: RelyingParty, claims: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(claims)) {
    if (rp.claims === undefined || rp.claims.includes(name)) out[name] = values.slice();
  }
  return out;
}
