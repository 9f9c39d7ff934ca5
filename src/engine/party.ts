/**
 * What a token presented as evidence names, once verified: the one shape every verifier returns
 * (ours in presented-party.ts, a trusted issuer's in partner-jwt.ts and partner-saml.ts).
 */
import type { Actor, Confirmation, Identity, MayAct } from "./types.ts";
import type { DerivationLimits } from "./lifetime.ts";
import type { PairwiseName } from "./pairwise.ts";

/** A verified subject or actor token. */
export interface PresentedParty {
  /** Who the token names; `identity.subject` is our name for it (src/engine/names.ts). */
  identity: Identity;
  /** Who issued the token (our issuer, or a trusted issuer's identifier). */
  issuer: string;
  own: boolean;
  /**
   * A pairwise token's pseudonym and sector (src/engine/pairwise.ts): what is made from it stays
   * in that sector (`requireSameSector`). Undefined for a token that names its subject.
   */
  pairwise: PairwiseName | undefined;
  /**
   * This party as a link of a delegation chain (RFC 8693 §4.1: `sub`, and `iss` when not ours);
   * a pairwise token's holder by its pseudonym, as the only relying parties it may act at know it.
   */
  asActor: Actor;
  /** The delegation chain the token already carries (RFC 8693 §4.1). */
  act: Actor | undefined;
  mayAct: MayAct | undefined;
  /** What the token passes on to a token derived from it (lifetime.ts). */
  passesOn: DerivationLimits;
  /**
   * Whether the token's `may_act` may grant delegation over WS-Trust: a trusted issuer's
   * configured with `grantsDelegation`. Never ours: a `may_act` in ours was carried from the
   * token it was made from, whose issuer may only have restricted. Any `may_act` restricts an
   * exchange's actor.
   */
  grantsDelegation: boolean;
  /** The OAuth scope the token carries: a ceiling for what is issued from it; undefined: none. */
  scope: string[] | undefined;
  /** The key the token is bound to (a JWT's `cnf`); undefined for a bearer token. */
  confirmation: Confirmation | undefined;
}
