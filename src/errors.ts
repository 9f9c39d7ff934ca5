/**
 * Protocol-free errors raised by the token engine and the protocol adapters. Each carries a
 * stable `code`; each door maps a code to its wire form — a WS-Trust fault QName
 * (`src/soap/fault.ts`) or an OAuth error (`src/oauth/errors.ts`) — in tables keyed by the code,
 * so a new code fails to compile until both doors decide its meaning. Messages are safe to show a client:
 * they never contain internals, secrets or stack traces.
 */
export type StsErrorCode =
  /** Malformed or unsupported request (WS-Trust wst:InvalidRequest, OAuth invalid_request). */
  | "invalid_request"
  /** The request is well-formed XML but not a valid message (wst:BadRequest). */
  | "bad_request"
  /**
   * The request body is over its size limit: HTTP 413 Content Too Large (RFC 9110 §15.5.14) at
   * every door, so a client tells a body it must shrink from one it must correct (wst:BadRequest,
   * OAuth invalid_request).
   */
  | "payload_too_large"
  /** Credentials did not verify (wst:FailedAuthentication, OAuth invalid_client / invalid_grant). */
  | "authentication_failed"
  /** The caller is authenticated but not allowed to do this (wst:RequestFailed / unauthorized_client). */
  | "not_authorized"
  /** The target (AppliesTo / audience) is unknown or not allowed (wst:InvalidScope, invalid_target). */
  | "invalid_scope"
  /** None of the requested OAuth scopes is available for the target (OAuth invalid_scope). */
  | "scope_refused"
  /** Requested lifetime is out of range (wst:InvalidTimeRange). */
  | "invalid_time_range"
  /** A presented token is invalid, forged, expired or revoked (wst:InvalidSecurityToken, invalid_grant). */
  | "invalid_token"
  /** Renewal refused (wst:UnableToRenew). */
  | "unable_to_renew"
  /** A token type or credential type we do not support (wsse:UnsupportedSecurityToken). */
  | "unsupported_token"
  /**
   * An OAuth DPoP proof (RFC 9449) is missing where a bound token needs one, malformed, not
   * fresh, replayed or made with another key (OAuth invalid_dpop_proof, RFC 9449 §5).
   */
  | "invalid_dpop_proof"
  /**
   * A DPoP proof without the server nonce this deployment asks for, or with one that is no
   * longer current (OAuth use_dpop_nonce, RFC 9449 §8): the client retries with the nonce it is given.
   */
  | "use_dpop_nonce"
  /** The message is stale or replayed (wsse:MessageExpired). */
  | "message_expired"
  /** A SOAP header marked mustUnderstand that we do not understand. */
  | "must_understand"
  /** The SOAP envelope version is unknown. */
  | "version_mismatch"
  /** The SOAP action or wsa:Action does not name the operation in the Body (wsa:ActionNotSupported). */
  | "action_not_supported"
  /** A WS-Addressing header repeated, in two versions, or disagreeing with the HTTP action (wsa:InvalidAddressingHeader). */
  | "invalid_addressing_header"
  /** wsa:To names another endpoint (wsa:DestinationUnreachable). */
  | "destination_unreachable"
  /** Too many requests; `retryAfterSeconds` says when to try again. */
  | "rate_limited"
  /** The service has no valid configuration and refuses to issue (fail closed). */
  | "not_configured"
  /** The request's host or realm path prefix names no realm this deployment serves (HTTP 404). */
  | "unknown_realm"
  /** An unexpected failure inside the STS; the detail goes to the log, never to the client. */
  | "internal_error";

/**
 * What part of the message a WS-Addressing fault is about (WS-Addressing 1.0 SOAP Binding §6.4
 * [Detail]): a header by its QName (§6.4.1 [Problem Header QName]), the action the endpoint does
 * not serve (§6.4.4 [Problem Action]), or the address it cannot reach (§6.4.3 [Problem IRI]).
 */
export type AddressingProblem = { header: { ns: string; local: string } } | { action: string } | { iri: string };

export class StsError extends Error {
  readonly code: StsErrorCode;
  /** Extra safe detail for the wire (e.g. the QName of a header not understood). */
  readonly detail: string | undefined;
  /** For a WS-Addressing fault, what in the message it is about, echoed in the fault's detail. */
  readonly problem: AddressingProblem | undefined;
  retryAfterSeconds: number | undefined;

  constructor(code: StsErrorCode, message: string, detail?: string, problem?: AddressingProblem) {
    super(message);
    this.name = "StsError";
    this.code = code;
    this.detail = detail;
    this.problem = problem;
  }
}

/** Shorthands, one per code, so call sites read as the fault they raise. */
export const invalidRequest = (m: string) => new StsError("invalid_request", m);
export const badRequest = (m: string) => new StsError("bad_request", m);
export const authenticationFailed = (m = "The security token could not be authenticated or authorized.") =>
  new StsError("authentication_failed", m);
export const notAuthorized = (m: string) => new StsError("not_authorized", m);
export const invalidScope = (m: string) => new StsError("invalid_scope", m);
export const scopeRefused = (m: string) => new StsError("scope_refused", m);
export const invalidTimeRange = (m: string) => new StsError("invalid_time_range", m);
export const invalidToken = (m: string) => new StsError("invalid_token", m);
export const unableToRenew = (m: string) => new StsError("unable_to_renew", m);
export const unsupportedToken = (m: string) => new StsError("unsupported_token", m);
export const invalidDpopProof = (m: string) => new StsError("invalid_dpop_proof", m);
export const useDpopNonce = (m: string) => new StsError("use_dpop_nonce", m);
export const messageExpired = (m: string) => new StsError("message_expired", m);
/** `action`: the action the message named, when it named one. */
export const actionNotSupported = (m: string, action?: string) =>
  new StsError("action_not_supported", m, undefined, action === undefined ? undefined : { action });
/**
 * `subcode`: the more specific WS-Addressing 1.0 SOAP Binding §6.4.1 subcode (e.g.
 * InvalidCardinality); `header`: the QName of the header at fault.
 */
export const invalidAddressingHeader = (m: string, subcode?: string, header?: { ns: string; local: string }) =>
  new StsError("invalid_addressing_header", m, subcode, header === undefined ? undefined : { header });
/** `iri`: the address (wsa:To, or the request's URL) that names no endpoint here. */
export const destinationUnreachable = (m: string, iri?: string) => new StsError("destination_unreachable", m, undefined, iri === undefined ? undefined : { iri });

export function isStsError(e: unknown): e is StsError {
  return e instanceof StsError;
}
