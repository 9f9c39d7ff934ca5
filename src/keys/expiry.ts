/**
 * What an operator must hear about the signing certificates before relying parties do: a
 * current certificate that has expired (validating relying parties refuse its tokens) or will
 * within EXPIRY_WARNING_DAYS (time to publish its successor as `next`, so relying parties learn
 * it from metadata before it signs), and a `next` one that expired before it was used.
 * `previous` keys only verify tokens already issued: their dates do not matter here.
 */

/** Long enough for relying parties that refresh metadata daily or weekly to learn a successor. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export interface ExpiryNotice {
  level: "warn" | "error";
  event: "key_expiring" | "key_expired";
  kid: string;
  status: "current" | "next";
  not_after: string;
  message: string;
}

interface DatedKey {
  kid: string;
  status: "current" | "next" | "previous";
  kty: "RSA" | "EC";
  notAfter: Date;
}

/** The notices for a key ring's keys at `now` (none when all is well). */
export function expiryNotices(keys: readonly DatedKey[], now: Date): ExpiryNotice[] {
  const out: ExpiryNotice[] = [];
  for (const k of keys) {
    if (k.status === "previous") continue;
    const left = k.notAfter.getTime() - now.getTime();
    const when = k.notAfter.toISOString();
    const what = `The ${k.status} ${k.kty} signing certificate (kid ${k.kid})`;
    const base = { kid: k.kid, status: k.status, not_after: when };
    if (left <= 0) {
      out.push(k.status === "current"
        ? { ...base, level: "error", event: "key_expired", message: `${what} expired on ${when}: relying parties that check certificate validity refuse the tokens it signs. Rotate to a new key now.` }
        : { ...base, level: "warn", event: "key_expired", message: `${what} expired on ${when} before it was used: replace it with a new one.` });
    } else if (k.status === "current" && left <= EXPIRY_WARNING_DAYS * DAY_MS) {
      const days = Math.ceil(left / DAY_MS);
      out.push({ ...base, level: "warn", event: "key_expiring", message: `${what} expires on ${when}, in ${days} day${days === 1 ? "" : "s"}: publish its successor as a next key now, so relying parties learn it from metadata before it signs.` });
    }
  }
  return out;
}
