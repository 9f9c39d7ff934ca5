/**
 * X.509 v3 certificates (RFC 5280): parse just enough to pin and use the key, and build the
 * self-signed signing certificates that WS-Federation / SAML metadata publish.
 */
import {
  Asn1Error, bitString, boolean, children, explicit, expectTag, integer, nullValue, octetString, oid,
  parseDer, readBitString, readBoolean, readOid, readSmallInteger, readString, readTime, readUnsignedInteger, seq, set,
  TAG, time, utf8String,
} from "./asn1.ts";
import type { Asn1Node } from "./asn1.ts";
import { constantTimeEqual } from "../bytes.ts";
import { ecdsaRawToDer } from "./ecdsa-sig.ts";
import { comparableName } from "./x509-name.ts";
import { bitLength } from "./strength.ts";
import type { NamedCurve } from "./ecdsa-sig.ts";

/** rsaEncryption and id-ecPublicKey: the SubjectPublicKeyInfo algorithms of the keys we take. */
export const OID_RSA = "1.2.840.113549.1.1.1";
export const OID_EC = "1.2.840.10045.2.1";
const OID_CN = "2.5.4.3";
/** The named curves of the EC keys we take, by OID (secp256r1, secp384r1, secp521r1). */
export const CURVE_OIDS: Readonly<Record<string, NamedCurve>> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};
/** Certificate signature algorithms (RFC 4055 §5, RFC 5758 §3.2). */
const SIG_OIDS = {
  "SHA-256/RSA": "1.2.840.113549.1.1.11",
  "SHA-384/RSA": "1.2.840.113549.1.1.12",
  "SHA-512/RSA": "1.2.840.113549.1.1.13",
  "SHA-256/EC": "1.2.840.10045.4.3.2",
  "SHA-384/EC": "1.2.840.10045.4.3.3",
  "SHA-512/EC": "1.2.840.10045.4.3.4",
} as const;

export type CertHash = "SHA-256" | "SHA-384" | "SHA-512";

/** What the rest of the code needs from a certificate. */
export interface ParsedCertificate {
  /** The exact DER, for pinning by byte comparison and for ds:X509Certificate / x5c. */
  der: Uint8Array;
  serialNumber: Uint8Array;
  subjectCommonName: string | undefined;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER, ready for `crypto.subtle.importKey("spki", …)`. */
  spki: Uint8Array;
  kty: "RSA" | "EC";
  namedCurve?: NamedCurve;
  modulusBits?: number;
  signatureAlgorithmOid: string;
  /** The signatureAlgorithm's parameters (DER), when present: RSASSA-PSS states its hash there. */
  signatureParameters: Uint8Array | undefined;
  /** The signed part (DER) and the issuer's signature over it, for certificate path checks. */
  tbs: Uint8Array;
  signatureValue: Uint8Array;
  /** Issuer and subject Names (DER). */
  issuer: Uint8Array;
  subject: Uint8Array;
  /**
   * The same Names in the form RFC 5280 §7.1 compares (x509-name.ts): a path links a
   * certificate to one whose `subjectName` equals its `issuerName`.
   */
  issuerName: string;
  subjectName: string;
  extensions: CertificateExtensions;
}

/** The v3 extensions a certificate path check needs (RFC 5280 §4.2.1). */
export interface CertificateExtensions {
  /** basicConstraints cA; false when the extension is absent. */
  ca: boolean;
  /** basicConstraints pathLenConstraint. */
  pathLength: number | undefined;
  /** keyUsage, when present: bit i (RFC 5280 §4.2.1.3 numbering) is `1 << i`. */
  keyUsage: number | undefined;
  /** extendedKeyUsage purposes, when present. */
  extendedKeyUsage: string[] | undefined;
  /** subjectKeyIdentifier's KeyIdentifier (RFC 5280 §4.2.1.2), when present: what ds:X509SKI names. */
  subjectKeyIdentifier: Uint8Array | undefined;
  /**
   * Whether it carries nameConstraints (RFC 5280 §4.2.1.10), critical or not: path validation
   * applies them whatever their criticality (§6.1.4 (g), as OpenSSL and Java's PKIX do), and
   * this STS does not, so a CA carrying them can vouch for nobody.
   */
  nameConstraints: boolean;
  /** Critical extensions this parser does not understand: RFC 5280 §4.2 says refuse the certificate. */
  unknownCritical: string[];
}

/** keyUsage bits (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 1 << 0, keyEncipherment: 1 << 2, keyCertSign: 1 << 5 } as const;

/**
 * Parses a DER certificate. Throws Asn1Error for malformed input or unsupported key types
 * (only rsaEncryption and id-ecPublicKey on P-256/384/521 are accepted).
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const cert = children(expectTag(parseDer(der), TAG.SEQUENCE, "Certificate"));
  if (cert.length !== 3) throw new Asn1Error("Certificate must have 3 fields");
  const tbs = children(expectTag(cert[0], TAG.SEQUENCE, "tbsCertificate"));
  let i = 0;
  // RFC 5280 §4.1.2.1: version is [0] EXPLICIT, absent for v1 (0); v2 is 1, v3 is 2.
  let version = 0;
  if (tbs[0]?.tag === 0xa0) {
    version = readSmallInteger(expectTag(children(tbs[0])[0], TAG.INTEGER, "version"));
    if (version > 2) throw new Asn1Error("unknown certificate version");
    i = 1;
  }
  const serial = expectTag(tbs[i], TAG.INTEGER, "serialNumber");
  if ((serial.value[0] ?? 0) >= 0x80) throw new Asn1Error("its serial number is negative (RFC 5280 §4.1.2.2 asks for a positive integer)");
  const serialNumber = readUnsignedInteger(serial);
  expectTag(tbs[i + 1], TAG.SEQUENCE, "signature");
  expectTag(tbs[i + 2], TAG.SEQUENCE, "issuer");
  const validity = children(expectTag(tbs[i + 3], TAG.SEQUENCE, "validity"));
  if (validity.length !== 2) throw new Asn1Error("validity must have 2 times");
  const subject = expectTag(tbs[i + 4], TAG.SEQUENCE, "subject");
  const spkiNode = expectTag(tbs[i + 5], TAG.SEQUENCE, "subjectPublicKeyInfo");
  const sigAlg = children(expectTag(cert[1], TAG.SEQUENCE, "signatureAlgorithm"));
  // RFC 5280 §4.1.1.2: the signature field inside the signed part names the same algorithm.
  if (!constantTimeEqual(tbs[i + 1]!.der, cert[1]!.der)) throw new Asn1Error("the signature algorithm inside tbsCertificate differs from signatureAlgorithm");
  const signatureAlgorithmOid = readOid(expectTag(sigAlg[0], TAG.OID, "signature algorithm"));
  // Read here so a certificate whose parameters break RFC 4055 is refused as malformed, naming
  // the rule, whether or not its signature is ever checked (a pinned certificate's is not).
  if (signatureAlgorithmOid === OID_RSASSA_PSS && sigAlg[1] !== undefined) rsaPssParameters(sigAlg[1].der);
  const signatureValue = readBitString(expectTag(cert[2], TAG.BIT_STRING, "signatureValue"));
  // After the key: optional issuerUniqueID [1], subjectUniqueID [2] and extensions [3], each at
  // most once and in that order (RFC 5280 §4.1): a second [3] would otherwise replace the first,
  // and an unknown critical extension in it with it.
  let extensions = noExtensions();
  let field = 0;
  for (const node of tbs.slice(i + 6)) {
    const next = TRAILING_FIELDS[node.tag];
    if (next === undefined) throw new Asn1Error("unexpected field after subjectPublicKeyInfo");
    if (next <= field) throw new Asn1Error("a field after subjectPublicKeyInfo is repeated or out of order");
    // RFC 5280 §4.1.2.8–9: unique identifiers from v2, extensions only in v3 — so a v1 or v2
    // certificate never carries basicConstraints and is never taken for a CA.
    if (version < (next === 3 ? 2 : 1)) throw new Asn1Error(next === 3 ? "extensions in a certificate that is not v3" : "a unique identifier in a v1 certificate");
    field = next;
    if (next === 3) {
      const inner = children(node);
      if (inner.length !== 1) throw new Asn1Error("[3] must hold one Extensions sequence");
      extensions = readExtensions(inner[0]);
    }
  }
  return {
    der,
    serialNumber,
    subjectCommonName: commonName(subject),
    notBefore: readTime(validity[0]!),
    notAfter: readTime(validity[1]!),
    spki: spkiNode.der,
    ...keyInfo(spkiNode),
    signatureAlgorithmOid,
    signatureParameters: sigAlg[1]?.der,
    tbs: cert[0]!.der,
    signatureValue,
    issuer: tbs[i + 2]!.der,
    subject: subject.der,
    issuerName: comparableName(tbs[i + 2]!),
    subjectName: comparableName(subject),
    extensions,
  };
}

/** issuerUniqueID [1] IMPLICIT, subjectUniqueID [2] IMPLICIT, extensions [3] EXPLICIT: their order. */
const TRAILING_FIELDS: Record<number, number> = { 0x81: 1, 0x82: 2, 0xa3: 3 };

const EXT_BASIC_CONSTRAINTS = "2.5.29.19";
const EXT_KEY_USAGE = "2.5.29.15";
const EXT_EXTENDED_KEY_USAGE = "2.5.29.37";
const EXT_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const EXT_NAME_CONSTRAINTS = "2.5.29.30";
/** Extensions that may be critical without changing what a path check decides. */
const UNDERSTOOD = new Set([EXT_BASIC_CONSTRAINTS, EXT_KEY_USAGE, EXT_EXTENDED_KEY_USAGE, EXT_SUBJECT_KEY_IDENTIFIER, "2.5.29.35", "2.5.29.17"]);

/** The extensions whose values are read (a certificate's other non-critical ones are not decoded). */
const READ = new Set([EXT_BASIC_CONSTRAINTS, EXT_KEY_USAGE, EXT_EXTENDED_KEY_USAGE, EXT_SUBJECT_KEY_IDENTIFIER]);

const noExtensions = (): CertificateExtensions => ({ ca: false, pathLength: undefined, keyUsage: undefined, extendedKeyUsage: undefined, subjectKeyIdentifier: undefined, nameConstraints: false, unknownCritical: [] });

function readExtensions(node: Asn1Node | undefined): CertificateExtensions {
  const out = noExtensions();
  const seen = new Set<string>();
  for (const ext of children(expectTag(node, TAG.SEQUENCE, "extensions"))) {
    const parts = children(expectTag(ext, TAG.SEQUENCE, "Extension"));
    const id = readOid(expectTag(parts[0], TAG.OID, "extnID"));
    // RFC 5280 §4.2: a certificate must not include more than one instance of an extension.
    if (seen.has(id)) throw new Asn1Error(`extension ${id} appears twice`);
    seen.add(id);
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }: a critical
    // flag of any other type is malformed, not "not critical".
    if (parts.length !== 2 && parts.length !== 3) throw new Asn1Error(`extension ${id} must have 2 or 3 fields`);
    const critical = parts.length === 3 && readBoolean(expectTag(parts[1], TAG.BOOLEAN, `extension ${id} critical`));
    // The extensions read below, and every critical one, must hold one DER value. A
    // non-critical extension that is not read is ignored (RFC 5280 §4.2), as OpenSSL and Java's
    // PKIX ignore one they do not know without looking inside: what some CAs put there (text,
    // raw bytes) is no reason to refuse the certificate.
    const extnValue = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, "extnValue").value;
    const value = critical || READ.has(id) ? parseDer(extnValue) : undefined;
    if (id === EXT_BASIC_CONSTRAINTS) {
      for (const f of children(expectTag(value, TAG.SEQUENCE, "basicConstraints"))) {
        if (f.tag === TAG.BOOLEAN) out.ca = readBoolean(f);
        else out.pathLength = readSmallInteger(f);
      }
    } else if (id === EXT_KEY_USAGE) {
      out.keyUsage = readNamedBits(expectTag(value, TAG.BIT_STRING, "keyUsage"));
    } else if (id === EXT_EXTENDED_KEY_USAGE) {
      out.extendedKeyUsage = children(expectTag(value, TAG.SEQUENCE, "extKeyUsage")).map(readOid);
    } else if (id === EXT_SUBJECT_KEY_IDENTIFIER) {
      out.subjectKeyIdentifier = expectTag(value, TAG.OCTET_STRING, "subjectKeyIdentifier").value;
    } else if (id === EXT_NAME_CONSTRAINTS) {
      out.nameConstraints = true;
    } else if (critical && !UNDERSTOOD.has(id)) {
      out.unknownCritical.push(id);
    }
  }
  return out;
}

/** A named-bit BIT STRING (X.690 §8.6) as a number: the first bit is `1 << 0`. */
function readNamedBits(node: Asn1Node): number {
  const v = node.value;
  if (v.length === 0 || v[0]! > 7 || v.length > 5) throw new Asn1Error("bad named-bit BIT STRING");
  let bits = 0;
  for (let i = 0; i < (v.length - 1) * 8; i++) if (v[1 + (i >> 3)]! & (0x80 >> (i & 7))) bits |= 1 << i;
  return bits;
}

function commonName(name: Asn1Node): string | undefined {
  // Name ::= SEQUENCE OF SET OF AttributeTypeAndValue (RFC 5280 §4.1.2.4); last CN wins.
  let cn: string | undefined;
  for (const rdn of children(name)) {
    for (const atv of children(expectTag(rdn, TAG.SET, "RDN"))) {
      const [type, value] = children(expectTag(atv, TAG.SEQUENCE, "AttributeTypeAndValue"));
      if (type && value && readOid(type) === OID_CN) cn = named("its subject common name", () => readString(value));
    }
  }
  return cn;
}

/** Runs `read`, naming `what` in an Asn1Error it throws. */
function named<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof Asn1Error ? new Asn1Error(`${what}: ${e.message}`) : e;
  }
}

/** id-RSASSA-PSS (RFC 4055 §3.1). */
export const OID_RSASSA_PSS = "1.2.840.113549.1.1.10";
const OID_MGF1 = "1.2.840.113549.1.1.8";
const OID_SHA1 = "1.3.14.3.2.26";

/** RSASSA-PSS-params as written, each absent field at its RFC 4055 §3.1 default (SHA-1, MGF1 with SHA-1, 20). */
export interface RsaPssParameters {
  hashOid: string;
  /** The hash MGF1 is used with; undefined when the mask generation function is not MGF1. */
  mgf1HashOid: string | undefined;
  saltLength: number;
}

/**
 * Reads RSASSA-PSS-params (RFC 4055 §3.1). The one encoding rule that is no choice of
 * algorithm is enforced here: trailerField "MUST be 1", the trailer byte 0xBC (RFC 8017 §9.1.1)
 * — the only one WebCrypto verifies with, so a certificate stating another would be verified
 * under parameters other than its own. Which hashes are acceptable is the verifier's policy.
 * @throws Asn1Error when malformed or when trailerField is not 1
 */
export function rsaPssParameters(der: Uint8Array): RsaPssParameters {
  let hashOid = OID_SHA1;
  let mgf1HashOid: string | undefined = OID_SHA1;
  let saltLength = 20;
  for (const f of children(expectTag(parseDer(der), TAG.SEQUENCE, "RSASSA-PSS-params"))) {
    const inner = children(f)[0];
    if (f.tag === 0xa0) hashOid = readOid(children(expectTag(inner, TAG.SEQUENCE, "hashAlgorithm"))[0]!);
    else if (f.tag === 0xa1) {
      const [mgf, params] = children(expectTag(inner, TAG.SEQUENCE, "maskGenAlgorithm"));
      mgf1HashOid = readOid(mgf!) === OID_MGF1 ? readOid(children(expectTag(params, TAG.SEQUENCE, "MGF1 hash"))[0]!) : undefined;
    } else if (f.tag === 0xa2) saltLength = readSmallInteger(expectTag(inner, TAG.INTEGER, "saltLength"));
    else if (f.tag === 0xa3) {
      const trailer = readSmallInteger(expectTag(inner, TAG.INTEGER, "trailerField"));
      if (trailer !== 1) throw new Asn1Error(`its RSASSA-PSS trailerField is ${trailer}; RFC 4055 §3.1 allows only 1 (trailer byte 0xBC)`);
    } else throw new Asn1Error("unexpected RSASSA-PSS-params field");
  }
  return { hashOid, mgf1HashOid, saltLength };
}

/** Curves and key algorithms met in certificates that this STS does not use, for naming them. */
const UNSUPPORTED_NAMES: Record<string, string> = {
  "1.2.840.10045.3.1.1": "P-192",
  "1.3.132.0.33": "P-224",
  "1.3.132.0.10": "secp256k1",
  "1.2.840.10040.4.1": "DSA",
  [OID_RSASSA_PSS]: "RSASSA-PSS",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};
const nameOf = (oid: string): string => (UNSUPPORTED_NAMES[oid] ? `${UNSUPPORTED_NAMES[oid]} (${oid})` : oid);

function keyInfo(spki: Asn1Node): Pick<ParsedCertificate, "kty" | "namedCurve" | "modulusBits"> {
  const [alg, key] = children(spki);
  const algParts = children(expectTag(alg, TAG.SEQUENCE, "SPKI algorithm"));
  const algOid = readOid(expectTag(algParts[0], TAG.OID, "SPKI algorithm OID"));
  const keyBits = readBitString(expectTag(key, TAG.BIT_STRING, "subjectPublicKey"));
  if (algOid === OID_RSA) {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
    const n = readUnsignedInteger(children(expectTag(parseDer(keyBits), TAG.SEQUENCE, "RSAPublicKey"))[0]!);
    return { kty: "RSA", modulusBits: bitLength(n) };
  }
  if (algOid === OID_EC) {
    const curveOid = readOid(expectTag(algParts[1], TAG.OID, "namedCurve"));
    const curve = CURVE_OIDS[curveOid];
    if (!curve) throw new Asn1Error(`its EC curve ${nameOf(curveOid)} is not supported; P-256, P-384 and P-521 are`);
    return { kty: "EC", namedCurve: curve };
  }
  throw new Asn1Error(`its public key algorithm ${nameOf(algOid)} is not supported; RSA and EC keys are`);
}

/** Options for {@link buildSelfSignedCertificate}. */
export interface SelfSignedOptions {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Default SHA-256. */
  hash?: CertHash;
}

/**
 * Builds a self-signed X.509 v3 certificate (RFC 5280 §4.1) for an RSA (PKCS#1 v1.5) or
 * ECDSA key pair with WebCrypto. Extensions: basicConstraints cA=FALSE, keyUsage
 * digitalSignature (both critical), subjectKeyIdentifier (RFC 7093 §2 method 1: leftmost 160
 * bits of SHA-256 of the key). Returns the DER.
 */
export async function buildSelfSignedCertificate(opts: SelfSignedOptions): Promise<Uint8Array> {
  const hash = opts.hash ?? "SHA-256";
  const isEc = opts.privateKey.algorithm.name === "ECDSA";
  const sigOid = SIG_OIDS[`${hash}/${isEc ? "EC" : "RSA"}`];
  // RFC 4055 §5: RSA signature AlgorithmIdentifiers carry NULL parameters; RFC 5758 §3.2:
  // ECDSA ones carry none.
  const sigAlg = isEc ? seq(oid(sigOid)) : seq(oid(sigOid), nullValue());
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", opts.publicKey)) as ArrayBuffer);
  const keyBits = readBitString(children(parseDer(spki))[1]!);
  const ski = new Uint8Array(await crypto.subtle.digest("SHA-256", keyBits)).subarray(0, 20);
  const name = seq(set(seq(oid(OID_CN), utf8String(opts.commonName))));
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 octets, never zero (RFC 5280 §4.1.2.2)
  const extensions = seq(
    seq(oid("2.5.29.19"), boolean(true), octetString(seq())), // basicConstraints: cA FALSE (default)
    seq(oid("2.5.29.15"), boolean(true), octetString(bitStringFlags(0x80, 7))), // keyUsage: digitalSignature
    seq(oid(EXT_SUBJECT_KEY_IDENTIFIER), octetString(octetString(ski))),
  );
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    sigAlg,
    name,
    seq(time(opts.notBefore), time(opts.notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const params = isEc ? { name: "ECDSA", hash } : { name: "RSASSA-PKCS1-v1_5" };
  const raw = new Uint8Array(await crypto.subtle.sign(params, opts.privateKey, tbs));
  const sig = isEc ? ecdsaRawToDer(raw) : raw; // X.509 wants DER ECDSA-Sig-Value, WebCrypto gives r||s
  return seq(tbs, sigAlg, bitString(sig));
}

/** A one-octet named-bit BIT STRING with trailing zero bits trimmed (X.690 §11.2.2). */
function bitStringFlags(byte: number, unusedBits: number): Uint8Array {
  return Uint8Array.of(TAG.BIT_STRING, 2, unusedBits, byte);
}
