import type { RelyingParty, ResolvedConfig, TokenKind } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";

/** Who is asking: a user, a service account or an OAuth client. */
export interface Principal {
  kind: "user" | "service" | "client";
  name: string;
}

/** An authenticated subject with the claims the identity source holds for it. */
export interface Identity {
  subject: string;
  /** Claim name → values (short names: email, given_name, role, ...). */
  claims: Record<string, string[]>;
  /** When the subject originally authenticated (carried through renewals and exchanges). */
  authnInstant: Date;
  /** SAML AuthnContextClassRef / authentication method URI. */
  authnMethod: string;
}

/** A delegation chain link (RFC 8693 `act`): the actor acting for the subject. */
export interface Actor {
  sub: string;
  iss?: string;
  /** An earlier actor this one in turn acted for. */
  act?: Actor;
}

/** The protocol-free question every front door asks the engine. */
export interface TokenRequest {
  requestor: Principal;
  identity: Identity;
  /** AppliesTo address or OAuth audience/resource, as sent. */
  appliesTo: string;
  /** Requested token type; default: the relying party's default. */
  tokenType?: TokenKind | undefined;
  /** Requested lifetime (WS-Trust wst:Lifetime / OAuth has none). */
  lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
  /** Delegation chain for the issued token. */
  actor?: Actor | undefined;
  /** OAuth client the token is issued to. */
  clientId?: string | undefined;
  /** Requested scopes (narrowing only). */
  scope?: string[] | undefined;
  /**
   * WS-Trust 1.3 §5 `wst:Renewing Allow="false"`: the token must never be renewed. Recorded
   * in the token's own (signed) ID, so Renew can refuse it without any stored state.
   */
  notRenewable?: boolean | undefined;
}

/** A minted token, ready for a protocol adapter to wrap. */
export interface IssuedToken {
  kind: TokenKind;
  /** Token identifier (SAML ID / AssertionID, JWT jti). */
  id: string;
  /** Serialized token: XML for SAML, compact JWS for JWT. */
  value: string;
  issuer: string;
  subject: string;
  audience: string;
  relyingParty: RelyingParty;
  issuedAt: Date;
  notBefore: Date;
  expires: Date;
  claims: Record<string, string[]>;
  scope: string[];
  actor: Actor | undefined;
  clientId: string | undefined;
}

/** What a request handler needs: configuration, keys, issuer, clock. Built once per isolate. */
export interface StsContext {
  config: ResolvedConfig;
  keys: KeyRing;
  /** The issuer / entity ID for this request (configured, or the request origin in dev). */
  issuer: string;
  /** The origin the request came to, for endpoint URLs in metadata. */
  origin: string;
  now(): Date;
  /**
   * What this request is about, filled in by the engine as it learns it, for the one audit
   * line the edge writes per operation (src/http/audit.ts). Never holds a token or secret:
   * `tokenId` is hashed before it is logged.
   */
  audit: AuditFacts;
}

export interface AuditFacts {
  operation?: string;
  requestor?: string;
  subject?: string;
  target?: string;
  tokenId?: string;
}
