import type { OAuthClient, RelyingParty, ResolvedConfig, ServiceAccount, TokenKind } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";
import type { StateClient } from "../state/client.ts";
import type { Actor } from "../token/actor.ts";
import type { Confirmation } from "../token/confirmation.ts";
import type { RenewingMarks } from "../token/renewability.ts";
import type { AuditFacts } from "../web/audit.ts";
import type { UserDirectory } from "../state/directory.ts";

/**
 * Who is asking, authenticated: a user (WS-Trust UsernameToken), a service account (WS-Trust
 * UsernameToken with a high-entropy secret, or HTTP Basic on the admin API) or an OAuth client.
 * What each may do is decided in one place, `authorize.ts`.
 */
export type Requestor = (
  | {
      kind: "user";
      identity: Identity;
      /**
       * The stored password hash a password sign-in was checked against (undefined for any other
       * evidence): a browser session remembers it, and ends when the password is set anew.
       */
      passwordHash?: string | undefined;
    }
  | { kind: "service"; account: ServiceAccount }
  | { kind: "client"; client: OAuthClient }
) & {
  /**
   * The public key the requestor proved it holds by signing this very request (an X.509 message
   * signature, a holder-of-key assertion's key, or the endorsing signature WCF adds to a
   * UsernameToken request): a PublicKey token may be bound to it without a wst:UseKey, and a
   * UseKey must be it.
   * Read only when a request asks for a PublicKey token (undefined: a key too weak to bind to).
   */
  provedKey?: (() => Promise<Extract<Confirmation, { method: "public-key" }> | undefined>) | undefined;
};

/** The requestor's name, as audit lines and delegation chains (`act.sub`) give it. */
export function requestorName(r: Requestor): string {
  return r.kind === "user" ? r.identity.subject : r.kind === "service" ? r.account.username : r.client.clientId;
}

/**
 * RFC 8693 §4.4 `may_act`: who alone may act for the subject, as our name for that party
 * (src/engine/names.ts); `name` undefined when no party can satisfy it (malformed, or naming a
 * party outside what the token's issuer may speak for).
 */
export interface MayAct {
  name: string | undefined;
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

/**
 * A username and password presented as a token rather than as the requestor's own proof (a
 * wsse:UsernameToken as WS-Trust ValidateTarget, OnBehalfOf or ActAs, as a service forwards the
 * credentials its own callers sent it): the name it claims, and the door's check of it
 * (password, failed-authentication limits, nonce replay). The engine runs the check only once
 * the authorization rule has allowed the requestor to present credentials for that name.
 */
export interface PresentedCredentials {
  credentials: {
    username: string;
    /** @throws StsError authentication_failed (or rate_limited, message_expired) */
    authenticate(): Promise<Identity>;
  };
}

/**
 * An X.509 certificate presented as the token to validate (a wsse:BinarySecurityToken in a
 * ValidateTarget), as a service forwards the certificate its own caller authenticated with, to
 * ask whether this STS trusts it. A certificate is public: it proves nothing about who presents
 * it, so it is only ever validated, never turned into a token.
 */
export interface PresentedCertificate {
  /**
   * The BinarySecurityToken's base64 text, whitespace removed: one certificate (X509v3), or a
   * certificate path (X509PKIPathv1), the end certificate last and the intermediates that lead
   * to it before it.
   */
  certificate: { base64: string; path: boolean };
}

export type { Actor } from "../token/actor.ts";
export type { Confirmation } from "../token/confirmation.ts";

/**
 * A claim the requestor asks for (WS-Trust wst:Claims): by claim-type URI (or JWT name), whether
 * the request may go on without it, and the values it must have (any of them) when given.
 */
export interface RequestedClaim {
  uri: string;
  optional: boolean;
  values?: string[] | undefined;
}

/** The protocol-free question every front door asks the engine (with wst:Renewing's marks, renewability.ts). */
export interface TokenRequest extends RenewingMarks {
  requestor: Requestor;
  identity: Identity;
  /** AppliesTo address or OAuth audience/resource, as sent. */
  appliesTo: string;
  /** Requested token type; default: the relying party's default. */
  tokenType?: TokenKind | undefined;
  /** Requested lifetime (WS-Trust wst:Lifetime / OAuth has none). */
  lifetime?: { created?: Date | undefined; expires?: Date | undefined } | undefined;
  /** Delegation chain for the issued token. */
  actor?: Actor | undefined;
  /**
   * The `may_act` of the token this one is made from, when no actor is added to it (RFC 8693
   * §4.4): the new token states it too, so that no further derivation lets another party act
   * for the subject.
   */
  mayAct?: MayAct | undefined;
  /** OAuth client the token is issued to. */
  clientId?: string | undefined;
  /** Requested scopes (narrowing only). */
  scope?: string[] | undefined;
  /**
   * The scope of the token this one is made from, when that token carries one: the issued
   * scope stays within it (exchange, OnBehalfOf, ActAs, Validate-transformation never widen a
   * grant). Undefined when the presented token carries no scope.
   */
  scopeCeiling?: string[] | undefined;
  /**
   * The token derives from a presented one that may not be renewed: it ends no later than this
   * (see `DerivationLimits` in lifetime.ts). Every token also ends by the relying party's
   * maximum total lifetime since `identity.authnInstant`.
   */
  notAfter?: Date | undefined;
  /** The key the holder must prove; undefined for a bearer token. */
  confirmation?: Confirmation | undefined;
  /**
   * Requested claims: the token carries only these (those the relying party's policy and rules
   * give), and a required one that is not there refuses the request. Undefined: no request.
   */
  requestedClaims?: RequestedClaim[] | undefined;
}

/** A minted token, ready for a protocol adapter to wrap. */
export interface IssuedToken {
  kind: TokenKind;
  /** Token identifier (SAML ID / AssertionID, JWT jti). */
  id: string;
  /** Serialized token: XML for SAML, compact JWS for JWT. Always the signed token in the clear. */
  value: string;
  /**
   * What the relying party receives when it takes its tokens encrypted: the signed `value`
   * encrypted for it (saml:EncryptedAssertion, xenc:EncryptedData for SAML 1.1, a nested JWE).
   * `id` and the facts stay those of the signed token, for audit, state and the RSTR references.
   */
  encrypted?: string | undefined;
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
  /** The key the token is bound to; undefined for a bearer token. */
  confirmation?: Confirmation | undefined;
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
   * When this request began: before its requestor was authenticated and before any token it
   * presents was checked. A token naming an actor is issued no later than this (check.ts
   * `issueInstant`), so that an actor's revocation cut-off is compared with a time before its
   * state was read.
   */
  begun: Date;
  /**
   * What this request is about, filled in by the engine as it learns it, for the one audit
   * line the edge writes per operation (src/web/audit.ts). Never holds a token or secret:
   * `tokenId` is hashed before it is logged.
   */
  audit: AuditFacts;
  /** The realm's user directory (D1), when the deployment has one; configured users come first. */
  directory?: UserDirectory | undefined;
}

/**
 * What the host gives a protocol adapter for one request. Lazy: building the context can fail
 * (`not_configured`), and each protocol answers that in its own wire format.
 */
export interface RequestServices {
  /** The request context; throws StsError `not_configured` when the STS may not serve. */
  context(): Promise<StsContext>;
  /** The Durable Object state for this context's configuration. */
  state(ctx: StsContext): StateClient;
  /** The caller's address (CF-Connecting-IP), for per-address limits; absent locally. */
  clientAddress: string | undefined;
}
