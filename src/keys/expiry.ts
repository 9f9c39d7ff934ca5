/**
 * What an operator must hear about the STS's own certificates before anyone else notices:
 * - a current signing certificate that has expired (relying parties that check certificate
 *   dates refuse its tokens) or will within EXPIRY_WARNING_DAYS (time to publish its successor
 *   as `next`, so relying parties learn it from metadata before it signs);
 * - the same for the current decryption certificate, which partners encrypt proof keys to;
 * - a requestor CA certificate near or past its end (every certificate it issued then stops
 *   authenticating);
 * - a `next` certificate that expired before it was used.
 * `previous` ones only verify or open what was made before: their dates do not matter here.
 */

/** Long enough for relying parties that refresh metadata daily or weekly to learn a successor. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export interface DatedCertificate {
  kind: "signing" | "decryption" | "authority";
  /** How the operator finds it: a kid, or a configuration path and subject. */
  label: string;
  /** Authorities are always in use: "current". */
  status: "current" | "next" | "previous";
  /** RSA / EC for keys, to tell two current ones apart. */
  kty?: string;
  notAfter: Date;
}

export interface ExpiryNotice {
  level: "warn" | "error";
  event: "certificate_expiring" | "certificate_expired";
  kind: DatedCertificate["kind"];
  certificate: string;
  status: "current" | "next";
  not_after: string;
  message: string;
}

const WHAT: Record<DatedCertificate["kind"], string> = { signing: "signing certificate", decryption: "decryption certificate", authority: "requestor CA certificate" };

/** What happens once a current certificate of this kind has expired. */
const AFTER: Record<DatedCertificate["kind"], string> = {
  signing: "relying parties that check certificate dates refuse the tokens it signs. Rotate to a new key now.",
  decryption: "partners that check certificate dates no longer encrypt proof keys to it. Rotate to a new decryption key now.",
  authority: "requestor certificates it issued no longer authenticate. Add the CA's new certificate to requestorCertificates.authorities now.",
};

/** What to do while there is time. */
const BEFORE: Record<DatedCertificate["kind"], string> = {
  signing: "publish its successor as a next key now, so relying parties learn it from metadata before it signs.",
  decryption: "publish its successor as a next decryption key now, so partners learn it from metadata before it is current.",
  authority: "add the CA's new certificate to requestorCertificates.authorities before then.",
};

/** The notices for these certificates at `now` (none when all is well). */
export function expiryNotices(certs: readonly DatedCertificate[], now: Date): ExpiryNotice[] {
  const out: ExpiryNotice[] = [];
  for (const c of certs) {
    if (c.status === "previous") continue;
    const left = c.notAfter.getTime() - now.getTime();
    const when = c.notAfter.toISOString();
    const what = `The ${c.status === "next" ? "next " : c.kind === "authority" ? "" : "current "}${c.kty ? `${c.kty} ` : ""}${WHAT[c.kind]} (${c.label})`;
    const base = { kind: c.kind, certificate: c.label, status: c.status, not_after: when };
    if (left <= 0) {
      out.push(c.status === "current"
        ? { ...base, level: "error", event: "certificate_expired", message: `${what} expired on ${when}: ${AFTER[c.kind]}` }
        : { ...base, level: "warn", event: "certificate_expired", message: `${what} expired on ${when} before it was used: replace it with a new one.` });
    } else if (c.status === "current" && left <= EXPIRY_WARNING_DAYS * DAY_MS) {
      const days = Math.ceil(left / DAY_MS);
      // With a successor already published, what is left to do is to switch to it.
      const next = certs.find((n) => n.status === "next" && n.kind === c.kind && n.kty === c.kty && n.notAfter.getTime() > c.notAfter.getTime());
      const todo = next ? `its successor (${next.label}) is published as next: make it current, and this one previous, before then.` : BEFORE[c.kind];
      out.push({ ...base, level: "warn", event: "certificate_expiring", message: `${what} expires on ${when}, in ${days} day${days === 1 ? "" : "s"}: ${todo}` });
    }
  }
  return out;
}
