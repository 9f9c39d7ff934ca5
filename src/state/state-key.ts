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

function escapePart(p: string): string {
  return /[:%]/.test(p) ? p.replace(/%/g, "%25").replace(/:/g, "%3A") : p;
}
