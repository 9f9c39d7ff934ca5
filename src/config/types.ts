/**
 * The STS configuration: one typed, documented object, validated once per isolate at start
 * (see `validate.ts`). Secrets never live here: fields named `...Secret` hold the *name* of a
 * Worker secret (or var) binding whose value is the secret, because Workers cap every variable
 * and secret at 5 KB and secrets must not sit in a readable configuration document.
 *
 * This is the shape an operator writes (JSON, in the `STS_CONFIG` binding). `ResolvedConfig`
 * is what the rest of the code sees after validation and secret resolution.
 */

import type { CertificateTrust } from "../keys/cert-path.ts";
import type { ClaimRule, ClaimRuleInput } from "./claim-rules.ts";

/** Token types the STS can issue. */
export type TokenKind = "saml2" | "saml1" | "jwt" | "access_token";

/** XML-DSig signature algorithm short names accepted in configuration. */
export type XmlSignatureAlg =
  | "rsa-sha256"
  | "rsa-sha384"
  | "rsa-sha512"
  | "ecdsa-sha256"
  | "ecdsa-sha384"
  | "ecdsa-sha512";

/** JWS algorithms accepted in configuration. */
export type JwtSignatureAlg = "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "ES512";

export interface StsConfigInput {
  /**
   * Issuer / entity ID written into every token and every metadata document.
   * Default: the origin the request came to (development convenience); production configs
   * should set it so tokens do not depend on the Host header.
   */
  issuer?: string;
  /** Signing keys. At least one `current` RSA key (XML signatures) is required. */
  keys: KeyConfigInput[];
  /**
   * The STS's own RSA decryption keys (its token-decrypting certificates): partners encrypt the
   * proof keys of holder-of-key assertions for the `current` one, published in federation
   * metadata; `next` and `previous` still decrypt. Never the signing keys.
   */
  decryptionKeys?: { status: "current" | "next" | "previous"; privateKeySecret: string; certificate?: string; certificateSecret?: string }[];
  users?: UserConfigInput[];
  relyingParties: RelyingPartyConfigInput[];
  /** Name of the secret (≥ 32 bytes) keying browser sign-in session cookies and form tokens (`/wsfed`). */
  webSessionSecret?: string;
  oauthClients?: OAuthClientConfigInput[];
  serviceAccounts?: ServiceAccountConfigInput[];
  trustedIssuers?: TrustedIssuerConfigInput[];
  requestorCertificates?: RequestorCertificatesConfigInput;
  limits?: Partial<LimitsConfig>;
  /**
   * Name of the secret holding the key of pairwise subjects (base64 or base64url of at least 32
   * random bytes). Required when a relying party has `subjectType: "pairwise"`. Changing it
   * changes every pseudonym.
   */
  pairwiseSubjectSecret?: string;
  /**
   * Name of the secret (≥ 32 bytes) keying DPoP server nonces (RFC 9449 §8). When set, every
   * DPoP proof at the token endpoint must carry a nonce the STS handed out in a `DPoP-Nonce`
   * response header within the last five to ten minutes; a proof without one is answered
   * `use_dpop_nonce` with the nonce to use. Default: no nonces (freshness rests on `iat`).
   */
  dpopNonceSecret?: string;
  /**
   * Host names this (first) realm is served at. Default: any host no other realm names. When
   * set, a request for a host that no realm names is refused (404) instead.
   */
  hosts?: string[];
  /** Further realms: each a whole configuration of its own, selected by host or path prefix. */
  realms?: RealmConfigInput[];
}

/**
 * One more issuer served by the same deployment: every section of `StsConfigInput` (except
 * `hosts` and `realms`) with its own values, plus how requests reach it. Nothing is inherited
 * from the first realm or shared with it.
 */
export interface RealmConfigInput extends Omit<StsConfigInput, "hosts" | "realms"> {
  /** Names the realm in errors, logs and state (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Host names (no port; any port matches) whose requests this realm serves. */
  hosts?: string[];
  /** `/realms/<segment>`: requests under it are this realm's, the prefix stripped before routing. */
  pathPrefix?: string;
}

/**
 * Requestors that authenticate with an X.509-signed message (the certificatemixed endpoints).
 * A certificate is trusted when it is pinned (an entry with its `sha256`) or was issued, directly
 * or through intermediates sent with it, by one of `authorities`; it then acts as the principal
 * its entry names.
 */
export interface RequestorCertificatesConfigInput {
  /** Issuing CA certificates (PEM). */
  authorities?: string[];
  principals: {
    /** The user or service account the certificate acts as. */
    principal: string;
    /** SHA-256 thumbprint of one certificate, trusted as it is ... */
    sha256?: string;
    /** ... or the subject common name of certificates an authority issued. */
    subjectCommonName?: string;
  }[];
  /** Accept rsa-sha1 message signatures and SHA-1 digests from old WCF clients (default false). */
  allowSha1Signatures?: boolean;
  /** Accept message signatures that cover the Timestamp but not the Body, as WCF signs (default false). */
  allowTimestampOnlySignatures?: boolean;
}

export interface KeyConfigInput {
  /** Key ID. Default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
  /** `current` signs; `next` is published ahead of rotation; `previous` still verifies. */
  status: "current" | "next" | "previous";
  /** Name of the secret holding the PKCS#8 PEM private key (required for `current`). */
  privateKeySecret?: string;
  /** The X.509 certificate, PEM inline ... */
  certificate?: string;
  /** ... or the name of a binding that holds it (certificates can exceed what fits inline). */
  certificateSecret?: string;
}

export interface UserConfigInput {
  username: string;
  /** Name of the secret holding the PBKDF2 hash (`pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`). */
  passwordHashSecret: string;
  /** Claims released (subject to each relying party's `claims` filter). */
  claims?: Record<string, string | string[]>;
  /**
   * Default true. False: the user signs in nowhere, and no new token is made from a token of
   * theirs (as a disabled directory user), while the name stays taken.
   */
  enabled?: boolean;
}

export interface RelyingPartyConfigInput {
  /** The AppliesTo address / OAuth audience (exact match after normalisation). */
  identifier: string;
  /** Other identifiers that map to this relying party (e.g. an RFC 8707 resource URL). */
  aliases?: string[];
  /** Token type issued when the request does not ask for one. */
  defaultTokenType: TokenKind;
  /** Token types this relying party accepts. Default: every type the STS issues. */
  tokenTypes?: TokenKind[];
  /** Default lifetime in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Maximum lifetime a request may ask for, in seconds (default 8 hours). */
  maxTokenLifetimeSeconds?: number;
  /** Claim names released to this relying party. Absent: all of the subject's claims; `[]`: none. */
  claims?: string[];
  /**
   * Claim rules, evaluated in order over the released claims (see `claim-rules.ts`). When set,
   * the tokens carry exactly what the rules emit. Default: the released claims as they are.
   */
  claimRules?: ClaimRuleInput[];
  /** XML signature algorithm (default rsa-sha256). */
  xmlSignatureAlgorithm?: XmlSignatureAlg;
  /** JWS algorithm (default ES256). */
  jwtSignatureAlgorithm?: JwtSignatureAlg;
  /** Scopes this relying party offers (OAuth). */
  scopes?: string[];
  renewal?: Partial<RenewalPolicy>;
  /** Encrypt every token for this relying party (default: tokens in the clear). */
  encryption?: RpEncryptionConfigInput;
  /** Proof-of-possession key types its tokens may carry (default ["bearer"]). */
  keyTypes?: KeyTypeName[];
  /**
   * `public` (default): tokens name the subject. `pairwise`: they name a pseudonym of the
   * subject, the same for every relying party of one sector and unlinkable across sectors.
   */
  subjectType?: SubjectType;
  /** The sector of a pairwise relying party (an absolute URI; default: its identifier). */
  sectorIdentifier?: string;
  /**
   * Where browser sign-in (WS-Federation passive, `/wsfed`) may post its tokens: absolute
   * http(s) URLs; `wreply` must equal one of them after normalisation. The first is the default.
   */
  replyUrls?: string[];
}

export type SubjectType = "public" | "pairwise";

/**
 * A token's proof-of-possession kind (WS-Trust KeyType): `bearer` (none), `symmetric` (a shared
 * proof key, which the relying party receives encrypted for its encryption certificate), or
 * `public-key` (the requestor's own public key).
 */
export type KeyTypeName = "bearer" | "symmetric" | "public-key";

/**
 * A relying party's token encryption. Tokens are encrypted to the `current` certificate; `next`
 * and `previous` are accepted so a rotation is one status change (the relying party must be able
 * to decrypt with the new key before it becomes `current`, and keep the old key until the last
 * token encrypted to it expires).
 */
export interface RpEncryptionConfigInput {
  certificates: { certificate?: string; certificateSecret?: string; status: "current" | "next" | "previous" }[];
  /** Content encryption of XML tokens (default aes256-gcm; aes256-cbc for stacks without GCM). */
  dataAlgorithm?: RpDataAlgorithm;
  /** RSA-OAEP key transport of XML tokens (default rsa-oaep-mgf1p; rsa-oaep = xmlenc11 with SHA-256). */
  keyTransport?: RpKeyTransport;
}

export type RpDataAlgorithm = "aes256-gcm" | "aes256-cbc";
export type RpKeyTransport = "rsa-oaep-mgf1p" | "rsa-oaep";

/** Validated token encryption of a relying party. */
export interface RpEncryption {
  /** PEM of the certificate tokens are encrypted to (RSA, at least 2048 bits). */
  currentCertificatePem: string;
  /** Every configured certificate with its status, for operators and metadata. */
  certificates: { certificatePem: string; status: "current" | "next" | "previous" }[];
  dataAlgorithm: RpDataAlgorithm;
  keyTransport: RpKeyTransport;
}

export interface RenewalPolicy {
  /** Whether tokens for this relying party may be renewed (default true). */
  allowed: boolean;
  /** Maximum total lifetime counted from the original authentication (default 24 h). */
  maxTotalLifetimeSeconds: number;
  /** Grace after expiry during which tokens issued with `wst:Renewing OK="true"` may still renew (default 1800 s, at most 3600). */
  expiredGraceSeconds: number;
  /** Whether postdated (future NotBefore) renewed tokens are allowed (default false). */
  allowPostdating: boolean;
  /**
   * Renewal window: a token may be renewed only in its last `windowSeconds` before expiry
   * (0, the default: at any time).
   */
  windowSeconds: number;
}

export interface OAuthClientConfigInput {
  clientId: string;
  /** Name of the secret holding `sha256$<hex>` of the client secret (client_secret_basic/post). */
  secretHashSecret?: string;
  /** Public JWKS for private_key_jwt (RFC 7523). */
  jwks?: { keys: JsonWebKey[] };
  /** Relying-party identifiers this client may obtain tokens for. */
  allowedAudiences: string[];
  /**
   * Actors (subject names) this client may present as actor_token; `*` for any. An actor from a
   * trusted issuer (without `localSubjects`) is named `<issuer>#<subject>`.
   */
  allowedActors?: string[];
  /** Whether this client may call introspection and revocation (default true). */
  mayIntrospect?: boolean;
  /**
   * Relying parties (identifiers or aliases) this client is the resource server of: it may
   * introspect every token meant for them, whoever it was issued to (RFC 7662 §2.1). It
   * revokes only tokens issued to it all the same (RFC 7009 §2.1). Default: none — a client
   * introspects only the tokens issued to it (and tokens whose audience is its own client ID).
   */
  resourceServerFor?: string[];
}

/**
 * What a service account may do: WS-Trust Validate / Renew / Cancel of other subjects' tokens,
 * `revoke-subject`, the administrative "revoke everything this subject holds" call, and
 * `manage-users`, the administration of the user directory (`/admin/users`).
 */
export type ServiceOperation = "validate" | "renew" | "cancel" | "issue" | "revoke-subject" | "manage-users";

export interface ServiceAccountConfigInput {
  username: string;
  /** Name of the secret holding `sha256$<hex>` of the account's high-entropy secret. */
  secretHashSecret: string;
  /** Relying-party identifiers whose tokens it may Validate / Renew / Cancel. */
  allowedRelyingParties: string[];
  operations?: ServiceOperation[];
}

export interface TrustedIssuerConfigInput {
  issuer: string;
  kind: "jwt" | "saml";
  /** JWT: a JWKS URI (fetched, cached, refreshed on unknown kid) ... */
  jwksUri?: string;
  /** ... or an inline JWKS. */
  jwks?: { keys: JsonWebKey[] };
  /** SAML: pinned certificates (PEM). */
  certificates?: string[];
  /** Accepted JWS algorithms (default ["RS256","ES256"]). */
  algorithms?: JwtSignatureAlg[];
  /** Audience that tokens from this issuer must carry (default: our issuer). */
  expectedAudience?: string;
  clockSkewSeconds?: number;
  /**
   * Whether this issuer's subjects are our subjects: its `sub: "alice"` is our user alice, with
   * her revocation state (default false: its subjects live in its own namespace, named
   * `<issuer>#<subject>` in the tokens we issue; see src/token/subject.ts).
   */
  localSubjects?: boolean;
  /**
   * Whether this issuer's `may_act` may grant delegation over WS-Trust (OnBehalfOf, ActAs) to
   * the party it names, named in this issuer's namespace (default false; requires
   * `localSubjects`, since only local parties request over WS-Trust). A `may_act` always
   * restricts who may be the actor of a token exchange, whichever issuer wrote it.
   */
  grantsDelegation?: boolean;
  /**
   * SAML issuers: the partner's WS-Federation passive sign-in address (its `/adfs/ls/`). When
   * set, browser sign-in offers the partner (and `whr` naming it goes straight there): the
   * browser signs in at the partner, which posts its token back to /wsfed.
   */
  passiveSignInUrl?: string;
  /** How the sign-in page names the partner (default: its issuer). */
  displayName?: string;
}

export interface LimitsConfig {
  /** Maximum request body in bytes (default 1 MiB). */
  maxBodyBytes: number;
  /** Maximum XML nesting depth (default 64). */
  maxXmlDepth: number;
  /** Maximum number of XML elements in a request (default 20,000). */
  maxXmlElements: number;
  /** Maximum attributes on one element (default 64). */
  maxXmlAttributesPerElement: number;
  /** Allowed clock skew for Timestamp / token time checks, seconds (default 300). */
  clockSkewSeconds: number;
  /** Maximum items in one WS-Trust batch (default 32). */
  maxBatchItems: number;
  /** Failed authentications per subject or client per window before 429 (default 10). */
  maxFailedAuthPerWindow: number;
  /** Window for the above, seconds (default 300). */
  failedAuthWindowSeconds: number;
  /** Renewals per subject or requestor per window before 429 (default 60). */
  maxRenewalsPerWindow: number;
  /** Window for the above, seconds (default 3600). */
  renewalWindowSeconds: number;
  /**
   * Read lease on an "active" revocation answer, ms (default 1000, at most 10000; 0: none).
   * An isolate that checked a token reuses the answer for this long without calling the
   * subject's state object; in exchange, a Cancel or revocation of a token checked within the
   * last lease waits up to this long before it answers, so that once it has answered, no
   * isolate anywhere still accepts the token. Consistency is kept; revocation latency is the
   * price, and speed of repeated Validate / exchange / introspection the gain.
   */
  statusLeaseMilliseconds: number;
}

/** A relying party after validation, with defaults filled in. */
export interface RelyingParty {
  identifier: string;
  aliases: string[];
  defaultTokenType: TokenKind;
  tokenTypes: TokenKind[];
  tokenLifetimeSeconds: number;
  maxTokenLifetimeSeconds: number;
  /** `undefined` = release every claim. */
  claims: string[] | undefined;
  /** `undefined` = no rules: the released claims as they are. */
  claimRules: ClaimRule[] | undefined;
  xmlSignatureAlgorithm: XmlSignatureAlg;
  jwtSignatureAlgorithm: JwtSignatureAlg;
  scopes: string[];
  renewal: RenewalPolicy;
  /** `undefined` = tokens in the clear. */
  encryption: RpEncryption | undefined;
  keyTypes: KeyTypeName[];
  subjectType: SubjectType;
  /** The configured sector, or the identifier: what pseudonyms of its tokens are computed for. */
  sectorIdentifier: string;
  /** WHATWG-normalised reply URLs of browser sign-in; empty = no browser sign-in. */
  replyUrls: string[];
}

export interface User {
  username: string;
  /** PBKDF2 hash string, resolved from its secret. */
  passwordHash: string;
  claims: Record<string, string[]>;
  enabled: boolean;
}

export interface OAuthClient {
  clientId: string;
  /** `sha256$<hex>`, resolved from its secret, if the client uses a shared secret. */
  secretHash: string | undefined;
  jwks: { keys: JsonWebKey[] } | undefined;
  allowedAudiences: string[];
  allowedActors: string[];
  mayIntrospect: boolean;
  /** Canonical identifiers of the relying parties this client is the resource server of. */
  resourceServerFor: string[];
}

export interface ServiceAccount {
  username: string;
  secretHash: string;
  allowedRelyingParties: string[];
  operations: ServiceOperation[];
}

export interface TrustedIssuer {
  issuer: string;
  kind: "jwt" | "saml";
  jwksUri: string | undefined;
  jwks: { keys: JsonWebKey[] } | undefined;
  certificates: string[];
  algorithms: JwtSignatureAlg[];
  expectedAudience: string | undefined;
  clockSkewSeconds: number;
  localSubjects: boolean;
  grantsDelegation: boolean;
  passiveSignInUrl: string | undefined;
  displayName: string;
}

/** Key material with secrets resolved, ready for `KeyRing.load`. */
export interface ResolvedKey {
  kid: string | undefined;
  status: "current" | "next" | "previous";
  privateKeyPem: string | undefined;
  certificatePem: string;
}

/** The validated configuration every other module reads. */
export interface ResolvedConfig {
  /** `development` only for the embedded development configuration. */
  mode: "development" | "production";
  issuer: string | undefined;
  keys: ResolvedKey[];
  /** Our decryption keys (PEMs), `current` first. */
  decryptionKeys: { status: "current" | "next" | "previous"; privateKeyPem: string; certificatePem: string }[];
  users: Map<string, User>;
  relyingParties: RelyingParty[];
  oauthClients: Map<string, OAuthClient>;
  serviceAccounts: Map<string, ServiceAccount>;
  trustedIssuers: TrustedIssuer[];
  /** Undefined when no requestor may authenticate with a certificate. */
  requestorCertificates: RequestorCertificates | undefined;
  limits: LimitsConfig;
  /** HMAC key (resolved secret) of browser sign-in sessions and form tokens; undefined = no browser sign-in. */
  webSessionSecret: string | undefined;
  /** The pairwise-subject secret's bytes; undefined when no relying party is pairwise. */
  pairwiseSubjectSecret: Uint8Array<ArrayBuffer> | undefined;
  /** HMAC key (resolved secret) of DPoP server nonces; undefined = proofs need no nonce. */
  dpopNonceSecret: string | undefined;
  /**
   * Where validation named this configuration's fields: `STS_CONFIG`, or `STS_CONFIG.realms[0]`
   * for a further realm. Problems found after validation (a key that does not match its
   * certificate, a name the user directory holds too) name their field from it the same way.
   */
  root: string;
  /** The realm's name; undefined for the first (top-level) realm. */
  realm?: string | undefined;
  /** The first realm's `hosts` (undefined: any host). Only on the top-level configuration. */
  hosts?: string[] | undefined;
  /** The further realms. Only on the top-level configuration. */
  realms?: Realm[] | undefined;
}

/** A further realm after validation. */
export interface Realm {
  name: string;
  /** Lower-case host names. */
  hosts: string[];
  pathPrefix: string | undefined;
  config: ResolvedConfig;
}

/** `requestorCertificates` after validation: CA certificates parsed, thumbprints lower-case hex. */
export interface RequestorCertificates {
  trust: CertificateTrust;
  principals: { principal: string; sha256: string | undefined; subjectCommonName: string | undefined }[];
  allowSha1Signatures: boolean;
  allowTimestampOnlySignatures: boolean;
}
