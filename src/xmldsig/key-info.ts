/**
 * A public key in a ds:KeyInfo, both ways: read from a requestor's wst:UseKey (WS-Trust 1.3
 * §9.2, PublicKey proof keys) or from our own holder-of-key assertions, and written into a
 * token's SubjectConfirmation. Strict: one key per KeyInfo, RSA of at least 2048 bits or EC on
 * P-256 / P-384 / P-521, public members only — a KeyInfo that also carries private parts is
 * refused, not stripped (whoever sent it has leaked the key).
 */
import type { Element } from "@xmldom/xmldom";
import { constantTimeEqual, toBase64, toBase64Url, toHex } from "../bytes.ts";
import { invalidRequest, isStsError } from "../errors.ts";
import { fromBase64, fromBase64Url } from "../keys/pem.ts";
import { MIN_RSA_BITS, bitLength } from "../keys/strength.ts";
import { children, parseDer, readBitString } from "../keys/asn1.ts";
import { type ParsedCertificate, parseCertificate } from "../keys/x509.ts";
import { comparableNameFromString } from "../keys/x509-name.ts";
import { childElements, DSIG_NS, textContent } from "../xml/dom.ts";
import { type TreeElement, addTreeChild, treeElement } from "../xml/tree-writer.ts";

export const DSIG11_NS = "http://www.w3.org/2009/xmldsig11#";

const MAX_PROOF_RSA_BITS = 16384;

type Curve = "P-256" | "P-384" | "P-521";
/** RFC 5480 §2.1.1.1 curve OIDs, as dsig11:NamedCurve URIs (RFC 3279 style `urn:oid:`). */
const CURVE_BY_URI: Readonly<Record<string, Curve>> = {
  "urn:oid:1.2.840.10045.3.1.7": "P-256",
  "urn:oid:1.3.132.0.34": "P-384",
  "urn:oid:1.3.132.0.35": "P-521",
};
const URI_BY_CURVE: Readonly<Record<Curve, string>> = { "P-256": "urn:oid:1.2.840.10045.3.1.7", "P-384": "urn:oid:1.3.132.0.34", "P-521": "urn:oid:1.3.132.0.35" };
const COORD_BYTES: Readonly<Record<Curve, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** RSA key members a private or CRT key adds (XML-DSig's .NET form, RFC 7517 names). */
const PRIVATE_MEMBERS = new Set(["D", "P", "Q", "DP", "DQ", "InverseQ", "PrivateExponent", "PrivateKey", "d", "p", "q", "dp", "dq", "qi"]);

/** A requestor's public proof key: the public JWK, and the certificate it came in, if any. */
export interface PublicProofKey {
  jwk: JsonWebKey;
  certificate?: Uint8Array | undefined;
}

const refuse = (why: string) => invalidRequest(`The proof key is not acceptable: ${why}`);

/** The children of a key element, none of them a private member. */
function publicChildren(parent: Element): Element[] {
  const kids = childElements(parent);
  for (const k of kids) if (PRIVATE_MEMBERS.has(k.localName ?? "")) throw refuse("it carries private key material; send the public key only.");
  return kids;
}

function only(parent: Element, what: string): Element {
  const kids = publicChildren(parent);
  if (kids.length !== 1) throw refuse(`${what} must contain exactly one key.`);
  return kids[0]!;
}

/** The two children a key value must hold, in this order, in namespace `ns`, and nothing else. */
function pair(kv: Element, ns: string, first: string, second: string, message: string): [Element, Element] {
  const parts = publicChildren(kv);
  const [a, b] = parts;
  if (parts.length !== 2 || a?.namespaceURI !== ns || a.localName !== first || b?.namespaceURI !== ns || b.localName !== second) throw refuse(message);
  return [a, b];
}

function base64Of(el: Element, what: string): Uint8Array {
  try {
    const b = fromBase64(textContent(el));
    if (b.length > 0) return b;
  } catch {
    // answered below
  }
  throw refuse(`${what} is not base64.`);
}

function unsignedBytes(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Checks an RSA or EC public JWK the way WebCrypto imports it; returns its public members. */
async function checkedJwk(jwk: JsonWebKey): Promise<JsonWebKey> {
  if (jwk.kty === "RSA") {
    const n = fromBase64Url(jwk.n ?? "");
    const bits = bitLength(n);
    // An RSA modulus is a product of two odd primes; WebCrypto imports an even one all the same.
    if (((n[n.length - 1] ?? 0) & 1) === 0) throw refuse("the RSA modulus is even, so it is no RSA key.");
    if (bits < MIN_RSA_BITS) throw refuse(`RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits}).`);
    if (bits > MAX_PROOF_RSA_BITS) throw refuse(`RSA keys may have at most ${MAX_PROOF_RSA_BITS} bits.`);
    const e = unsignedBytes(fromBase64Url(jwk.e ?? ""));
    if (e.length > 4 || (e[e.length - 1]! & 1) === 0 || bitLength(e) < 2) throw refuse("the RSA exponent is not a valid public exponent.");
    const pub = { kty: "RSA", n: jwk.n!, e: jwk.e! };
    try {
      await crypto.subtle.importKey("jwk", pub, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
    } catch {
      throw refuse("the RSA key is malformed.");
    }
    return pub;
  }
  if (jwk.kty === "EC") {
    const crv = jwk.crv as Curve;
    if (!(crv in COORD_BYTES)) throw refuse(`EC keys must be on P-256, P-384 or P-521, not ${String(jwk.crv).slice(0, 40)}.`);
    const pub = { kty: "EC", crv, x: jwk.x!, y: jwk.y! };
    try {
      // WebCrypto checks that the point is on the curve.
      await crypto.subtle.importKey("jwk", pub, { name: "ECDSA", namedCurve: crv }, true, ["verify"]);
    } catch {
      throw refuse("the EC key is not a point on its curve.");
    }
    return pub;
  }
  throw refuse("only RSA and EC keys are supported.");
}

/** The public key of an X.509 certificate (DER), checked like any other proof key. */
export async function publicKeyFromCertificate(der: Uint8Array): Promise<PublicProofKey> {
  let spki: Uint8Array;
  let algorithm: { name: string; hash?: string; namedCurve?: string };
  try {
    const c = parseCertificate(der);
    spki = c.spki;
    if (c.kty === "RSA" && (c.modulusBits ?? 0) < MIN_RSA_BITS) {
      throw refuse(`RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${c.modulusBits}).`);
    }
    algorithm = c.kty === "RSA" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: c.namedCurve! };
  } catch (e) {
    if (isStsError(e)) throw e;
    throw refuse("the certificate is malformed, or its key is neither RSA nor EC on P-256, P-384 or P-521.");
  }
  let jwk: JsonWebKey;
  try {
    const key = await crypto.subtle.importKey("spki", spki as Uint8Array<ArrayBuffer>, algorithm, true, ["verify"]);
    jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  } catch {
    throw refuse("the certificate's public key is malformed.");
  }
  return { jwk: await checkedJwk(jwk), certificate: der.slice() };
}

/** What ds:X509Data may hold beside its certificate: other names for that same certificate. */
const X509_IDENTIFIERS = new Set(["X509IssuerSerial", "X509SKI", "X509SubjectName"]);

/**
 * The key of a ds:X509Data: its one ds:X509Certificate. XML-DSig §4.5.4 lets the same element
 * name that certificate again by issuer and serial, subject key identifier or subject name
 * (Santuario and .NET write X509IssuerSerial beside X509Certificate); each such name must be the
 * certificate's own, for a ds:X509Data that names two certificates names no one key.
 */
async function readX509Data(x509Data: Element): Promise<PublicProofKey> {
  const kids = publicChildren(x509Data);
  const certs = kids.filter((k) => k.namespaceURI === DSIG_NS && k.localName === "X509Certificate");
  const others = kids.filter((k) => !certs.includes(k));
  const stranger = others.find((k) => k.namespaceURI !== DSIG_NS || !X509_IDENTIFIERS.has(k.localName ?? ""));
  if (stranger) throw refuse(`ds:X509Data may hold ds:X509Certificate, ds:X509IssuerSerial, ds:X509SKI and ds:X509SubjectName only, not ${stranger.tagName.slice(0, 60)}.`);
  if (certs.length !== 1) throw refuse("ds:X509Data must hold exactly one ds:X509Certificate (a certificate chain or a certificate named but not given cannot be used).");
  const der = base64Of(certs[0]!, "ds:X509Certificate");
  const key = await publicKeyFromCertificate(der);
  const c = parseCertificate(der);
  for (const id of others) {
    if (!(await namesCertificate(id, c))) throw refuse(`ds:${id.localName} names another certificate than the ds:X509Certificate beside it.`);
  }
  return key;
}

/** Whether an X509IssuerSerial, X509SKI or X509SubjectName names this certificate. */
async function namesCertificate(id: Element, c: ParsedCertificate): Promise<boolean> {
  if (id.localName === "X509SubjectName") return nameOf(id) === c.subjectName;
  if (id.localName === "X509SKI") return constantTimeEqual(base64Of(id, "ds:X509SKI"), c.extensions.subjectKeyIdentifier ?? (await keyIdentifierOf(c)));
  const [issuer, serial] = pair(id, DSIG_NS, "X509IssuerName", "X509SerialNumber", "ds:X509IssuerSerial must hold ds:X509IssuerName and ds:X509SerialNumber only.");
  const digits = textContent(serial).trim();
  if (!/^\+?\d{1,200}$/.test(digits)) throw refuse("ds:X509SerialNumber must be a decimal integer.");
  return nameOf(issuer) === c.issuerName && BigInt(digits) === BigInt(`0x0${toHex(c.serialNumber)}`);
}

function nameOf(el: Element): string {
  const name = comparableNameFromString(textContent(el));
  if (name === undefined) throw refuse(`ds:${el.localName} is not a distinguished name as RFC 4514 writes one.`);
  return name;
}

/**
 * RFC 5280 §4.2.1.2 method (1), SHA-1 of the subjectPublicKey bits: the identifier WSS4J and .NET
 * give a certificate that carries no subjectKeyIdentifier extension.
 */
async function keyIdentifierOf(c: ParsedCertificate): Promise<Uint8Array> {
  const bits = readBitString(children(parseDer(c.spki))[1]!);
  return new Uint8Array(await crypto.subtle.digest("SHA-1", bits as Uint8Array<ArrayBuffer>));
}

/**
 * Reads the one public key of a ds:KeyInfo: ds:KeyValue (ds:RSAKeyValue or dsig11:ECKeyValue
 * with a NamedCurve) or ds:X509Data with one ds:X509Certificate (see {@link readX509Data}).
 * @throws StsError invalid_request, saying what is wrong.
 */
export async function readPublicKeyInfo(keyInfo: Element): Promise<PublicProofKey> {
  const item = only(keyInfo, "ds:KeyInfo");
  if (item.namespaceURI === DSIG_NS && item.localName === "X509Data") return readX509Data(item);
  if (item.namespaceURI !== DSIG_NS || item.localName !== "KeyValue") throw refuse("ds:KeyInfo must hold a ds:KeyValue or a ds:X509Data.");
  const kv = only(item, "ds:KeyValue");
  if (kv.namespaceURI === DSIG_NS && kv.localName === "RSAKeyValue") {
    const [m, e] = pair(kv, DSIG_NS, "Modulus", "Exponent", "ds:RSAKeyValue must hold ds:Modulus and ds:Exponent only.");
    return { jwk: await checkedJwk({ kty: "RSA", n: toBase64Url(unsignedBytes(base64Of(m, "ds:Modulus"))), e: toBase64Url(unsignedBytes(base64Of(e, "ds:Exponent"))) }) };
  }
  if (kv.namespaceURI === DSIG11_NS && kv.localName === "ECKeyValue") {
    const [nc, pk] = pair(kv, DSIG11_NS, "NamedCurve", "PublicKey", "dsig11:ECKeyValue must hold dsig11:NamedCurve and dsig11:PublicKey only (explicit curve parameters are not accepted).");
    const uri = nc.getAttribute("URI") ?? "";
    const crv = Object.hasOwn(CURVE_BY_URI, uri) ? CURVE_BY_URI[uri]! : undefined;
    if (!crv) throw refuse(`EC keys must be on P-256, P-384 or P-521, not '${uri.slice(0, 60)}'.`);
    const point = base64Of(pk, "dsig11:PublicKey");
    const n = COORD_BYTES[crv];
    // XML-DSig 1.1 §4.5.2.3.1: the point in the uncompressed form of SEC 1 §2.3.3.
    if (point.length !== 1 + 2 * n || point[0] !== 4) throw refuse("dsig11:PublicKey must be an uncompressed point of its curve.");
    return { jwk: await checkedJwk({ kty: "EC", crv, x: toBase64Url(point.subarray(1, 1 + n)), y: toBase64Url(point.subarray(1 + n)) }) };
  }
  throw refuse("ds:KeyValue must hold a ds:RSAKeyValue or a dsig11:ECKeyValue.");
}

/**
 * The ds:KeyInfo a holder-of-key token states for a public proof key: the certificate when the
 * key came in one (relying parties that look keys up by certificate find it), else its KeyValue.
 */
export function publicKeyInfoTree(key: PublicProofKey): TreeElement {
  const ki = treeElement(DSIG_NS, "ds:KeyInfo");
  if (key.certificate) {
    addTreeChild(addTreeChild(ki, DSIG_NS, "ds:X509Data"), DSIG_NS, "ds:X509Certificate", null, toBase64(key.certificate));
    return ki;
  }
  const kv = addTreeChild(ki, DSIG_NS, "ds:KeyValue");
  const { jwk } = key;
  if (jwk.kty === "RSA") {
    const rsa = addTreeChild(kv, DSIG_NS, "ds:RSAKeyValue");
    addTreeChild(rsa, DSIG_NS, "ds:Modulus", null, toBase64(fromBase64Url(jwk.n ?? "")));
    addTreeChild(rsa, DSIG_NS, "ds:Exponent", null, toBase64(fromBase64Url(jwk.e ?? "")));
    return ki;
  }
  const crv = jwk.crv as Curve;
  const x = fromBase64Url(jwk.x ?? "");
  const y = fromBase64Url(jwk.y ?? "");
  const point = new Uint8Array(1 + x.length + y.length);
  point[0] = 4;
  point.set(x, 1);
  point.set(y, 1 + x.length);
  const ec = addTreeChild(kv, DSIG11_NS, "dsig11:ECKeyValue");
  addTreeChild(ec, DSIG11_NS, "dsig11:NamedCurve", { URI: URI_BY_CURVE[crv] });
  addTreeChild(ec, DSIG11_NS, "dsig11:PublicKey", null, toBase64(point));
  return ki;
}
