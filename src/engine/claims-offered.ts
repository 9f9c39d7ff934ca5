import type { ResolvedConfig } from "../config/types.ts";
import { claimUri } from "../token/claim-types.ts";

/**
 * The attributes our SAML tokens may carry beside the person's claims (src/engine/mint.ts): the
 * actor of a delegation, the OAuth scope and client.
 */
const PROTOCOL_ATTRIBUTES = ["actor", "scope", "client_id"];

/**
 * The claim types (SAML attribute names, the claim-type table applied) that some relying party
 * can get, for federation metadata's fed:ClaimTypesOffered: each party's release list — or every
 * claim a configured user holds — through its claim rules, then the protocol attributes. Derived
 * from the configuration alone; what a trusted issuer's subject brings cannot be listed ahead.
 */
export function offeredClaimTypes(config: ResolvedConfig): string[] {
  const held = new Set<string>();
  for (const u of config.users.values()) for (const name of Object.keys(u.claims)) held.add(name);
  const out = new Set<string>();
  for (const rp of config.relyingParties) {
    const input = rp.claims ?? [...held];
    if (!rp.claimRules) {
      for (const n of input) out.add(claimUri(n));
      continue;
    }
    const given = new Map<string, string>(); // SAML name → JWT name, in rule order
    for (const r of rp.claimRules) {
      if (r.kind === "all") for (const n of input) given.set(claimUri(n), n);
      else if (r.kind === "drop") {
        for (const [saml, jwt] of given) if (r.names.has(saml) || r.names.has(jwt)) given.delete(saml);
      } else given.set(claimUri(r.as.saml), r.as.jwt);
    }
    for (const saml of given.keys()) out.add(saml);
  }
  for (const n of PROTOCOL_ATTRIBUTES) out.add(claimUri(n));
  return [...out];
}
