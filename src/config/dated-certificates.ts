/**
 * The certificates of one resolved configuration whose dates the operator must watch (see
 * src/keys/expiry.ts): its signing keys (as loaded into the key ring), its decryption keys and
 * its requestor CA certificates, each labelled so the operator can find it.
 */
import type { DatedCertificate } from "../keys/expiry.ts";
import { pemToDer } from "../keys/pem.ts";
import { parseCertificate } from "../keys/x509.ts";
import type { ResolvedConfig } from "./types.ts";

interface LoadedSigningKey {
  kid: string;
  status: DatedCertificate["status"];
  kty: string;
  notAfter: Date;
}

export function datedCertificates(config: ResolvedConfig, signing: readonly LoadedSigningKey[]): DatedCertificate[] {
  const out: DatedCertificate[] = signing.map((k) => ({ kind: "signing", label: `kid ${k.kid}`, status: k.status, kty: k.kty, notAfter: k.notAfter }));
  config.decryptionKeys.forEach((k, i) => {
    // Validated at load; a certificate that could not be read would have stopped it there.
    const cert = parseCertificate(pemToDer(k.certificatePem, "CERTIFICATE"));
    out.push({ kind: "decryption", label: `decryptionKeys[${i}]`, status: k.status, notAfter: cert.notAfter });
  });
  (config.requestorCertificates?.trust.authorities ?? []).forEach((a, i) => {
    out.push({ kind: "authority", label: `requestorCertificates.authorities[${i}]${a.subjectCommonName ? `, CN=${a.subjectCommonName}` : ""}`, status: "current", notAfter: a.notAfter });
  });
  return out;
}
