/**
 * A WS-Security message signature made with an X.509 certificate (WS-Security 1.1 §8, X.509
 * Token Profile 1.1 §3.3), as certificate-authenticated requestors send it: a
 * wsse:BinarySecurityToken with the certificate, a wsu:Timestamp, and a ds:Signature in the same
 * Security header whose references cover the soap:Body and the Timestamp (and wsa:To /
 * wsa:Action when the message carries them).
 *
 * As strict as the token-signature path, because a message signature is just as easy to wrap:
 * every reference is resolved by wsu:Id to an element in its one required place (the Envelope's
 * own Body, the Security header's own Timestamp, a WS-Addressing header block of the Envelope's
 * own Header, the signing BinarySecurityToken); an ID that occurs twice anywhere, a second Body,
 * a reference to anything else or twice to the same element, or a signature that leaves the
 * Body or Timestamp out is refused. The key comes only from the certificate, and the certificate
 * only counts once `checkCertificatePath` trusts it.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { isolateCaches } from "../cache.ts";
import { StsError, authenticationFailed, badRequest } from "../errors.ts";
import { checkCertificatePath, type CertificateTrust, requestorCertificate } from "../keys/cert-path.ts";
import { type SignatureAlg, importParams } from "../keys/keyring.ts";
import { Asn1Error } from "../keys/asn1.ts";
import type { ParsedCertificate } from "../keys/x509.ts";
import { DEFAULT_DIGEST_ALGORITHMS, DEFAULT_SIGNATURE_ALGORITHMS, HMAC_SHA1, HMAC_SHA256, RSA_PSS_SHA256, RSA_SHA1, SHA1 } from "../xmldsig/algorithms.ts";
import { checkHmacSignatureValue, checkReference, checkSignatureValue, refusalReason, signedInfoOctets, type AnchorKey } from "../xmldsig/check.ts";
import { type ParsedSignature, parseSignature, Refusal } from "../xmldsig/parse-signature.ts";
import { EXC_C14N } from "../xml/c14n.ts";
import { DSIG_NS, childElements, nextInSubtree } from "../xml/dom.ts";
import { collapse } from "../xml/xs.ts";
import { BASE64_BINARY, WSA04_NS, WSA10_NS, WSSE_NS, WSU_NS, X509V3 } from "./ns.ts";


/** Who may sign messages, and how. */
export interface MessageSignaturePolicy {
  trust: CertificateTrust;
  /**
   * Accept rsa-sha1 signatures and SHA-1 digests, as WCF's Basic256 / Basic128 algorithm suites
   * send them. Off unless a deployment turns it on for old clients: SHA-1 collisions are practical.
   */
  allowSha1: boolean;
  /** What the signature must cover (default "message"). */
  coverage?: Coverage;
}

/**
 * What a requestor's message signature must cover. "message": the soap:Body, the wsu:Timestamp,
 * and wsa:To / wsa:Action when present — what the WS-SecurityPolicy this STS publishes asks for.
 * "timestamp": the wsu:Timestamp alone (the Body, wsa:To and wsa:Action may be covered), as WCF
 * signs under TransportWithMessageCredential: its endorsing signature covers the Timestamp and
 * wsa:To whatever the policy says, and the Body is then protected by TLS only. Every reference
 * still resolves to one allowed part in its place, and the signature is still accepted once.
 */
export type Coverage = "message" | "timestamp";

/** A message whose signature verified with a trusted certificate. */
export interface SignedMessage {
  certificate: ParsedCertificate;
  /** SHA-256 thumbprint of the certificate (lower-case hex), for mapping it to a principal. */
  thumbprint: string;
  /** Whether the certificate is pinned or was issued by a configured authority. */
  trustedBy: "pin" | "authority";
  /**
   * What was signed (the canonical SignedInfo, which covers the Body and Timestamp by digest), so
   * a replayed message is recognised whatever spelling its SignatureValue takes.
   */
  signedInfo: Uint8Array;
  signatureAlgorithm: string;
}

/** The message parts a signature may cover. */
type Part = "body" | "timestamp" | "addressing" | "token";

const ADDRESSING_HEADERS = new Set(["To", "Action", "MessageID", "ReplyTo", "From", "FaultTo", "RelatesTo"]);

type MessageParts = { header: Element; body: Element; security: Element };

/**
 * Verifies the message signature in `security` (the Security header targeted at us) of the
 * envelope whose Header and Body are given, made with the certificate of a BinarySecurityToken
 * in that header. Throws StsError: `authentication_failed` when the signature or certificate is
 * not good, `bad_request` when the header is not shaped as a signed message must be.
 */
export async function verifyMessageSignature(parts: MessageParts, policy: MessageSignaturePolicy, now: Date): Promise<SignedMessage> {
  return refusing(async () => {
    const m = readSigned(parts, algorithmsFor(policy.allowSha1, false));
    const token = signingToken(m.signature, parts.security, m.ids);
    const certificate = readCertificate(token);
    const offered = childElements(parts.security, WSSE_NS, "BinarySecurityToken")
      .filter((t) => t !== token && collapse(t.getAttribute("ValueType") ?? "") === X509V3)
      .map(readCertificate);
    const path = await checkCertificatePath(certificate, offered, policy.trust, now);
    if (!path.ok) throw authenticationFailed(`The signing certificate is not trusted: ${path.reason}`);
    await checkCoverage(m, parts, token, policy.coverage);
    await checkSignatureValue(m.parsed, { keys: [signingKeyFor(certificate, path.thumbprint)], ...allowList(m.algorithms) });
    return { certificate, thumbprint: path.thumbprint, trustedBy: path.trustedBy, signedInfo: signedInfoOctets(m.parsed), signatureAlgorithm: m.parsed.algorithm.uri };
  });
}

/** The key a holder-of-key assertion confirms: a public key, or a shared proof key. */
export type ConfirmedKey = { publicKey: AnchorKey } | { secret: Uint8Array };

/**
 * Verifies the message signature made with the key a holder-of-key SAML assertion in the same
 * Security header confirms (WSS SAML Token Profile 1.1 §3.5): the signature's KeyInfo is a
 * wsse:SecurityTokenReference to that assertion (a KeyIdentifier with its ID, or a Reference),
 * and the signature is an asymmetric one with the confirmed public key, or an HMAC with the
 * confirmed proof key. The same coverage rules as for certificates apply. `carried` is the
 * element the header holds when that is the assertion's encrypted form (the reference still
 * names the assertion's own ID, as WCF writes it for an issued token it cannot read).
 */
export async function verifyConfirmedKeySignature(
  parts: MessageParts,
  assertion: Element,
  key: ConfirmedKey,
  allowSha1: boolean,
  carried: Element = assertion,
  coverage: Coverage = "message",
): Promise<{ signedInfo: Uint8Array; signatureAlgorithm: string }> {
  return refusing(async () => {
    const m = readSigned(parts, algorithmsFor(allowSha1, "secret" in key));
    if (carried.parentNode !== parts.security) throw new Refusal("the assertion is not in this Security header");
    referencedAssertion(m.signature, assertion, m.ids);
    await checkCoverage(m, parts, carried, coverage);
    if ("secret" in key) await checkHmacSignatureValue(m.parsed, key.secret);
    else await checkSignatureValue(m.parsed, { keys: [key.publicKey], ...allowList(m.algorithms) });
    return { signedInfo: signedInfoOctets(m.parsed), signatureAlgorithm: m.parsed.algorithm.uri };
  });
}

/**
 * Verifies the signature by which a requestor that authenticates otherwise (a UsernameToken)
 * proves it holds the public key `key` its request names: WCF's IssuedSecurityTokenProvider,
 * asked for an AsymmetricKey token, puts the key in wst:UseKey and endorses the request with it
 * (SupportingTokenSpecification, SecurityTokenAttachmentMode.Endorsing), the key stated in the
 * signature's own ds:KeyInfo (ds:KeyValue). Under a TransportBinding an endorsing signature
 * covers the wsu:Timestamp, not the Body (WS-SecurityPolicy 1.2 §8.3), and WCF signs no more than
 * that and its addressing headers, so the Timestamp must be covered and the Body, wsa:To and
 * wsa:Action may be; every reference still resolves to one allowed part in its place.
 */
export async function verifyEndorsingKeySignature(
  parts: MessageParts,
  key: AnchorKey,
  allowSha1: boolean,
): Promise<{ signedInfo: Uint8Array; signatureAlgorithm: string }> {
  return refusing(async () => {
    const m = readSigned(parts, algorithmsFor(allowSha1, false));
    await checkCoverage(m, parts, undefined, "timestamp");
    await checkSignatureValue(m.parsed, { keys: [key], ...allowList(m.algorithms) });
    return { signedInfo: signedInfoOctets(m.parsed), signatureAlgorithm: m.parsed.algorithm.uri };
  });
}

interface Algorithms {
  signatureAlgorithms: readonly string[];
  digestAlgorithms: readonly string[];
  hmacAlgorithms: readonly string[];
}

function algorithmsFor(allowSha1: boolean, hmac: boolean): Algorithms {
  return {
    signatureAlgorithms: hmac ? [] : [...DEFAULT_SIGNATURE_ALGORITHMS, RSA_PSS_SHA256, ...(allowSha1 ? [RSA_SHA1] : [])],
    digestAlgorithms: allowSha1 ? [...DEFAULT_DIGEST_ALGORITHMS, SHA1] : DEFAULT_DIGEST_ALGORITHMS,
    // WCF signs with an issued symmetric key by HMAC-SHA1 under its Basic256 suite. Unlike a
    // SHA-1 signature or digest, an HMAC does not rest on collision resistance (RFC 6151 §2.3
    // reasoning holds for SHA-1 too): HMAC-SHA1 stays sound and is accepted without the switch,
    // though that suite's SHA-1 reference digests still need it.
    hmacAlgorithms: hmac ? [HMAC_SHA256, HMAC_SHA1] : [],
  };
}

function allowList(a: Algorithms): { allowedSignatureAlgorithms: readonly string[]; allowedDigestAlgorithms: readonly string[] } {
  return { allowedSignatureAlgorithms: a.signatureAlgorithms, allowedDigestAlgorithms: a.digestAlgorithms };
}

/** Runs a verification, turning every refusal into a FailedAuthentication with a safe reason. */
async function refusing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StsError) throw e;
    throw authenticationFailed(`The message signature is not valid: ${e instanceof Asn1Error ? "the certificate cannot be read" : refusalReason(e)}.`);
  }
}

interface SignedParts {
  signature: Element;
  timestamp: Element;
  parsed: ParsedSignature;
  ids: Map<string, Element>;
  algorithms: Algorithms;
}

/**
 * Most references a message signature may have. A part is referenced once, and the parts are the
 * Body, the Timestamp, the signing token and the WS-Addressing headers (WCF and WSS4J sign at
 * most seven); only wsa:RelatesTo may repeat. Each reference costs a canonicalization and a
 * digest before the signature value can be checked, and anyone holding a trusted certificate
 * (which is public) can compute the digests: unbounded, 1 MiB of references to RelatesTo headers
 * held workerd for most of a second per request.
 */
export const MAX_MESSAGE_REFERENCES = 16;

/** The one signature and Timestamp of the Security header, the signature's structure read. */
function readSigned(parts: MessageParts, algorithms: Algorithms): SignedParts {
  const signatures = childElements(parts.security, DSIG_NS, "Signature");
  if (signatures.length !== 1) {
    throw signatures.length === 0 ? authenticationFailed("The message is not signed.") : badRequest("Only one message signature is accepted.");
  }
  const signature = signatures[0]!;
  const timestamps = childElements(parts.security, WSU_NS, "Timestamp");
  if (timestamps.length !== 1) throw badRequest("A signed message needs exactly one wsu:Timestamp in its Security header.");
  const parsed = parseSignature(signature, algorithms);
  if (parsed.references.length > MAX_MESSAGE_REFERENCES) {
    throw badRequest(`A message signature may have at most ${MAX_MESSAGE_REFERENCES} references (one per signed part of the message); this one has ${parsed.references.length}.`);
  }
  if (childElements(signature, DSIG_NS, "Object").length > 0) throw new Refusal("ds:Object is not allowed in a message signature");
  const ids = uniqueIds(signature.ownerDocument!.documentElement!);
  return { signature, timestamp: timestamps[0]!, parsed, ids, algorithms };
}

/**
 * Every reference resolves to an allowed part in its place, once; Body, Timestamp and wsa:To /
 * Action are covered (`required` "timestamp": the Timestamp alone must be).
 */
async function checkCoverage(m: SignedParts, parts: MessageParts, token: Element | undefined, required: Coverage = "message"): Promise<void> {
  const covered = new Map<Part, Element[]>();
  for (const ref of m.parsed.references) {
    if (ref.transforms.enveloped || ref.transforms.c14n !== EXC_C14N) {
      throw new Refusal("message parts must be signed with exclusive canonicalization and no other transform");
    }
    const target = ref.uri.startsWith("#") ? m.ids.get(ref.uri.slice(1)) : undefined;
    if (!target) throw new Refusal("a reference does not point to an element of this message");
    const part = partOf(target, { ...parts, token });
    if (!part) throw new Refusal("a reference points to something a message signature may not cover");
    const seen = covered.get(part) ?? [];
    if (seen.includes(target)) throw new Refusal("a message part is referenced twice");
    covered.set(part, [...seen, target]);
    await checkReference(ref, target, m.signature);
  }
  if (required === "message" && !covered.has("body")) throw new Refusal("the signature does not cover the soap:Body");
  if (!covered.get("timestamp")?.includes(m.timestamp)) throw new Refusal("the signature does not cover the wsu:Timestamp");
  if (required === "timestamp") return;
  for (const h of childElements(parts.header)) {
    const isToOrAction = (h.namespaceURI === WSA10_NS || h.namespaceURI === WSA04_NS) && (h.localName === "To" || h.localName === "Action");
    if (isToOrAction && !covered.get("addressing")?.includes(h)) throw new Refusal(`the signature does not cover wsa:${h.localName}`);
  }
}

const SAML2_KEY_IDENTIFIER = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
const SAML1_KEY_IDENTIFIER = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID";
/** WS-SecureConversation 1.3 and February 2005: their namespaces, and the ValueType of a reference to a DerivedKeyToken. */
const WSC_NS = new Set(["http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512", "http://schemas.xmlsoap.org/ws/2005/02/sc"]);
const DERIVED_KEY_TYPES = new Set([...WSC_NS].map((ns) => `${ns}/dk`));

/**
 * The signature's KeyInfo names `assertion` (WSS SAML Token Profile 1.1 §3.4): a
 * SecurityTokenReference holding one KeyIdentifier with the assertion's ID (ValueType SAMLID
 * or SAMLAssertionID), or one Reference to `#ID`.
 */
function referencedAssertion(signature: Element, assertion: Element, ids: Map<string, Element>): void {
  const id = assertion.getAttribute("ID") || assertion.getAttribute("AssertionID") || "";
  const ref = tokenReference(signature, "the assertion");
  if (ref.namespaceURI !== WSSE_NS) throw new Refusal("the wsse:SecurityTokenReference must hold one reference");
  let named: string | undefined;
  if (ref.localName === "KeyIdentifier") {
    const type = collapse(ref.getAttribute("ValueType") ?? "");
    if (type === SAML2_KEY_IDENTIFIER || type === SAML1_KEY_IDENTIFIER) named = (ref.textContent ?? "").trim();
  } else if (ref.localName === "Reference") {
    const uri = ref.getAttribute("URI") ?? "";
    if (uri.startsWith("#")) named = uri.slice(1);
    // WS-SecureConversation derived keys (what a client told sp:RequireDerivedKeys sends): the
    // policies in /trust/mex ask for none, and a key derived from the proof key is not the key
    // the assertion confirms. Said so, rather than as a reference to the wrong key.
    const target = named === undefined ? undefined : ids.get(named);
    const dk = DERIVED_KEY_TYPES.has(collapse(ref.getAttribute("ValueType") ?? "")) || (target?.localName === "DerivedKeyToken" && WSC_NS.has(target.namespaceURI ?? ""));
    if (dk) throw new Refusal("keys derived from the proof key (wsc:DerivedKeyToken) are not accepted: sign with the proof key itself");
  }
  if (!id || named !== id) throw new Refusal("the signature's key is not the one the assertion confirms");
}

/**
 * The one element inside the one wsse:SecurityTokenReference that is the signature's whole
 * ds:KeyInfo (how WS-Security names the signing token), whatever kind of reference it is.
 */
function tokenReference(signature: Element, to: string): Element {
  const keyInfo = childElements(signature, DSIG_NS, "KeyInfo");
  const strs = keyInfo.length === 1 ? childElements(keyInfo[0]!) : [];
  const str = strs[0];
  if (strs.length !== 1 || str!.namespaceURI !== WSSE_NS || str!.localName !== "SecurityTokenReference") {
    throw new Refusal(`ds:KeyInfo must hold one wsse:SecurityTokenReference to ${to}`);
  }
  const refs = childElements(str!);
  if (refs.length !== 1) throw new Refusal("the wsse:SecurityTokenReference must hold one reference");
  return refs[0]!;
}

/** Attributes that identify an element: wsu:Id, and the unqualified Id, ID and AssertionID. */
const ID_NAMES = new Set(["Id", "ID", "AssertionID"]);

/**
 * wsu:Id value → element, refusing any identifying value that occurs twice anywhere in the
 * envelope, itself included (a wrapped copy of a part). One pass over the elements and their
 * attributes, in document order.
 */
function uniqueIds(root: Element): Map<string, Element> {
  const ids = new Map<string, Element>();
  const seen = new Set<string>();
  for (let node: Node | null = root; node !== null; node = nextInSubtree(node, root)) {
    if (node.nodeType === 1) {
      const el = node as Element;
      const attrs = el.attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        const wsuId = a.namespaceURI === WSU_NS && a.localName === "Id";
        if (!wsuId && (a.namespaceURI || !ID_NAMES.has(a.nodeName))) continue;
        if (wsuId) ids.set(a.value, el);
        if (a.value === "") continue;
        if (seen.has(a.value)) throw new Refusal("an ID occurs more than once in the message");
        seen.add(a.value);
      }
    }
  }
  return ids;
}

/** Which allowed part `target` is, in its one required place; undefined for anything else. */
function partOf(target: Element, m: { header: Element; body: Element; security: Element; token: Element | undefined }): Part | undefined {
  if (target === m.body) return "body";
  if (target === m.token) return "token";
  if (target.parentNode === m.security && target.namespaceURI === WSU_NS && target.localName === "Timestamp") return "timestamp";
  const wsa = target.namespaceURI === WSA10_NS || target.namespaceURI === WSA04_NS;
  if (target.parentNode === m.header && wsa && ADDRESSING_HEADERS.has(target.localName ?? "")) return "addressing";
  return undefined;
}

/**
 * The BinarySecurityToken the signature's KeyInfo names: a wsse:SecurityTokenReference with one
 * direct wsse:Reference to a token that is a child of this Security header (X.509 Token Profile
 * 1.1 §3.3.2). Keys named any other way (KeyValue, a certificate elsewhere) are not accepted.
 */
function signingToken(signature: Element, security: Element, ids: Map<string, Element>): Element {
  const ref = tokenReference(signature, "the signing certificate");
  if (ref.namespaceURI !== WSSE_NS || ref.localName !== "Reference") {
    throw new Refusal("the wsse:SecurityTokenReference must hold one direct wsse:Reference");
  }
  const uri = ref.getAttribute("URI") ?? "";
  const token = uri.startsWith("#") ? ids.get(uri.slice(1)) : undefined;
  if (!token || token.parentNode !== security || token.namespaceURI !== WSSE_NS || token.localName !== "BinarySecurityToken") {
    throw new Refusal("the wsse:Reference does not point to a BinarySecurityToken in this Security header");
  }
  const valueType = ref.getAttribute("ValueType");
  if (collapse(token.getAttribute("ValueType") ?? "") !== X509V3 || (valueType !== null && collapse(valueType) !== X509V3)) {
    throw new Refusal("the signing token is not an X.509 v3 certificate");
  }
  return token;
}

function readCertificate(token: Element): ParsedCertificate {
  const encoding = token.getAttribute("EncodingType");
  if (encoding !== null && collapse(encoding) !== BASE64_BINARY) throw new Refusal("the BinarySecurityToken must be Base64Binary");
  const cert = requestorCertificate((token.textContent ?? "").replace(/[ \t\r\n]+/g, ""));
  if (typeof cert === "string") throw new Refusal(cert);
  return cert;
}

/**
 * Requestor certificates' verify keys by SHA-256 thumbprint: a requestor signs request after
 * request with the same certificate, and importing its key costs about as much as verifying.
 * Keyed by the thumbprint of the exact DER, so an entry only ever serves the same key.
 */
const signingKeys = isolateCaches.cache<AnchorKey>("x509.signing-keys", { maxEntries: 128, maxKeyChars: 64, maxTotalChars: 128 * 64, entryBytes: 1024 });

function signingKeyFor(cert: ParsedCertificate, thumbprint: string): AnchorKey {
  let key = signingKeys.get(thumbprint);
  if (!key) {
    key = verifyKeyOf(cert);
    signingKeys.set(thumbprint, key);
  }
  return key;
}

/** A verify-only key for the certificate, imported per algorithm on first use. */
function verifyKeyOf(cert: ParsedCertificate): AnchorKey {
  const cache = new Map<SignatureAlg, Promise<CryptoKey>>();
  return {
    certificateDer: cert.der,
    publicKeyFor(alg: SignatureAlg): Promise<CryptoKey> {
      let p = cache.get(alg);
      if (!p) {
        let params;
        try {
          [, params] = importParams(alg, cert.kty, cert.namedCurve);
        } catch {
          return Promise.reject(new Refusal("the certificate's key does not fit the signature algorithm"));
        }
        p = crypto.subtle.importKey("spki", cert.spki as Uint8Array<ArrayBuffer>, params, false, ["verify"]);
        cache.set(alg, p);
      }
      return p;
    },
  };
}
