import type { RelyingParty, ResolvedConfig } from "../config/types.ts";
import { uriKey } from "../config/uri-key.ts";
import { invalidScope } from "../errors.ts";

/** Finds the relying party for an AppliesTo / audience; unknown targets are refused. */
export function findRelyingParty(config: ResolvedConfig, target: string): RelyingParty {
  const rp = lookupRelyingParty(config, target);
  if (!rp) throw invalidScope(`No relying party is configured for '${truncate(target)}'.`);
  return rp;
}

/**
 * The identifier of the relying party a token is for: its audience may be an alias (a party
 * renamed, its old name kept as an alias), and every rule names parties by identifier.
 */
export function partyOf(config: ResolvedConfig, audience: string): string {
  return lookupRelyingParty(config, audience)?.identifier ?? audience;
}

/** Like `findRelyingParty` but returns undefined instead of throwing. */
export function lookupRelyingParty(config: ResolvedConfig, target: string): RelyingParty | undefined {
  let index = byTarget.get(config);
  if (!index) {
    index = new Map();
    for (const rp of config.relyingParties) {
      for (const name of [rp.identifier, ...rp.aliases]) {
        const key = uriKey(name);
        if (!index.has(key)) index.set(key, rp); // the first configured party wins, as before
      }
    }
    byTarget.set(config, index);
  }
  return index.get(uriKey(target));
}

/** Normalised identifier or alias → relying party, built once per (immutable) configuration. */
const byTarget = new WeakMap<ResolvedConfig, Map<string, RelyingParty>>();

/** Keeps client-supplied values short in messages and logs. */
export function truncate(s: string, n = 200): string {
  return s.length > n ? s.slice(0, n) + "…" : s;
}
