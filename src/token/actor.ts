/** A delegation chain link (RFC 8693 §4.1 `act`): the actor acting for the subject. */
export interface Actor {
  sub: string;
  iss?: string;
  /** An earlier actor this one in turn acted for. */
  act?: Actor;
  /**
   * Our name for this party when `sub` is its pairwise pseudonym (docs/security.md §18): the
   * name its revocation state and account are kept under. Known to this STS alone — sealed in
   * the token's ID, never stated: {@link actClaim} writes a chain without it.
   */
  realSubject?: string;
}

/**
 * A chain as a token or an introspection answer states it (RFC 8693 §4.1): `sub`, `iss` and
 * the nested `act` of each link, and nothing else — a pseudonymous link's real subject stays ours.
 */
export function actClaim(a: Actor): Record<string, unknown> {
  const out: Record<string, unknown> = { sub: a.sub };
  if (a.iss !== undefined) out.iss = a.iss;
  if (a.act !== undefined) out.act = actClaim(a.act);
  return out;
}

/**
 * The most actors one delegation chain may name, in any token this STS issues or reads. Each
 * exchange with an actor token and each WS-Trust ActAs adds one; a request that would go past
 * it is refused rather than given a chain cut short (which would drop who really acted).
 */
export const MAX_ACTOR_CHAIN = 8;

/** A chain's links, outermost (the party acting now) first; each link's `act` as it stands. */
export function chainLinks(a: Actor | undefined): Actor[] {
  const out: Actor[] = [];
  for (let x = a; x; x = x.act) out.push(x);
  return out;
}

/**
 * Links listed outermost first → the chain they state, each acting for the next (the inverse
 * of {@link chainLinks}). As {@link readActor}, at most one link past {@link MAX_ACTOR_CHAIN} is
 * kept: enough for issuance to see the chain is too long and refuse. A link's `realSubject`
 * stays on it.
 */
export function nestChain(links: readonly Actor[]): Actor | undefined {
  let a: Actor | undefined;
  for (let i = Math.min(links.length, MAX_ACTOR_CHAIN + 1) - 1; i >= 0; i--) {
    const { sub, iss, realSubject } = links[i]!;
    a = { sub, ...(iss !== undefined ? { iss } : {}), ...(realSubject !== undefined ? { realSubject } : {}), ...(a ? { act: a } : {}) };
  }
  return a;
}

/**
 * A JWT's `act` claim value → the chain it states, reading links while they are well formed
 * (an object with a string `sub`; a non-string `iss` is left out). At most one link past
 * {@link MAX_ACTOR_CHAIN} is read: enough for issuance to see the chain is too long and refuse,
 * without recursing as deep as the input goes.
 * @param issuer the issuer a link without `iss` is named by (RFC 8693 §4.1: the token's issuer),
 *   written into the link so that it keeps meaning the same party in a token of ours; omitted
 *   when the names are ours already
 */
export function readActor(v: unknown, issuer?: string): Actor | undefined {
  const top: { act?: Actor } = {};
  let parent = top;
  for (let i = 0; i <= MAX_ACTOR_CHAIN && typeof v === "object" && v !== null; i++) {
    const o = v as Record<string, unknown>;
    if (typeof o.sub !== "string") break;
    const iss = typeof o.iss === "string" ? o.iss : issuer;
    const link: Actor = { sub: o.sub, ...(iss !== undefined ? { iss } : {}) };
    parent.act = link;
    parent = link;
    v = o.act;
  }
  return top.act;
}
