/**
 * The certificates of one resolved configuration whose dates the operator must watch (see
 * src/keys/expiry.ts): its signing keys (as loaded into the key ring), its decryption keys, its
 * requestor CA certificates, its trusted issuers' pinned certificates and its relying parties'
 * encryption certificates, each labelled so the operator can find it.
 */
import type { DatedCertificate } from "../keys/expiry.ts";
import { pemToDer } from "../keys/pem.ts";
import { parseCertificate } from "../keys/x509.ts";
import type { ResolvedConfig } from "./types.ts";

interface LoadedSigningKey {
  kid: string;
  status: DatedCertificate["status"];
  kty: string;
  notBefore: Date;
  notAfter: Date;
}

/** Validated at load: a certificate that could not be read would have stopped it there. */
function dates(pem: string): { notBefore: Date; notAfter: Date; subject: string } {
  const c = parseCertificate(pemToDer(pem, "CERTIFICATE"));
  return { notBefore: c.notBefore, notAfter: c.notAfter, subject: c.subjectCommonName ? `, CN=${c.subjectCommonName}` : "" };
}

export function datedCertificates(config: ResolvedConfig, signing: readonly LoadedSigningKey[]): DatedCertificate[] {
  const out: DatedCertificate[] = signing.map((k) => ({ kind: "signing", label: `kid ${k.kid}`, status: k.status, kty: k.kty, notBefore: k.notBefore, notAfter: k.notAfter }));
  config.decryptionKeys.forEach((k, i) => {
    const { notBefore, notAfter } = dates(k.certificatePem);
    out.push({ kind: "decryption", label: `decryptionKeys[${i}]`, status: k.status, notBefore, notAfter });
  });
  (config.requestorCertificates?.trust.authorities ?? []).forEach((a, i) => {
    out.push({ kind: "authority", label: `requestorCertificates.authorities[${i}]${a.subjectCommonName ? `, CN=${a.subjectCommonName}` : ""}`, status: "current", notBefore: a.notBefore, notAfter: a.notAfter });
  });
  config.trustedIssuers.forEach((t, i) => {
    t.certificates.forEach((pem, j) => {
      const { notBefore, notAfter, subject } = dates(pem);
      out.push({ kind: "partner", label: `trustedIssuers[${i}].certificates[${j}] of ${t.issuer}${subject}`, status: "current", notBefore, notAfter });
    });
  });
  config.relyingParties.forEach((rp, i) => {
    rp.encryption?.certificates.forEach((c, j) => {
      const { notBefore, notAfter, subject } = dates(c.certificatePem);
      out.push({ kind: "encryption", label: `relyingParties[${i}].encryption.certificates[${j}] of ${rp.identifier}${subject}`, status: c.status, owner: rp.identifier, notBefore, notAfter });
    });
  });
  return out;
}
