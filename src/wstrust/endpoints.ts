/**
 * The WS-Trust endpoints: one per WS-Trust version and way of authenticating the requestor
 * (the AD FS names: `usernamemixed` = TLS + a UsernameToken, `certificatemixed` = TLS + a
 * message signature with an X.509 certificate, `issuedtokenmixed…` = TLS + a SAML assertion).
 */
import type { ResolvedConfig } from "../config/types.ts";
import type { Coverage } from "../soap/message-signature.ts";
import { lookupRelyingParty } from "../engine/relying-party.ts";
import type { TrustVersion } from "./ns.ts";

/**
 * How an endpoint's requestors prove who they are: a UsernameToken, an X.509 message signature,
 * or a SAML assertion an issuer we trust gave them (the issued-token endpoints, `asymmetric` and
 * `symmetric` after the WCF binding that names the key the requestor's assertion is bound to).
 */
export type RequestorAuthentication = "username" | "certificate" | "issued-token";

export interface TrustEndpoint {
  path: string;
  version: TrustVersion;
  authentication: RequestorAuthentication;
  /**
   * Issued-token endpoints: the key their policy asks the requestor's assertion to confirm (the
   * endpoint also takes a bearer assertion, and either kind of key).
   */
  issuedKey?: "symmetric" | "public-key";
}

export const TRUST_ENDPOINT_LIST: readonly TrustEndpoint[] = [
  { path: "/trust/13/usernamemixed", version: "13", authentication: "username" },
  { path: "/trust/2005/usernamemixed", version: "2005", authentication: "username" },
  { path: "/trust/13/certificatemixed", version: "13", authentication: "certificate" },
  { path: "/trust/2005/certificatemixed", version: "2005", authentication: "certificate" },
  { path: "/trust/13/issuedtokenmixedasymmetricbasic256", version: "13", authentication: "issued-token", issuedKey: "public-key" },
  { path: "/trust/13/issuedtokenmixedsymmetricbasic256", version: "13", authentication: "issued-token", issuedKey: "symmetric" },
  { path: "/trust/2005/issuedtokenmixedasymmetricbasic256", version: "2005", authentication: "issued-token", issuedKey: "public-key" },
  { path: "/trust/2005/issuedtokenmixedsymmetricbasic256", version: "2005", authentication: "issued-token", issuedKey: "symmetric" },
];

/**
 * Where AD FS serves the same endpoints (`/adfs/services/trust/13/usernamemixed`, its MEX at
 * `/adfs/services/trust/mex`). A client configured with an AD FS address — WCF's
 * `<issuer address>`, a hard-coded MEX URL — reaches the same endpoint here under that path when
 * this STS takes over the AD FS host name, without being reconfigured. Published documents name
 * only the `/trust/…` paths.
 */
export const ADFS_PREFIX = "/adfs/services";

/** Each endpoint again under its AD FS path (a request's wsa:To then names that path). */
export const ADFS_ENDPOINT_ALIASES: readonly TrustEndpoint[] = TRUST_ENDPOINT_LIST.map((e) => ({ ...e, path: ADFS_PREFIX + e.path }));

/**
 * The endpoint that authenticates as `e` does but speaks WS-Trust `version`, under the same path
 * root (`/trust/…` or AD FS's `/adfs/services/trust/…`).
 */
export function endpointForVersion(e: TrustEndpoint, version: TrustVersion): TrustEndpoint {
  const adfs = e.path.startsWith(ADFS_PREFIX + "/");
  const found = (adfs ? ADFS_ENDPOINT_ALIASES : TRUST_ENDPOINT_LIST).find(
    (o) => o.version === version && o.authentication === e.authentication && o.issuedKey === e.issuedKey,
  );
  // Every way of authenticating is served in both versions (TRUST_ENDPOINT_LIST).
  return found ?? e;
}

/**
 * The endpoints a configuration can authenticate anyone at, which the WSDL and the home page
 * publish (elsewhere they answer every request with FailedAuthentication): certificatemixed only
 * where requestor certificates are trusted; the issued-token endpoints only where a SAML partner
 * is trusted or this STS is a relying party of its own (`issuer`: then its own assertions for
 * itself sign requestors in).
 */
export function servedEndpoints(config: ResolvedConfig, issuer: string): readonly TrustEndpoint[] {
  const certificates = config.requestorCertificates !== undefined;
  const issuedTokens = config.trustedIssuers.some((t) => t.kind === "saml") || lookupRelyingParty(config, issuer) !== undefined;
  if (certificates && issuedTokens) return TRUST_ENDPOINT_LIST;
  return TRUST_ENDPOINT_LIST.filter((e) => (e.authentication !== "certificate" || certificates) && (e.authentication !== "issued-token" || issuedTokens));
}

/**
 * Whether this deployment accepts WS-SecurityPolicy 1.2's Basic256 suite (§6.1: rsa-sha1 and
 * HMAC-SHA1 signatures over SHA-1 digests), as old WCF clients sign: only where the legacy switch
 * `requestorCertificates.allowSha1Signatures` is on, for every message signature (certificatemixed
 * and a holder-of-key issued token's alike), and the WSDL then advertises Basic256. Otherwise
 * only the SHA-2 suites are accepted, and the WSDL advertises Basic256Sha256.
 */
export function acceptsSha1Signatures(config: ResolvedConfig): boolean {
  return config.requestorCertificates?.allowSha1Signatures === true;
}

/**
 * What a requestor's message signature must cover (certificatemixed, and a holder-of-key issued
 * token's alike): the Body, Timestamp and addressing headers, unless the legacy switch
 * `requestorCertificates.allowTimestampOnlySignatures` is on for WCF clients, which sign the
 * Timestamp (and wsa:To) only.
 */
export function signatureCoverage(config: ResolvedConfig): Coverage {
  return config.requestorCertificates?.allowTimestampOnlySignatures === true ? "timestamp" : "message";
}
