import type { ResolvedConfig } from "../config/types.ts";
import type { ClaimName } from "../config/claim-rules.ts";
import { claimUri } from "../token/claim-types.ts";
import { directoryReachable, directoryUnavailable } from "./directory-outage.ts";
import { claimNamesEmitted } from "./claim-rules.ts";
import { formatNames } from "./claims.ts";
import { PROTOCOL_CLAIMS } from "./protocol-claims.ts";
import type { StsContext } from "./types.ts";

/**
 * The claim types (SAML attribute names, the claim-type table applied) that some relying party
 * can get, for federation metadata's fed:ClaimTypesOffered: each party's release list — or every
 * claim a configured user holds, or a directory user (`directoryNames`) — through its claim
 * rules as evaluation applies them, named as a SAML token names them (one name per claim type),
 * then the protocol claims, which a request may name too. What a trusted issuer's subject brings cannot be listed ahead.
 */
export function offeredClaimTypes(config: ResolvedConfig, directoryNames: readonly string[] = []): string[] {
  const held = new Set<string>(directoryNames);
  for (const u of config.users.values()) for (const name of Object.keys(u.claims)) held.add(name);
  const given: ClaimName[] = [];
  for (const rp of config.relyingParties) {
    const input = rp.claims ?? [...held];
    given.push(...(rp.claimRules ? claimNamesEmitted(rp.claimRules, input) : input.map((n) => ({ saml: n, jwt: n }))));
  }
  const out = new Set(Object.keys(formatNames(given.map((c) => ({ ...c, values: [] })), "saml2")));
  for (const c of PROTOCOL_CLAIMS) out.add(claimUri(c.saml));
  return [...out];
}

/**
 * The claim names the realm's user directory's users hold now (one indexed read), for
 * {@link offeredClaimTypes}. A directory that cannot be read gives none, logged: listing fewer
 * claim types misleads no relying party into trusting one.
 */
export async function directoryClaimNames(ctx: StsContext): Promise<string[]> {
  if (!ctx.directory) return [];
  try {
    const names = await ctx.directory.claimNames();
    directoryReachable();
    return names;
  } catch (e) {
    directoryUnavailable("Federation metadata lists no directory claim names: the user directory (USERS_DB) could not be read", e);
    return [];
  }
}
