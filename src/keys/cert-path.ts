/**
 * Whether a requestor's certificate is one we trust (RFC 5280 §6, the parts an STS needs): pinned
 * by its SHA-256 thumbprint, or issued — directly or through intermediates sent with it — by a
 * configured certificate authority. Every certificate on the path must be valid at `now`, every
 * issuer a CA allowed to sign certificates at that depth, every signature made with an algorithm
 * we accept, every key at least as strong as src/keys/strength.ts asks, the end certificate
 * allowed to make digital signatures, and every certificate's extendedKeyUsage, where it has
 * one, allowing client authentication.
 *
 * Not checked: revocation (CRL / OCSP need the network at request time, which an edge worker
 * should not wait on; pin or re-issue instead), name constraints and certificate policies. A
 * certificate carrying name constraints is refused, critical or not (a path validator applies
 * them either way, RFC 5280 §6.1.4 (g)); one carrying certificate policies critically is refused
 * as not understood.
 */
import { fromBase64, toBase64, toHex } from "../bytes.ts";
import { isolateCaches } from "../cache.ts";
import { Asn1Error, children, expectTag, parseDer, TAG } from "./asn1.ts";
import { CURVE_FIELD_BYTES, ecdsaDerToRaw } from "./ecdsa-sig.ts";
import { keyWeakness } from "./strength.ts";
import { KEY_USAGE, OID_RSASSA_PSS, type ParsedCertificate, parseCertificate, rsaPssParameters } from "./x509.ts";

/** Where trust in requestor certificates comes from. */
export interface CertificateTrust {
  /** Trusted issuing CAs (their certificates). */
  authorities: readonly ParsedCertificate[];
  /** SHA-256 thumbprints (lower-case hex) of end certificates trusted as they are. */
  pinnedSha256: ReadonlySet<string>;
}

export type PathCheck =
  | { ok: true; certificate: ParsedCertificate; trustedBy: "pin" | "authority"; thumbprint: string }
  | { ok: false; reason: string };

/** Longest path walked from the end certificate to an authority (end and authority excluded). */
const MAX_INTERMEDIATES = 4;

/**
 * What was learnt about a parsed certificate, kept as long as the certificate object lives: a
 * requestor's certificate is parsed once and reused while it keeps signing requests (see
 * src/soap/message-signature.ts), so its thumbprint and its issuer's signature over it are
 * computed once. Both are pure functions of the certificate's exact DER and the issuer's key.
 */
const thumbprints = new WeakMap<ParsedCertificate, Promise<string>>();
const issuerVerdicts = new WeakMap<ParsedCertificate, WeakMap<ParsedCertificate, Promise<boolean>>>();

/** The largest certificate read from a request: client certificates are 1–2 KB. */
const MAX_CERTIFICATE_BYTES = 16384;
/** A certificate larger than this is parsed for each request rather than kept. */
const CACHED_CERTIFICATE_BYTES = 4096;

/**
 * Requestor certificates as parsed, by their exact base64 text: a requestor sends the same
 * certificate with every request (and a service forwards its callers' again and again), and the
 * parsed object carries what was checked about it once (its thumbprint, its issuer's signature,
 * below). Only certificates that parsed are kept; whether one is trusted is decided every time.
 */
const certificates = isolateCaches.cache<ParsedCertificate>("x509.requestor-certificates", {
  maxEntries: 8,
  maxKeyChars: Math.ceil(CACHED_CERTIFICATE_BYTES / 3) * 4,
  entryBytes: 2 * CACHED_CERTIFICATE_BYTES,
});

/**
 * The certificate a request carries as base64 (whitespace removed), parsed; when it is none, why
 * not ("the BinarySecurityToken does not hold a readable X.509 certificate: …", naming the
 * unsupported key, curve or string type, or what is malformed).
 */
export function requestorCertificate(base64: string): ParsedCertificate | string {
  const cert = readRequestorCertificate(base64);
  return typeof cert === "string" ? `the BinarySecurityToken does not hold a readable X.509 certificate: ${cert}` : cert;
}

/** {@link requestorCertificate}, saying only what is wrong when it is no certificate. */
function readRequestorCertificate(base64: string): ParsedCertificate | string {
  const known = certificates.get(base64);
  if (known) return known;
  const der = fromBase64(base64);
  if (!der || der.length === 0) return "it is not base64 DER";
  if (der.length > MAX_CERTIFICATE_BYTES) return `it is larger than ${MAX_CERTIFICATE_BYTES / 1024} KiB`;
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(der);
  } catch (e) {
    if (e instanceof Asn1Error) return e.message;
    throw e;
  }
  if (der.length <= CACHED_CERTIFICATE_BYTES) certificates.set(base64, cert);
  return cert;
}

/** Most certificates read from one certificate path: the end certificate, MAX_INTERMEDIATES, and the authority's own. */
const MAX_PATH_CERTIFICATES = MAX_INTERMEDIATES + 2;

/**
 * The certificates of an X509PKIPathv1 token as base64 (WSS X.509 Token Profile 1.1 §3.1: a
 * PkiPath, SEQUENCE OF Certificate, the one nearest the trust anchor first and the end
 * certificate last), parsed: the end certificate and the rest, offered as intermediates (the
 * authority's own certificate may be among them; only configured authorities are trusted).
 * When it is no such path, why not.
 */
export function requestorCertificatePath(base64: string): { end: ParsedCertificate; offered: ParsedCertificate[] } | string {
  const why = (detail: string) => `the BinarySecurityToken does not hold a readable X509PKIPathv1 certificate path: ${detail}`;
  const der = fromBase64(base64);
  if (!der || der.length === 0) return why("it is not base64 DER");
  if (der.length > MAX_PATH_CERTIFICATES * MAX_CERTIFICATE_BYTES) return why(`it is larger than ${(MAX_PATH_CERTIFICATES * MAX_CERTIFICATE_BYTES) / 1024} KiB`);
  const parsed: ParsedCertificate[] = [];
  try {
    const items = children(expectTag(parseDer(der), TAG.SEQUENCE, "PkiPath"));
    if (items.length === 0 || items.length > MAX_PATH_CERTIFICATES) return why(`it must hold 1 to ${MAX_PATH_CERTIFICATES} certificates`);
    for (const [i, item] of items.entries()) {
      const cert = readRequestorCertificate(toBase64(item.der));
      if (typeof cert === "string") return why(`certificate ${i + 1}: ${cert}`);
      parsed.push(cert);
    }
  } catch (e) {
    if (e instanceof Asn1Error) return why(e.message);
    throw e;
  }
  return { end: parsed[parsed.length - 1]!, offered: parsed.slice(0, -1) };
}

/** SHA-256 thumbprint of a certificate's DER, lower-case hex. */
export function certificateThumbprint(cert: ParsedCertificate): Promise<string> {
  let t = thumbprints.get(cert);
  if (!t) {
    t = crypto.subtle.digest("SHA-256", cert.der as Uint8Array<ArrayBuffer>).then((d) => toHex(new Uint8Array(d)));
    thumbprints.set(cert, t);
  }
  return t;
}

/**
 * Checks `end` (the certificate a request was signed with) against `trust`, using `offered`
 * (intermediates sent with it, untrusted until a path through them verifies) to build the path.
 */
export async function checkCertificatePath(
  end: ParsedCertificate,
  offered: readonly ParsedCertificate[],
  trust: CertificateTrust,
  now: Date,
): Promise<PathCheck> {
  const own = usable(end, now, "end");
  if (own) return { ok: false, reason: own };
  if (end.extensions.ca) return { ok: false, reason: "The certificate is a CA certificate; a requestor signs with an end-entity certificate." };
  if (end.extensions.keyUsage !== undefined && (end.extensions.keyUsage & KEY_USAGE.digitalSignature) === 0) {
    return { ok: false, reason: "The certificate's key usage does not allow digital signatures." };
  }
  const thumbprint = await certificateThumbprint(end);
  if (trust.pinnedSha256.has(thumbprint)) return { ok: true, certificate: end, trustedBy: "pin", thumbprint };

  const search: Search = { offered, trust, now, checks: 0, problem: undefined };
  if (await reaches(search, end, { depth: 0, counted: 0 }, new Set())) return { ok: true, certificate: end, trustedBy: "authority", thumbprint };
  return { ok: false, reason: search.problem ?? "The certificate is not pinned and no trusted authority issued it." };
}

/** Most issuer signatures one path check verifies (each candidate issuer tried costs one). */
const MAX_SIGNATURE_CHECKS = 16;

interface Search {
  offered: readonly ParsedCertificate[];
  trust: CertificateTrust;
  now: Date;
  /** Issuer signatures checked so far. */
  checks: number;
  /** The first reason a candidate issuer was passed over, reported when no path is found. */
  problem: string | undefined;
}

/**
 * Where a certificate stands in the path being built: `depth` intermediates below it, of which
 * `counted` are not self-issued. RFC 5280 §6.1.4 (l): only those count against a
 * pathLenConstraint — a self-issued certificate (issuer and subject the same name, §6.1) links
 * a CA's new key to its old one (RFC 4210 §4.4) and adds no CA — while every intermediate counts
 * against MAX_INTERMEDIATES, which bounds the work.
 */
interface Place {
  depth: number;
  counted: number;
}

/**
 * Whether `current`, at `at` in the path, leads to a trusted authority. Every candidate issuer
 * of the right name is tried in turn — an authority, then the certificates offered — so an
 * expired or unrelated certificate of the same name sent first (a CA's old certificate beside
 * its renewed one) does not hide the one that works. Bounded by MAX_INTERMEDIATES in depth and
 * MAX_SIGNATURE_CHECKS in work.
 */
async function reaches(s: Search, current: ParsedCertificate, at: Place, used: Set<ParsedCertificate>): Promise<boolean> {
  for (const authority of s.trust.authorities) {
    if (authority.subjectName !== current.issuerName) continue;
    const why = usable(authority, s.now, "authority") ?? issueRefusal(authority, at.counted, "authority");
    if (why) s.problem ??= why;
    else if (await issuedBy(s, current, authority)) return true;
  }
  for (const candidate of s.offered) {
    if (used.has(candidate) || candidate.subjectName !== current.issuerName) continue;
    if (at.depth === MAX_INTERMEDIATES) {
      s.problem ??= `The certificate path is too long: at most ${MAX_INTERMEDIATES} intermediate certificates are followed to a trusted authority.`;
      return false;
    }
    const why = usable(candidate, s.now, "intermediate") ?? issueRefusal(candidate, at.counted, "intermediate");
    if (why) {
      s.problem ??= why;
      continue;
    }
    if (!(await issuedBy(s, current, candidate))) continue;
    used.add(candidate);
    const selfIssued = candidate.subjectName === candidate.issuerName;
    if (await reaches(s, candidate, { depth: at.depth + 1, counted: at.counted + (selfIssued ? 0 : 1) }, used)) return true;
    used.delete(candidate);
  }
  return false;
}

async function issuedBy(s: Search, cert: ParsedCertificate, issuer: ParsedCertificate): Promise<boolean> {
  if (s.checks >= MAX_SIGNATURE_CHECKS) {
    s.problem ??= `The certificates sent offer too many candidate issuers (more than ${MAX_SIGNATURE_CHECKS} signatures to check).`;
    return false;
  }
  s.checks++;
  return signedBy(cert, issuer);
}

/** Why a certificate cannot be used at all at `now`, or undefined. */
function usable(c: ParsedCertificate, now: Date, role: string): string | undefined {
  if (c.notBefore.getTime() > now.getTime()) return `The ${role} certificate is not yet valid.`;
  if (c.notAfter.getTime() < now.getTime()) return `The ${role} certificate has expired.`;
  const flaw = certificateFlaw(c);
  return flaw && `The ${role} certificate ${flaw}.`;
}

/**
 * What keeps a certificate off every requestor's path, at any time, or undefined ("has …"). Its
 * key is held to the one minimum every door applies (src/keys/strength.ts): a signature by a
 * weak key, the requestor's own or a CA's, proves nothing. EC keys are P-256 or larger already
 * (the parser reads no smaller curve).
 */
export function certificateFlaw(c: ParsedCertificate): string | undefined {
  if (c.extensions.unknownCritical.length > 0) return `has a critical extension this STS does not understand (${c.extensions.unknownCritical[0]})`;
  const weak = keyWeakness(c);
  if (weak) return `has ${weak}`;
  if (!allowsClientAuth(c)) return "has an extended key usage that does not include client authentication";
  return undefined;
}

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

/**
 * RFC 5280 §4.2.1.12: a certificate with extendedKeyUsage serves only the purposes it lists, and
 * a requestor authenticates as a TLS client does (id-kp-clientAuth, or anyExtendedKeyUsage).
 * Without the extension any purpose is allowed. Applied to every certificate on the path, CAs
 * included, as OpenSSL's sslclient purpose and Windows do: a CA whose extendedKeyUsage leaves
 * client authentication out has not been trusted to issue client certificates.
 */
function allowsClientAuth(c: ParsedCertificate): boolean {
  const purposes = c.extensions.extendedKeyUsage;
  return purposes === undefined || purposes.includes(CLIENT_AUTH) || purposes.includes(ANY_EXTENDED_KEY_USAGE);
}

/**
 * Why `ca` (an authority or intermediate, as `role` says) may not sign a certificate with `below`
 * CA certificates that are not self-issued between it and the end certificate, or undefined.
 */
function issueRefusal(ca: ParsedCertificate, below: number, role: string): string | undefined {
  const flaw = issuerFlaw(ca);
  if (flaw) return `The ${role} certificate ${flaw}.`;
  if (ca.extensions.pathLength !== undefined && below > ca.extensions.pathLength) {
    return `The ${role} certificate's pathLenConstraint (${ca.extensions.pathLength}) allows fewer CA certificates below it than the path has.`;
  }
  return undefined;
}

/**
 * Why a certificate may sign no certificates at all, or undefined: it must be a CA
 * (basicConstraints cA, RFC 5280 §4.2.1.9; only a v3 certificate has one) with keyCertSign
 * when it states its key usage (§4.2.1.3), and without nameConstraints (§4.2.1.10): a path
 * validator applies those to every certificate below the CA whether or not they are marked
 * critical (§6.1.4 (g); OpenSSL and Java's PKIX do), and this STS does not apply them, so a
 * CA they limit would otherwise vouch for names outside its limits.
 */
export function issuerFlaw(c: ParsedCertificate): string | undefined {
  if (!c.extensions.ca) return "is not a CA certificate (basicConstraints cA is not set)";
  if (c.extensions.keyUsage !== undefined && (c.extensions.keyUsage & KEY_USAGE.keyCertSign) === 0) return "has a keyUsage without keyCertSign";
  if (c.extensions.nameConstraints) return "has name constraints, which this STS does not apply";
  return undefined;
}

type Hash = "SHA-256" | "SHA-384" | "SHA-512";
const RSA_PKCS1: Record<string, Hash> = {
  "1.2.840.113549.1.1.11": "SHA-256",
  "1.2.840.113549.1.1.12": "SHA-384",
  "1.2.840.113549.1.1.13": "SHA-512",
};
const ECDSA: Record<string, Hash> = {
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
};
const HASH_OIDS: Record<string, Hash> = {
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

/**
 * An issuer's verify key per import parameters, imported once per parsed certificate: the
 * configured authorities are parsed once per configuration, so their keys are imported once.
 */
const issuerKeys = new WeakMap<ParsedCertificate, Map<string, Promise<CryptoKey>>>();

function issuerKey(issuer: ParsedCertificate, params: { name: string; hash?: string; namedCurve?: string }): Promise<CryptoKey> {
  let byParams = issuerKeys.get(issuer);
  if (!byParams) issuerKeys.set(issuer, (byParams = new Map()));
  const id = `${params.name}/${params.hash ?? params.namedCurve ?? ""}`;
  let p = byParams.get(id);
  if (!p) {
    p = crypto.subtle.importKey("spki", issuer.spki as Uint8Array<ArrayBuffer>, params, false, ["verify"]);
    byParams.set(id, p);
    p.catch(() => byParams.delete(id));
  }
  return p;
}

/**
 * Whether `issuer`'s key signed `cert`. SHA-1 signatures (and anything not listed above) are not
 * accepted: a forged SHA-1 certificate is within reach of a determined attacker.
 */
function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<boolean> {
  let byIssuer = issuerVerdicts.get(cert);
  if (!byIssuer) issuerVerdicts.set(cert, (byIssuer = new WeakMap()));
  let verdict = byIssuer.get(issuer);
  if (!verdict) {
    verdict = verifyIssuerSignature(cert, issuer);
    byIssuer.set(issuer, verdict);
    const memo = byIssuer;
    verdict.catch(() => memo.delete(issuer));
  }
  return verdict;
}

async function verifyIssuerSignature(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<boolean> {
  const alg = cert.signatureAlgorithmOid;
  const data = cert.tbs as Uint8Array<ArrayBuffer>;
  try {
    if (issuer.kty === "RSA" && RSA_PKCS1[alg]) {
      const key = await issuerKey(issuer, { name: "RSASSA-PKCS1-v1_5", hash: RSA_PKCS1[alg] });
      return await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, cert.signatureValue as Uint8Array<ArrayBuffer>, data);
    }
    if (issuer.kty === "RSA" && alg === OID_RSASSA_PSS && cert.signatureParameters) {
      const { hash, saltLength } = pssParameters(cert.signatureParameters);
      const key = await issuerKey(issuer, { name: "RSA-PSS", hash });
      return await crypto.subtle.verify({ name: "RSA-PSS", saltLength }, key, cert.signatureValue as Uint8Array<ArrayBuffer>, data);
    }
    if (issuer.kty === "EC" && ECDSA[alg] && issuer.namedCurve) {
      const key = await issuerKey(issuer, { name: "ECDSA", namedCurve: issuer.namedCurve });
      const raw = ecdsaDerToRaw(cert.signatureValue, CURVE_FIELD_BYTES[issuer.namedCurve]) as Uint8Array<ArrayBuffer>;
      return await crypto.subtle.verify({ name: "ECDSA", hash: ECDSA[alg] }, key, raw, data);
    }
  } catch (e) {
    if (e instanceof Asn1Error || e instanceof DOMException || e instanceof TypeError) return false;
    throw e;
  }
  return false;
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1, read by {@link rsaPssParameters}) limited to what is sound
 * and common: SHA-2 with MGF1 over the same hash. The SHA-1 defaults of an absent field are refused.
 */
function pssParameters(der: Uint8Array): { hash: Hash; saltLength: number } {
  const p = rsaPssParameters(der);
  if (p.mgf1HashOid === undefined) throw new Asn1Error("unsupported PSS mask generation");
  const hash = HASH_OIDS[p.hashOid];
  if (!hash || hash !== HASH_OIDS[p.mgf1HashOid]) throw new Asn1Error("unsupported PSS hash");
  return { hash, saltLength: p.saltLength };
}
