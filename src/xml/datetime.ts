const XS_DATETIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xs:dateTime. A value without a time zone is taken as UTC (WS-Security 1.1 §10
 * requires UTC; being lenient here only widens what we accept to what the sender meant).
 * Returns undefined for anything that is not a valid date.
 */
export function parseXsDateTime(s: string): Date | undefined {
  const t = s.trim();
  if (!XS_DATETIME.test(t)) return undefined;
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(t) ? t : t + "Z";
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
