/**
 * Builds X.509 certificates for path tests with WebCrypto, field by field, so a test can make
 * exactly the certificate a rule is about — including ones no CA tool will make (extensions in
 * a v1 certificate, two extension blocks, a critical flag that is not a BOOLEAN, a month 13,
 * an inner signature algorithm other than the outer one). Every key is generated on the spot.
 */
import { TAG, bitString, boolean, explicit, integer, nullValue, octetString, oid, seq, set, tlv, time, utf8String } from "../../src/keys/asn1.ts";
import { ecdsaRawToDer } from "../../src/keys/ecdsa-sig.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { KEY_USAGE, type ParsedCertificate, parseCertificate } from "../../src/keys/x509.ts";

export const EKU = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  any: "2.5.29.37.0",
} as const;

/** A Name of one CN attribute, as a UTF8String unless another string tag is given. */
export function name(cn: string, tag: number = TAG.UTF8_STRING): Uint8Array {
  return seq(set(seq(oid("2.5.4.3"), tag === TAG.UTF8_STRING ? utf8String(cn) : tlv(tag, new TextEncoder().encode(cn)))));
}

/** An Extension; `critical` true/false writes a BOOLEAN (absent when undefined), bytes are written as they are. */
export function extension(id: string, value: Uint8Array, critical?: boolean | Uint8Array): Uint8Array {
  const flag = critical === undefined ? [] : [typeof critical === "boolean" ? boolean(critical) : critical];
  return seq(oid(id), ...flag, octetString(value));
}

/**
 * A NameConstraints value (RFC 5280 §4.2.1.10) permitting only the subtree under one
 * directoryName: permittedSubtrees [0] { GeneralSubtree { base [4] Name } }.
 */
export const nameConstraints = (permitted: Uint8Array): Uint8Array => seq(tlv(0xa0, seq(tlv(0xa4, permitted))));

export const basicConstraints = (ca: boolean, pathLength?: number): Uint8Array =>
  extension("2.5.29.19", seq(...(ca ? [boolean(true)] : []), ...(pathLength === undefined ? [] : [integer(pathLength)])), true);

/** keyUsage with the given KEY_USAGE bits (RFC 5280 §4.2.1.3), critical. */
export function keyUsage(bits: number): Uint8Array {
  let last = 0;
  for (let i = 0; i < 16; i++) if (bits & (1 << i)) last = i;
  const bytes = new Uint8Array((last >> 3) + 1);
  for (let i = 0; i <= last; i++) if (bits & (1 << i)) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return extension("2.5.29.15", tlv(TAG.BIT_STRING, Uint8Array.of(7 - (last & 7), ...bytes)), true);
}

export const extendedKeyUsage = (purposes: string[], critical = false): Uint8Array => extension("2.5.29.37", seq(...purposes.map(oid)), critical);

export const CA_EXTENSIONS = [basicConstraints(true), keyUsage(KEY_USAGE.keyCertSign)];
export const LEAF_EXTENSIONS = [basicConstraints(false), keyUsage(KEY_USAGE.digitalSignature)];

export type KeyKind = "EC" | { rsaBits: number };

export async function keyPair(kind: KeyKind = "EC"): Promise<CryptoKeyPair> {
  const params = kind === "EC"
    ? { name: "ECDSA", namedCurve: "P-256" }
    : { name: "RSASSA-PKCS1-v1_5", modulusLength: kind.rsaBits, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" };
  return (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** A certificate made here, with its key. */
export interface Made {
  der: Uint8Array;
  pem: string;
  parsed: ParsedCertificate;
  /** The Name it was issued to. */
  subject: Uint8Array;
  key: CryptoKeyPair;
  /** PKCS#8 PEM of the private key, for signing messages with it. */
  keyPem: string;
}

export interface CertificateOptions {
  /** A CN (UTF8String) or a whole Name. */
  subject: string | Uint8Array;
  /** The issuer: a certificate made here (self-signed when absent). */
  issuer?: Made;
  /** The issuer Name written into the certificate (default: the issuer's subject). */
  issuerName?: Uint8Array;
  /** Default: a new EC P-256 key. */
  key?: CryptoKeyPair | KeyKind;
  /** Replaces the SubjectPublicKeyInfo written (the certificate is still signed by the issuer). */
  spki?: Uint8Array;
  /** v3 unless given; null leaves the version out (v1). */
  version?: number | null;
  /** The serialNumber INTEGER's contents. */
  serial?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  /** Replaces the Validity SEQUENCE. */
  validity?: Uint8Array;
  /** Default LEAF_EXTENSIONS; null writes no extensions. */
  extensions?: Uint8Array[] | null;
  /** Replaces everything after the SubjectPublicKeyInfo (e.g. two [3] blocks). */
  tail?: Uint8Array;
  /** Replaces the signature AlgorithmIdentifier inside the TBSCertificate only. */
  tbsSignatureAlgorithm?: Uint8Array;
  /**
   * Signed with RSASSA-PSS (the issuer's key must be RSA): SHA-256, MGF1 with SHA-256, a 32-byte
   * salt, and the trailerField written as given (left out when undefined). The signature is
   * always made with trailer 0xBC, the one WebCrypto knows.
   */
  pss?: { trailerField?: number };
}

const DAY = 86400_000;

/** Issues (or self-signs) a certificate as `o` says, signed with SHA-256. */
export async function certificate(o: CertificateOptions): Promise<Made> {
  const made = await certificateDer(o);
  return { ...made, parsed: parseCertificate(made.der) };
}

/** Like `certificate`, unparsed: for DER the parser is expected to refuse. */
export async function certificateDer(o: CertificateOptions): Promise<Omit<Made, "parsed">> {
  const key = o.key === undefined || !("publicKey" in (o.key as object)) ? await keyPair(o.key as KeyKind | undefined) : (o.key as CryptoKeyPair);
  const subject = typeof o.subject === "string" ? name(o.subject) : o.subject;
  const signer = o.issuer?.key ?? key;
  const ec = signer.privateKey.algorithm.name === "ECDSA";
  const sigAlg = ec ? seq(oid("1.2.840.10045.4.3.2")) : o.pss ? pssAlgorithm(o.pss.trailerField) : seq(oid("1.2.840.113549.1.1.11"), nullValue());
  const spki = o.spki ?? new Uint8Array((await crypto.subtle.exportKey("spki", key.publicKey)) as ArrayBuffer);
  const now = Date.now();
  const extensions = o.extensions === undefined ? LEAF_EXTENSIONS : o.extensions;
  const serial = o.serial ?? Uint8Array.of(0x4a, ...crypto.getRandomValues(new Uint8Array(11)));
  const tbs = seq(
    ...(o.version === null ? [] : [explicit(0, integer(o.version ?? 2))]),
    tlv(TAG.INTEGER, serial),
    o.tbsSignatureAlgorithm ?? sigAlg,
    o.issuerName ?? o.issuer?.subject ?? subject,
    o.validity ?? seq(time(o.notBefore ?? new Date(now - DAY)), time(o.notAfter ?? new Date(now + 30 * DAY))),
    subject,
    spki,
    o.tail ?? (extensions === null ? new Uint8Array(0) : explicit(3, seq(...extensions))),
  );
  const raw = o.pss
    ? new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, await asPssKey(signer.privateKey), tbs as Uint8Array<ArrayBuffer>))
    : new Uint8Array(await crypto.subtle.sign(ec ? { name: "ECDSA", hash: "SHA-256" } : "RSASSA-PKCS1-v1_5", signer.privateKey, tbs as Uint8Array<ArrayBuffer>));
  const der = seq(tbs, sigAlg, bitString(ec ? ecdsaRawToDer(raw) : raw));
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", key.privateKey)) as ArrayBuffer);
  return { der, pem: derToPem(der, "CERTIFICATE"), subject, key, keyPem: derToPem(pkcs8, "PRIVATE KEY") };
}

/** id-RSASSA-PSS with SHA-256, MGF1 SHA-256, salt 32 (RFC 4055 §3.1), and `trailerField` when given. */
function pssAlgorithm(trailerField: number | undefined): Uint8Array {
  const sha256 = seq(oid("2.16.840.1.101.3.4.2.1"), nullValue());
  return seq(
    oid("1.2.840.113549.1.1.10"),
    seq(explicit(0, sha256), explicit(1, seq(oid("1.2.840.113549.1.1.8"), sha256)), explicit(2, integer(32)), ...(trailerField === undefined ? [] : [explicit(3, integer(trailerField))])),
  );
}

/** An RSA private key for RSA-PSS with SHA-256 (WebCrypto ties a key to one scheme). */
async function asPssKey(key: CryptoKey): Promise<CryptoKey> {
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer;
  return crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
}

/** A self-signed CA. */
export const authority = (cn: string, o: Partial<CertificateOptions> = {}): Promise<Made> => certificate({ subject: cn, extensions: CA_EXTENSIONS, ...o });
