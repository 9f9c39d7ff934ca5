/**
 * What an operator must hear about the configured certificates' dates before anyone else notices:
 * - a current signing certificate that has expired or is not valid yet (relying parties that
 *   check certificate dates refuse its tokens) or that expires within EXPIRY_WARNING_DAYS (time
 *   to publish its successor as `next`, so relying parties learn it from metadata before it signs);
 * - the same for the current decryption certificate, which partners encrypt proof keys to;
 * - a requestor CA certificate, a trusted issuer's pinned certificate or a relying party's
 *   current encryption certificate near or past its end, or not valid yet;
 * - a `next` certificate that expired before it was used, or is not valid yet (it must not be
 *   made current before it is).
 * `previous` ones only verify or open what was made before: their dates do not matter here.
 *
 * These are notices, never refusals, for every kind alike: a configuration is validated once per
 * isolate, so a date that refused it would stop the whole STS at whichever restart came after the
 * date, not when the configuration changed; and a certificate past its dates may still be the
 * one a partner signs with. Pinned certificates are trusted for their key: their dates are not
 * checked when a token is verified or encrypted.
 */

/** Long enough for relying parties that refresh metadata daily or weekly to learn a successor. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export interface DatedCertificate {
  kind: "signing" | "decryption" | "authority" | "partner" | "encryption";
  /** How the operator finds it: a kid, or a configuration path and subject. */
  label: string;
  /** Authorities and partners' certificates are always in use: "current". */
  status: "current" | "next" | "previous";
  /** RSA / EC for keys, to tell two current ones apart. */
  kty?: string;
  /** Certificates that succeed one another share it: a relying party's encryption certificates. */
  owner?: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ExpiryNotice {
  level: "warn" | "error";
  event: "certificate_expiring" | "certificate_expired" | "certificate_not_yet_valid";
  kind: DatedCertificate["kind"];
  certificate: string;
  status: "current" | "next";
  not_before: string;
  not_after: string;
  message: string;
}

const WHAT: Record<DatedCertificate["kind"], string> = {
  signing: "signing certificate",
  decryption: "decryption certificate",
  authority: "requestor CA certificate",
  partner: "trusted issuer's certificate",
  encryption: "relying party's encryption certificate",
};

/** Kinds whose certificates are all in use at once, so they have no status to name. */
const ALWAYS_IN_USE = new Set<DatedCertificate["kind"]>(["authority", "partner"]);

/** What happens once a current certificate of this kind has expired. */
const AFTER: Record<DatedCertificate["kind"], string> = {
  signing: "relying parties that check certificate dates refuse the tokens it signs. Rotate to a new key now.",
  decryption: "partners that check certificate dates no longer encrypt proof keys to it. Rotate to a new decryption key now.",
  authority: "requestor certificates it issued no longer authenticate. Add the CA's new certificate to requestorCertificates.authorities now.",
  partner: "tokens signed with its key still verify here, but the partner has likely moved to a new certificate: pin that one beside it, then remove this one.",
  encryption: "a relying party that checks certificate dates may refuse tokens encrypted to it. Ask it for its new certificate and make that one current.",
};

/** What to do while there is time. */
const BEFORE: Record<DatedCertificate["kind"], string> = {
  signing: "publish its successor as a next key now, so relying parties learn it from metadata before it signs.",
  decryption: "publish its successor as a next decryption key now, so partners learn it from metadata before it is current.",
  authority: "add the CA's new certificate to requestorCertificates.authorities before then.",
  partner: "pin the partner's new certificate beside it before then (both verify until this one is removed).",
  encryption: "ask the relying party for its new certificate and add it as next, to make it current before then.",
};

/** What happens while a current certificate of this kind is not valid yet. */
const EARLY: Record<DatedCertificate["kind"], string> = {
  signing: "until then relying parties that check certificate dates refuse the tokens it signs. Keep a certificate valid now current, and this one next.",
  decryption: "until then partners that check certificate dates do not encrypt to it. Keep a certificate valid now current, and this one next.",
  authority: "until then requestor certificates it issued do not authenticate.",
  partner: "tokens signed with its key verify here already; check that it is the certificate the partner signs with.",
  encryption: "until then a relying party that checks certificate dates may refuse tokens encrypted to it. Keep a certificate valid now current, and this one next.",
};

/** The notices for these certificates at `now` (none when all is well). */
export function expiryNotices(certs: readonly DatedCertificate[], now: Date): ExpiryNotice[] {
  const out: ExpiryNotice[] = [];
  for (const c of certs) {
    if (c.status === "previous") continue;
    const left = c.notAfter.getTime() - now.getTime();
    const when = c.notAfter.toISOString();
    const from = c.notBefore.toISOString();
    const what = `The ${c.status === "next" ? "next " : ALWAYS_IN_USE.has(c.kind) ? "" : "current "}${c.kty ? `${c.kty} ` : ""}${WHAT[c.kind]} (${c.label})`;
    const base = { kind: c.kind, certificate: c.label, status: c.status, not_before: from, not_after: when };
    if (left <= 0) {
      out.push(c.status === "current"
        ? { ...base, level: "error", event: "certificate_expired", message: `${what} expired on ${when}: ${AFTER[c.kind]}` }
        : { ...base, level: "warn", event: "certificate_expired", message: `${what} expired on ${when} before it was used: replace it with a new one.` });
    } else if (c.notBefore.getTime() > now.getTime()) {
      out.push(c.status === "current"
        ? { ...base, level: c.kind === "partner" ? "warn" : "error", event: "certificate_not_yet_valid", message: `${what} is not valid until ${from}: ${EARLY[c.kind]}` }
        : { ...base, level: "warn", event: "certificate_not_yet_valid", message: `${what} is not valid until ${from}: make it current no earlier than that.` });
    } else if (c.status === "current" && left <= EXPIRY_WARNING_DAYS * DAY_MS) {
      const days = Math.ceil(left / DAY_MS);
      // With a successor already published, what is left to do is to switch to it.
      const next = certs.find((n) => n.status === "next" && n.kind === c.kind && n.kty === c.kty && n.owner === c.owner && n.notAfter.getTime() > c.notAfter.getTime());
      const todo = next ? `its successor (${next.label}) is published as next: make it current, and this one previous, before then.` : BEFORE[c.kind];
      out.push({ ...base, level: "warn", event: "certificate_expiring", message: `${what} expires on ${when}, in ${days} day${days === 1 ? "" : "s"}: ${todo}` });
    }
  }
  return out;
}
