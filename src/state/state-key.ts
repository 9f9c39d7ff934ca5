/**
 * The key of a value in the state objects' key spaces: a one-time value remembered in the replay
 * cache (StateClient.rememberNonce) and an event counted there (StateClient.hit: failed
 * authentications, administration calls) or in the isolate (renewals): a kind and the parts that
 * identify the value within it, joined with ':'.
 *
 * Parts are names others choose (an OAuth client ID, a SAML issuer, a username, a client
 * address) and often hold ':' themselves (`urn:…`, `https://…`, IPv6), so joined as they are,
 * client `a:b` with jti `c` and client `a` with jti `b:c` would share one key and one could burn,
 * or be refused as a replay of, the other's value — or, for a counter, lock the other out or
 * escape its own count. Every part but the last has its ':' and '%' percent-encoded,
 * which makes the join injective for a given kind: the separators are the first unescaped
 * colons, and the last part is whatever follows them. Nothing else is encoded, and the last
 * part (a jti, a nonce's time) not at all, so a key whose parts hold neither character is
 * the same string it always was and no value remembered, nor count made, before a deployment
 * is forgotten.
 * @param kind a fixed name of the value's kind (`pkjwt`, `ut`, …), never caller input
 */
export function stateKey(kind: string, ...parts: string[]): string {
  let key = kind;
  parts.forEach((p, i) => {
    key += ":" + (i === parts.length - 1 ? p : escapePart(p));
  });
  return key;
}

/**
 * A one-time value's replay-cache key: {@link stateKey}, with the key releases before the
 * escaping remembered the same value under when that differs (every partner issuer, a client
 * ID that is a URL). The state client refuses a value held under that earlier spelling too, so
 * a one-time value spent before an upgrade stays spent after it (docs/storage.md, "Upgrades and
 * rollbacks"). The earlier spelling is only ever read, never written: written, it would bring
 * back the very collisions the escaping ends.
 */
export function replayKey(kind: string, ...parts: string[]): ReplayKey {
  const key = stateKey(kind, ...parts);
  const earlier = [kind, ...parts].join(":");
  return earlier === key ? { key } : { key, earlier };
}

/** A one-time value's replay-cache key ({@link replayKey}). */
export interface ReplayKey {
  /** The key the value is remembered under. */
  readonly key: string;
  /**
   * The key releases before the escaping remembered the same value under, when it differs:
   * held there, the value has been spent. Such entries end with their replay window, so once
   * every window open at the upgrade is over this finds nothing.
   */
  readonly earlier?: string;
}

function escapePart(p: string): string {
  return /[:%]/.test(p) ? p.replace(/%/g, "%25").replace(/:/g, "%3A") : p;
}
