/**
 * Plain-data shapes exchanged over Durable Object RPC (structured-clone safe: no classes,
 * no functions). Times are Unix epoch milliseconds throughout.
 */

/** Why a token is no longer usable. */
export type RevocationReason = "cancelled" | "subject-revoked" | "family-revoked" | "sessions-ended";

/**
 * Answer to "may this token still be used?". A renewed token stays `active` until it
 * expires (like Apache CXF): WS-Trust 1.3 §7.4 says nothing about the old token, and
 * keeping it valid avoids breaking a relying party that still holds it while the
 * requestor switches over. Renewed-ness only blocks a second renewal.
 */
export type TokenStatus =
  /**
   * `asOf`, set by the state client: its clock before the query this answer came from (a leased
   * answer keeps its query's), so the earliest the answer may be older than a revocation.
   */
  | { state: "active"; renewed: boolean; asOf?: number }
  | { state: "revoked"; reason: RevocationReason };

/** RPC argument of {@link TokenStateObject.status}. */
export interface StatusQuery {
  idHash: string;
  /** iat / IssueInstant of the token; compared with the subject revocation cut-off. */
  issuedAt: number;
  expiresAt: number;
  /** A browser sign-in session (issuedAt: its sign-in time): the subject's sessions cut-off applies too. */
  session?: boolean | undefined;
  /**
   * Asks for a read lease on an "active" answer, ms (0 or absent: none). While a lease runs
   * the caller may reuse the answer without asking again; in return every revocation of the
   * token waits until the lease has ended before it completes (see docs/storage.md).
   */
  leaseMs?: number;
}

/** The object's answer to {@link StatusQuery}: the status, and the lease granted if any. */
export type StatusAnswer = TokenStatus & { leaseMs?: number };

/**
 * The longest read lease an object grants, ms. It bounds how long a revocation can wait, and
 * how long a restarted object must assume its predecessor's leases may still run.
 */
export const MAX_LEASE_MS = 10_000;

/** RPC argument of {@link TokenStateObject.renew}. */
export interface RenewQuery {
  idHash: string;
  issuedAt: number;
  expiresAt: number;
  /** ID hash of the token minted by this renewal (WS-Trust 1.3 §7.4: a new token). */
  newIdHash: string;
  newExpiresAt: number;
  now: number;
  /**
   * Renewals allowed for this subject within a sliding window (abuse limit). Counted in the
   * same transaction from the rows' `renewed_at`, so the limit costs no extra RPC.
   */
  limit?: { max: number; windowMs: number };
}

/** Why a renewal was refused. */
export type RenewRefusal =
  /** The token was renewed before: reuse detected, the whole family is now revoked. */
  | "already-renewed"
  /** The token is revoked (see `revocation`). */
  | "revoked"
  /** The token expired more than the retention margin ago: once-only can't be proven. */
  | "expired"
  /** `newIdHash` is already known: the caller reused a token ID. */
  | "id-conflict"
  /** The subject's renewals in the window reached the limit; see `retryAt`. */
  | "rate-limited";

export type RenewResult =
  | { ok: true; family: string }
  | { ok: false; reason: RenewRefusal; revocation?: RevocationReason; retryAt?: number };

/** RPC argument of {@link TokenStateObject.cancel}. */
export interface CancelQuery {
  idHash: string;
  expiresAt: number;
}

export interface CancelResult {
  cancelled: true;
  /** True when the token was already unusable (cancelled before, or its family revoked). */
  alreadyCancelled: boolean;
}

/** RPC argument of {@link TokenStateObject.revokeSubject}. */
export interface RevokeSubjectQuery {
  /** Tokens of this subject issued strictly before this instant are revoked. */
  before: number;
  /** Keep the cut-off at least until then: `before` + the longest token lifetime issued. */
  keepUntil: number;
}

/** RPC argument of {@link TokenStateObject.endSessions}. */
export interface EndSessionsQuery {
  /** Browser sign-in sessions of this subject begun strictly before this instant end. */
  before: number;
  /** Keep the cut-off at least until then: `before` + the longest a session lasts. */
  keepUntil: number;
}

/** RPC argument of {@link ReplayCacheObject.remember}. */
export interface RememberQuery {
  /** base64url SHA-256 of the replay key (never the raw nonce). */
  key: string;
  /** Until when a repeat must be refused (end of the freshness window). */
  expiresAt: number;
  /** Injectable clock for tests; defaults to `Date.now()` inside the object. */
  now?: number;
}

/**
 * The longest clock skew any configuration may set (`limits.clockSkewSeconds`, a trusted
 * issuer's `clockSkewSeconds`), seconds. Configuration validation refuses more, and our own
 * tokens are never accepted further past their expiry than this, whatever the configuration.
 */
export const MAX_CLOCK_SKEW_SECONDS = 3600;

/**
 * The longest renewal grace any configuration may set (a relying party's
 * `renewal.expiredGraceSeconds`), seconds: an expired token may still be renewed that long,
 * and only a row that still exists can prove it was not renewed before.
 */
export const MAX_RENEWAL_GRACE_SECONDS = 3600;

/**
 * The longest window the per-subject renewal limit may count over (`limits.renewalWindowSeconds`
 * is at most this long), ms. The limit counts a subject's rows by `renewed_at`, so a renewed
 * token's row is kept at least this long after its renewal, however short-lived the token.
 */
export const MAX_RENEWAL_WINDOW_MS = 86_400_000;

/**
 * How long a row outlives the token it describes. A token of ours is accepted up to the
 * configured clock skew past its expiry, and renewed up to the renewal grace past it, so its
 * revocation and renewed-ness must be remembered at least that long: the largest of either
 * any configuration may set, so that no configuration (and no change of configuration) can
 * outlast the rows, plus five minutes for the clocks of the isolate that asks and the object
 * that answers to differ.
 */
export const RETENTION_MARGIN_MS = (Math.max(MAX_CLOCK_SKEW_SECONDS, MAX_RENEWAL_GRACE_SECONDS) + 5 * 60) * 1000;

/** RPC argument of {@link ReplayCacheObject.hit}: one event counted in a fixed window. */
export interface HitQuery {
  /** base64url SHA-256 of the counter key (never a raw username or address). */
  key: string;
  /** Window length; a new window starts at the first hit after the previous one ended. */
  windowMs: number;
  /** Injectable clock for tests; defaults to `Date.now()` inside the object. */
  now?: number;
}

/** Events counted in the current window (this one included) and when the window ends. */
export interface HitResult {
  count: number;
  resetAt: number;
}
