/**
 * Just enough PEM/DER reading to validate key material at configuration time, synchronously
 * and without importing keys: which algorithm a PKCS#8 private key is for (RFC 5208 §5,
 * RFC 5480 §2.1.1), and whether a certificate PEM is well-formed. Importing and matching keys
 * to certificates is the key ring's job at load.
 */
import { fromBase64 } from "../bytes.ts";
import { Asn1Error, children, expectTag, parseDer, readOid } from "../keys/asn1.ts";
import { CURVE_OIDS, OID_EC, OID_RSA, type ParsedCertificate, parseCertificate } from "../keys/x509.ts";

/** The algorithm of a signing key, as far as the STS cares. */
export type KeyAlgorithm = "RSA" | "EC P-256" | "EC P-384" | "EC P-521";

const PEM_RE = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----$/;

const EXPECTED = "expected one PEM block (-----BEGIN ...----- base64 -----END ...-----)";
/** How a PEM keeps its line breaks: a secret takes the file as it is; JSON writes each as one \n. */
const AS_IS = "put the PEM file in a secret as it is (npx wrangler secret put NAME < file.pem), or inline in JSON with each line break written as \\n once";

/** Decodes a single-block PEM; returns its label and DER, or a reason string. */
export function decodePem(pem: string): { label: string; der: Uint8Array } | string {
  const text = pem.trim().replace(/\r\n/g, "\n");
  const m = PEM_RE.exec(text);
  if (!m) return pemMistake(text);
  const der = fromBase64((m[2] as string).replace(/\s+/g, ""));
  if (!der || der.length < 2 || der[0] !== 0x30) return `the ${m[1]} PEM body is not base64 DER`;
  return { label: m[1] as string, der };
}

/**
 * What is wrong with a text that is not one PEM block, told apart by how PEM usually gets
 * mangled on its way into a secret or a JSON string: its line breaks escaped twice, removed or
 * made spaces; more than one block (a certificate chain, a key and its certificate in one
 * file); an encrypted key's headers.
 */
function pemMistake(text: string): string {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((b) => b[1]!);
  if (labels.length === 0) return `${EXPECTED}, found no -----BEGIN line`;
  if (labels.length > 1) {
    const chain = labels.every((l) => l === "CERTIFICATE");
    return `${EXPECTED}, found ${labels.length} (${labels.join(", ")})` +
      (chain ? ": a certificate chain; give only the first certificate, without the certificates of its issuers" : ": give each in its own field");
  }
  const begin = `-----BEGIN ${labels[0]}-----`;
  const end = `-----END ${labels[0]}-----`;
  const at = text.indexOf(end);
  if (at < 0) return `${EXPECTED}, found ${begin} without its ${end} line`;
  const body = text.slice(text.indexOf(begin) + begin.length, at).trim();
  if (body.includes("\\n")) return `${EXPECTED}, found the two characters \\n where its line breaks belong (the text was escaped twice): ${AS_IS}`;
  if (!text.includes("\n")) {
    return / /.test(body)
      ? `${EXPECTED}, found it on one line with spaces where its line breaks belong: ${AS_IS}`
      : `${EXPECTED}, found it on one line, without line breaks: ${AS_IS}`;
  }
  if (/^[A-Za-z-]+:/m.test(body)) {
    return /^Proc-Type: *4,ENCRYPTED/m.test(body)
      ? `${EXPECTED} without headers, found an encrypted key (Proc-Type: 4,ENCRYPTED): decrypt it into PKCS#8 with openssl pkcs8 -topk8 -nocrypt -in key.pem`
      : `${EXPECTED} without headers, found header lines (name: value) before the base64`;
  }
  return `${EXPECTED}, found something else than base64 between its ${begin} and ${end} lines`;
}

/**
 * Checks a certificate PEM: one block that parses as an X.509 certificate with a key type the
 * STS reads (RSA, EC P-256/384/521). Returns the normalised PEM and the certificate, or a
 * reason string. Whether its key is strong enough is the caller's to ask
 * (src/keys/strength.ts), as the message depends on what the certificate is for.
 */
export function checkCertificatePem(pem: string): string | { pem: string; cert: ParsedCertificate } {
  const d = decodePem(pem);
  if (typeof d === "string") return d;
  if (d.label !== "CERTIFICATE") return `expected a CERTIFICATE PEM, got ${d.label}`;
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(d.der);
  } catch (e) {
    return `the certificate cannot be read (${e instanceof Asn1Error ? e.message : "malformed DER"})`;
  }
  return { pem: pem.trim().replace(/\r\n/g, "\n"), cert };
}


/**
 * The algorithm of an unencrypted PKCS#8 private key PEM (`BEGIN PRIVATE KEY`), or a reason
 * string. PKCS#1 / SEC1 / encrypted keys are refused with the conversion command, because
 * WebCrypto's `importKey("pkcs8")` accepts only unencrypted PKCS#8.
 */
export function privateKeyAlgorithm(pem: string): KeyAlgorithm | string {
  const d = decodePem(pem);
  if (typeof d === "string") return d;
  if (d.label === "RSA PRIVATE KEY" || d.label === "EC PRIVATE KEY" || d.label === "ENCRYPTED PRIVATE KEY") {
    return `expected an unencrypted PKCS#8 "PRIVATE KEY" PEM, got ${d.label} (convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem)`;
  }
  if (d.label !== "PRIVATE KEY") return `expected a PKCS#8 "PRIVATE KEY" PEM, got ${d.label}`;
  // PrivateKeyInfo ::= SEQUENCE { version INTEGER, AlgorithmIdentifier SEQUENCE { OID, params }, OCTET STRING }
  let alg: string;
  let params: string | undefined;
  try {
    const [version, algId] = children(parseDer(d.der));
    expectTag(version, 0x02, "version");
    const [oidNode, paramNode] = children(expectTag(algId, 0x30, "AlgorithmIdentifier"));
    alg = readOid(expectTag(oidNode, 0x06, "algorithm"));
    params = paramNode?.tag === 0x06 ? readOid(paramNode) : undefined;
  } catch (e) {
    if (e instanceof Asn1Error) return "the PKCS#8 structure is malformed";
    throw e;
  }
  if (alg === OID_RSA) return "RSA";
  if (alg === OID_EC) {
    const curve = params === undefined ? undefined : CURVE_OIDS[params];
    return curve ? `EC ${curve}` : "unsupported EC curve (use P-256, P-384 or P-521)";
  }
  return "unsupported key algorithm (use RSA or EC P-256/P-384/P-521)";
}

/** The algorithm of a certificate's public key, in {@link privateKeyAlgorithm}'s terms; undefined when it cannot be read. */
export function certificateKeyAlgorithm(pem: string): KeyAlgorithm | undefined {
  const d = decodePem(pem);
  if (typeof d === "string") return undefined;
  try {
    const c = parseCertificate(d.der);
    return c.kty === "RSA" ? "RSA" : c.namedCurve ? (`EC ${c.namedCurve}` as KeyAlgorithm) : undefined;
  } catch {
    return undefined;
  }
}
