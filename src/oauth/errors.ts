/**
 * OAuth errors on the wire (RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 7009 §2.2.1, RFC 7662 §2.3).
 * One class, one code union, and one exhaustive table from the engine's `StsErrorCode`, so a
 * new engine code fails to compile here until someone decides its OAuth meaning.
 */
import type { StsErrorCode } from "../errors.ts";
import { isStsError } from "../errors.ts";
import { basicChallenge } from "../web/basic-auth.ts";
import { NO_STORE_PRAGMA } from "../web/headers.ts";

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "unsupported_token_type"
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "temporarily_unavailable"
  | "server_error";

/** An OAuth error response: code, HTTP status and a client-safe description. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  retryAfterSeconds: number | undefined;

  constructor(code: OAuthErrorCode, description: string, opts: { status?: number } = {}) {
    super(description);
    this.name = "OAuthError";
    this.code = code;
    this.status = opts.status ?? (code === "invalid_client" ? 401 : 400);
  }
}

export const oauthInvalidRequest = (m: string) => new OAuthError("invalid_request", m);
export const oauthInvalidGrant = (m: string) => new OAuthError("invalid_grant", m);
export const oauthInvalidTarget = (m: string) => new OAuthError("invalid_target", m);
export const oauthUnauthorizedClient = (m: string) => new OAuthError("unauthorized_client", m);
/** Client authentication failed (401, with a challenge: see {@link oauthErrorResponse}). */
export const oauthInvalidClient = (m = "Client authentication failed.") => new OAuthError("invalid_client", m);

/**
 * Engine code → OAuth error. Presented-token problems are `invalid_grant` (RFC 6749 §5.2: the
 * grant — here the subject token — is "invalid, expired, revoked"). Note RFC 8693 §2.2.2 asks
 * for `invalid_request` there; we follow RFC 6749 as deployed token-exchange servers do.
 */
const FROM_STS: Record<StsErrorCode, { code: OAuthErrorCode; status: number }> = {
  invalid_request: { code: "invalid_request", status: 400 },
  bad_request: { code: "invalid_request", status: 400 },
  payload_too_large: { code: "invalid_request", status: 413 },
  authentication_failed: { code: "invalid_grant", status: 400 },
  not_authorized: { code: "unauthorized_client", status: 400 },
  // The engine's invalid_scope means "unknown or disallowed target" (wst:InvalidScope).
  invalid_scope: { code: "invalid_target", status: 400 },
  scope_refused: { code: "invalid_scope", status: 400 },
  invalid_time_range: { code: "invalid_request", status: 400 },
  invalid_token: { code: "invalid_grant", status: 400 },
  unable_to_renew: { code: "invalid_grant", status: 400 },
  unsupported_token: { code: "invalid_request", status: 400 },
  // RFC 9449 §5: a bad or missing DPoP proof at the token endpoint.
  invalid_dpop_proof: { code: "invalid_dpop_proof", status: 400 },
  // RFC 9449 §8: the proof must carry the nonce sent in the DPoP-Nonce header.
  use_dpop_nonce: { code: "use_dpop_nonce", status: 400 },
  message_expired: { code: "invalid_grant", status: 400 },
  must_understand: { code: "invalid_request", status: 400 },
  version_mismatch: { code: "invalid_request", status: 400 },
  action_not_supported: { code: "invalid_request", status: 400 },
  invalid_addressing_header: { code: "invalid_request", status: 400 },
  destination_unreachable: { code: "invalid_request", status: 400 },
  rate_limited: { code: "temporarily_unavailable", status: 429 },
  not_configured: { code: "temporarily_unavailable", status: 503 },
  unknown_realm: { code: "invalid_request", status: 404 },
  internal_error: { code: "server_error", status: 500 },
};

/** Converts an engine or OAuth error to an OAuthError; anything else → undefined (a 500). */
export function toOAuthError(e: unknown): OAuthError | undefined {
  if (e instanceof OAuthError) return e;
  if (!isStsError(e)) return undefined;
  const m = FROM_STS[e.code];
  const o = new OAuthError(m.code, e.message, { status: m.status });
  o.retryAfterSeconds = e.retryAfterSeconds;
  return o;
}

/** Stand-ins for the characters our messages use that RFC 6749 §5.2 does not allow in a description. */
const DESCRIPTION_STAND_INS: Readonly<Record<string, string>> = {
  "§": "section ",
  '"': "'",
  "\\": "/",
  "\u2018": "'",
  "\u2019": "'",
  "\u201C": "'",
  "\u201D": "'",
  "\u2013": "-",
  "\u2014": "-",
  "\u2026": "...",
  "\u2192": "->",
  "\u2260": "!=",
  "\t": " ",
  "\n": " ",
  "\r": " ",
};

/**
 * RFC 6749 §5.2: `error_description` "MUST NOT include characters outside the set %x20-21 /
 * %x23-5B / %x5D-7E" — printable ASCII without '"' and '\'. A client library that holds to it
 * may strip or refuse a description that does not. Our messages cite sections as "§" and quote
 * values, and some echo a caller's text: each such character becomes its ASCII stand-in, any
 * other one '?'.
 */
export function wireDescription(message: string): string {
  return message.replace(/§ ?|[^\x20\x21\x23-\x5B\x5D-\x7E]/gu, (c) => DESCRIPTION_STAND_INS[c.startsWith("§") ? "§" : c] ?? "?");
}

/**
 * The JSON error response: `{error, error_description}` with status and headers (plus the
 * endpoint's own). `realm`: the STS realm's name (undefined: the first realm), named in a 401's
 * challenge.
 */
export function oauthErrorResponse(err: OAuthError, extraHeaders?: Record<string, string>, realm?: string): Response {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...NO_STORE_PRAGMA, ...extraHeaders };
  // RFC 9110 §15.5.2: every 401 MUST carry a challenge, whichever way the client tried (or
  // failed) to authenticate — HTTP stacks that find none fail with an I/O error instead of
  // reading the JSON (Android's "No authentication challenges found"). RFC 6749 §5.2 asks for it
  // after Basic; Basic is the one HTTP scheme these endpoints take (RFC 7617: the realm names
  // this server), so it is the challenge after client_secret_post or private_key_jwt too.
  if (err.status === 401) headers["WWW-Authenticate"] = basicChallenge("sts", realm, ', charset="UTF-8"');
  if (err.retryAfterSeconds !== undefined) headers["Retry-After"] = String(err.retryAfterSeconds);
  return new Response(JSON.stringify({ error: err.code, error_description: wireDescription(err.message) }), { status: err.status, headers });
}
