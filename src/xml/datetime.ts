/**
 * xs:dateTime (XML Schema 1.0 Part 2 §3.2.7) as this STS reads it from outside: WS-Trust
 * Lifetime, wsu:Timestamp and UsernameToken Created, SAML times in presented assertions. One
 * strict parser for all of them, because the runtime's `Date.parse` normalises what it should
 * refuse: `2027-02-30` becomes 2 March, an offset of `-23:59` is applied as given, `24:00:00`
 * rolls into the next day and `+058895-…` is a date. A sender and this STS must never disagree
 * about which instant a message names.
 *
 * Accepted: `YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)?`, surrounded by XML white space at most
 * (xs:dateTime collapses white space). The year has exactly four digits, 0001–9999, no sign;
 * the day exists in that month of the proleptic Gregorian calendar; hours 00–23 (the `24:00:00`
 * form is refused), minutes and seconds 00–59 (no leap second); a time zone is at most ±14:00
 * (§3.2.7.3). Fractions past milliseconds are truncated, never rounded up. A value without a
 * time zone is a local time of no stated place, which XML Schema leaves unordered against a
 * zoned one (§3.2.7.4): where the format demands a zone (`timeZone: "required"`, or
 * {@link zonedInstant}, which says why: WS-Security's wsu:Created / wsu:Expires, in UTC by
 * WS-Security 1.1 §10, as WSS4J reads them; SAML's times, in UTC by SAML 2.0 core §1.3.3) it is
 * refused; elsewhere it is taken as UTC.
 */
import { collapse } from "./xs.ts";

const XS_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))?$/;

/** An instant in UTC; unlike `Date.UTC`, years below 100 stay themselves. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** Earliest and latest instants the parser returns: the four-digit years. */
const FIRST_MS = utc(1, 1, 1, 0, 0, 0, 0);
const LAST_MS = utc(9999, 12, 31, 23, 59, 59, 999);

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** How a caller reads a value without a time zone: as UTC, or as no instant at all. */
export interface XsDateTimeOptions {
  timeZone?: "optional" | "required";
}

/**
 * Parses an xs:dateTime strictly (see above). Returns undefined for anything else, including a
 * value whose time zone moves it outside the years 0001–9999, and a value with no time zone
 * when `timeZone` is "required".
 */
export function parseXsDateTime(s: string, opts: XsDateTimeOptions = {}): Date | undefined {
  // xs:dateTime's whiteSpace is "collapse" (the edges go; inner white space stays, and fails
  // the pattern). Not an /[ \t\r\n]+$/ regex: tried at every start of a run of spaces that is
  // not the end, it is quadratic, and wsu:Created is read before anyone is authenticated.
  const m = XS_DATETIME.exec(collapse(s));
  if (!m) return undefined;
  if (opts.timeZone === "required" && m[8] === undefined && m[9] === undefined) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (om > 59 || oh * 60 + om > 14 * 60) return undefined;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const t = utc(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return t < FIRST_MS || t > LAST_MS ? undefined : new Date(t);
}

/**
 * An xs:dateTime of a format whose times are in UTC (WS-Security 1.1 §10: "The time MUST be
 * specified in UTC"; SAML 2.0 core §1.3.3: "MUST be expressed in UTC form"): the instant it
 * names, "no time zone" when it is a well-formed xs:dateTime without one, or undefined when it
 * is no xs:dateTime. One without a zone names no instant — read as UTC it would mean another
 * time than its sender's local one, and WSS4J refuses it — so a caller refuses it with that
 * reason, as it refuses a malformed time. An offset (`+01:00`) names its instant exactly and is
 * read as that instant.
 */
export function zonedInstant(v: string): Date | "no time zone" | undefined {
  const d = parseXsDateTime(v, { timeZone: "required" });
  return d === undefined && parseXsDateTime(v) !== undefined ? "no time zone" : d;
}
