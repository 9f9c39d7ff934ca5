import type { ResolvedConfig } from "../config/types.ts";
import { claimUri } from "../token/claim-types.ts";
import { logEvent } from "../web/log.ts";
import type { StsContext } from "./types.ts";

/**
 * The attributes our SAML tokens may carry beside the person's claims (src/engine/mint.ts): the
 * actor of a delegation and the party that alone may act, the OAuth scope and client.
 */
const PROTOCOL_ATTRIBUTES = ["actor", "may_act", "scope", "client_id"];

/**
 * The claim types (SAML attribute names, the claim-type table applied) that some relying party
 * can get, for federation metadata's fed:ClaimTypesOffered: each party's release list — or every
 * claim a configured user holds, or a directory user (`directoryNames`) — through its claim
 * rules, then the protocol attributes. What a trusted issuer's subject brings cannot be listed
 * ahead.
 */
export function offeredClaimTypes(config: ResolvedConfig, directoryNames: readonly string[] = []): string[] {
  const held = new Set<string>(directoryNames);
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

/**
 * The claim types the realm offers now: {@link offeredClaimTypes} with the names its user
 * directory's users hold (one indexed read). A directory that cannot be read leaves its names
 * out, logged: listing fewer claim types misleads no relying party into trusting one.
 */
export async function claimTypesOffered(ctx: StsContext): Promise<string[]> {
  let names: string[] = [];
  if (ctx.directory) {
    try {
      names = await ctx.directory.claimNames();
    } catch (e) {
      logEvent({ level: "error", event: "directory_unavailable", message: `Federation metadata lists no directory claim names: the user directory (USERS_DB) could not be read: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return offeredClaimTypes(ctx.config, names);
}
