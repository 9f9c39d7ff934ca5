/**
 * Instants a token states, and the rules for instants that come from outside (a trusted
 * issuer's token, a request) before anything is built from them. xs:dateTime text is read by
 * the one strict parser, src/xml/datetime.ts; JWT NumericDates here.
 */

/**
 * The instants a token of ours can state: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
 * JWT NumericDates count seconds from 1970 (RFC 7519 §2), and SAML times are written as
 * xs:dateTime with a four-digit year: `Date.toISOString` writes year 10000 as `+010000-…`,
 * which no xs:dateTime reader (ours included) accepts.
 */
export const EARLIEST_INSTANT_MS = 0;
export const LATEST_INSTANT_MS = 253_402_300_799_999;

/** A JWT NumericDate (RFC 7519 §2): whole seconds since 1970, floored, as our JWTs state every instant. */
export function numericDateOf(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** The date is a real instant that a token of ours can state. */
export function writableInstant(d: Date): boolean {
  const t = d.getTime();
  return t >= EARLIEST_INSTANT_MS && t <= LATEST_INSTANT_MS; // false for NaN
}

/** The time claims of a JWT, each absent or a valid NumericDate. */
export interface JwtTimes {
  iat: Date | undefined;
  nbf: Date | undefined;
  exp: Date | undefined;
  /** OpenID Connect Core §2 `auth_time`: when the subject authenticated. */
  authTime: Date | undefined;
}

/**
 * Reads `iat`, `nbf`, `exp` and `auth_time`. Each must be absent or an integer count of seconds
 * in the writable range; `undefined` when one is not. RFC 7519 allows fractions, but no issuer
 * we know writes them, and a value like `1e20` or a count of milliseconds is a mistake or an
 * attack to refuse, not a time to compute with.
 */
export function jwtTimes(p: Readonly<Record<string, unknown>>): JwtTimes | undefined {
  const iat = numericDate(p.iat);
  const nbf = numericDate(p.nbf);
  const exp = numericDate(p.exp);
  const authTime = numericDate(p.auth_time);
  if (iat === null || nbf === null || exp === null || authTime === null) return undefined;
  return { iat, nbf, exp, authTime };
}

/** A NumericDate claim: undefined when absent, null when present but not acceptable. */
function numericDate(v: unknown): Date | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) return null;
  const d = new Date(v * 1000);
  return writableInstant(d) ? d : null;
}

/**
 * An instant a sender says has already happened (it issued the token, the subject
 * authenticated): `undefined` (refuse) when it lies more than `skewMs` in the future or
 * outside the writable range. Within the skew it is taken as `now`, so a sender's clock running
 * ahead never lengthens what is derived from it (the maximum total lifetime counted from an
 * authentication, for one).
 */
export function pastInstant(d: Date, now: Date, skewMs: number): Date | undefined {
  if (!writableInstant(d) || d.getTime() > now.getTime() + skewMs) return undefined;
  return d.getTime() > now.getTime() ? new Date(now.getTime()) : d;
}
