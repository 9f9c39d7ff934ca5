/**
 * The proof-of-possession key of an Issue request (WS-Trust 1.3 §4.4, the 2005 draft alike):
 * what the requested KeyType asks for, the key the token is bound to, and what the RSTR tells
 * the requestor about it.
 */
import { jwkThumbprint } from "../keys/keyring.ts";
import type { Element } from "@xmldom/xmldom";
import { randomBytes, toBase64 } from "../bytes.ts";
import type { KeyTypeName } from "../config/types.ts";
import type { Confirmation } from "../engine/types.ts";
import { invalidRequest } from "../errors.ts";
import { fromBase64 } from "../keys/pem.ts";
import { pSha1 } from "../keys/psha1.ts";
import { BASE64_BINARY, WSSE_NS, X509V3 } from "../soap/ns.ts";
import { childElements, DSIG_NS, textContent } from "../xml/dom.ts";
import { type Markup, xml } from "../xml/markup.ts";
import { parseCertificate } from "../keys/x509.ts";
import { publicKeyFromCertificate, readPublicKeyInfo } from "../xmldsig/key-info.ts";
import type { Rst } from "./rst.ts";

/** WS-Trust 1.3 §4.4.1: the key size when the request names none (as AD FS and WCF use). */
export const DEFAULT_KEY_SIZE = 256;
/** The symmetric keys we make: at least 128 bits, at most 512 (P_SHA1 output, HMAC keys). */
export const MIN_KEY_SIZE = 128;
export const MAX_KEY_SIZE = 512;


export interface ProofKey {
  /** The key the token is bound to; undefined for a bearer token. */
  confirmation: Confirmation | undefined;
  /** What the RSTR says about the key, after the token (RequestedProofToken, Entropy, KeySize). */
  rstr: Markup | undefined;
  /** The KeyType the RSTR echoes. */
  keyType: string;
}

/**
 * The KeyType asked for (Bearer when none is sent and no key is named), checked against those we know and against the key material the
 * request carries. A request that names a key (wst:UseKey) or brings entropy for one asks for a
 * token bound to a key, so it never gets a bearer token.
 */
export function keyTypeAsked(rst: Rst): KeyTypeName {
  const kt = rst.keyType;
  const t = rst.trust;
  if (kt === undefined) {
    // §9.2 (UseKey): with no KeyType the key type may be determined from the key given. Entropy
    // is only ever half of a symmetric key (§4.4.3). Ignoring either would hand a bearer token
    // to a requestor that asked for a bound one.
    if (rst.useKey) return "public-key";
    if (rst.entropy) return "symmetric";
    return "bearer";
  }
  if (t.bearerKeyTypes.includes(kt)) {
    if (rst.useKey) throw invalidRequest("wst:UseKey asks for a token bound to the requestor's key, and KeyType Bearer for one bound to none: send KeyType PublicKey, or leave wst:UseKey out.");
    if (rst.entropy) throw invalidRequest("wst:Entropy is for a SymmetricKey proof key, and KeyType Bearer asks for none: send KeyType SymmetricKey, or leave wst:Entropy out.");
    return "bearer";
  }
  if (kt === t.symmetricKeyType) return "symmetric";
  if (kt === t.publicKeyType) return "public-key";
  throw invalidRequest(`Unknown KeyType '${kt.slice(0, 200)}'.`);
}

/**
 * §9.2 wst:UseKey: the requestor's public key, as a ds:KeyInfo or an X.509 BinarySecurityToken.
 * A reference (wsse:SecurityTokenReference) to a token elsewhere in the message and a `Sig`
 * proof (a signature over the request naming the key) are refused rather than half honoured: a
 * requestor proves its key by signing the whole request with it (certificatemixed). A key given
 * by certificate must come with a certificate that is valid now: the token would state it.
 */
async function readUseKey(useKey: Element, now: Date): Promise<Extract<Confirmation, { method: "public-key" }>> {
  if (useKey.hasAttribute("Sig")) {
    throw invalidRequest("wst:UseKey/@Sig is not supported: sign the request with the key (certificatemixed) and send UseKey without Sig, or leave UseKey out there.");
  }
  const key = await useKeyOf(useKey);
  if (key.certificate) {
    const c = parseCertificate(key.certificate);
    if (now < c.notBefore || now > c.notAfter) {
      throw invalidRequest(`wst:UseKey's certificate is not valid now (it is valid from ${c.notBefore.toISOString()} until ${c.notAfter.toISOString()}).`);
    }
  }
  return key;
}

/**
 * The public key a wst:UseKey names (a ds:KeyInfo or an X.509 BinarySecurityToken), read but not
 * judged for use in a new token: a Renew compares it with the key its token is bound to.
 */
export async function useKeyOf(useKey: Element): Promise<Extract<Confirmation, { method: "public-key" }>> {
  const kids = childElements(useKey);
  const item = kids[0];
  if (kids.length !== 1 || !item) throw invalidRequest("wst:UseKey must hold exactly one key: a ds:KeyInfo or a wsse:BinarySecurityToken.");
  if (item.namespaceURI === DSIG_NS && item.localName === "KeyInfo") return { method: "public-key", ...(await readPublicKeyInfo(item)) };
  if (item.namespaceURI === WSSE_NS && item.localName === "BinarySecurityToken") {
    if (item.getAttribute("ValueType") !== X509V3) throw invalidRequest(`wst:UseKey/wsse:BinarySecurityToken must be an X.509 certificate (ValueType ${X509V3}).`);
    const enc = item.getAttribute("EncodingType");
    if (enc && enc !== BASE64_BINARY) throw invalidRequest("wst:UseKey/wsse:BinarySecurityToken must be base64 encoded.");
    let der: Uint8Array;
    try {
      der = fromBase64(textContent(item));
    } catch {
      throw invalidRequest("wst:UseKey/wsse:BinarySecurityToken is not base64.");
    }
    return { method: "public-key", ...(await publicKeyFromCertificate(der)) };
  }
  if (item.namespaceURI === WSSE_NS && item.localName === "SecurityTokenReference") {
    throw invalidRequest("wst:UseKey by wsse:SecurityTokenReference is not supported: put the ds:KeyInfo or the wsse:BinarySecurityToken in wst:UseKey itself.");
  }
  throw invalidRequest("wst:UseKey must hold a ds:KeyInfo or a wsse:BinarySecurityToken.");
}

/**
 * Decides the proof key of an Issue request.
 * - Bearer, or no KeyType and no key material: none.
 * - No KeyType: PublicKey when the request carries wst:UseKey, SymmetricKey when it carries
 *   wst:Entropy.
 * - SymmetricKey with requestor entropy: issuer entropy of the key's size, the key
 *   P_SHA1(requestor entropy, issuer entropy) (§4.4.3); the RSTR returns the issuer's entropy and
 *   wst:ComputedKey, never the key.
 * - SymmetricKey without entropy: a random key, returned in wst:RequestedProofToken/wst:BinarySecret.
 * - PublicKey: the wst:UseKey key; the requestor holds the private key, so no proof token.
 */
export async function proofKeyFor(rst: Rst, now: Date, provedBy?: () => Promise<Extract<Confirmation, { method: "public-key" }> | undefined>): Promise<ProofKey> {
  const t = rst.trust;
  const kind = keyTypeAsked(rst);
  if (kind === "bearer") return { confirmation: undefined, rstr: undefined, keyType: rst.keyType ?? t.bearerKeyTypes[0]! };
  if (kind === "public-key") {
    if (rst.entropy) throw invalidRequest("wst:Entropy goes with KeyType SymmetricKey, not with a PublicKey proof key (wst:UseKey).");
    const provedKey = provedBy ? await provedBy() : undefined;
    if (provedBy && !provedKey) throw invalidRequest("The key that signed this request cannot be bound to a token (RSA keys need at least 2048 bits; EC keys P-256, P-384 or P-521).");
    if (provedKey) {
      // The requestor signed this request with a certificate's key (certificatemixed): that is
      // the key it has proven; a UseKey may only name the same one.
      if (rst.useKey && (await jwkThumbprint((await readUseKey(rst.useKey, now)).jwk)) !== (await jwkThumbprint(provedKey.jwk))) {
        throw invalidRequest("wst:UseKey must be the key that signed this request (or be left out to use it).");
      }
      return { confirmation: provedKey, rstr: undefined, keyType: t.publicKeyType };
    }
    if (!rst.useKey) throw invalidRequest("KeyType PublicKey needs wst:UseKey with the requestor's public key (this STS does not generate key pairs).");
    return { confirmation: await readUseKey(rst.useKey, now), rstr: undefined, keyType: t.publicKeyType };
  }
  if (rst.useKey) throw invalidRequest("wst:UseKey goes with KeyType PublicKey, not SymmetricKey.");
  const bits = symmetricKeyBits(rst);
  const size = xml`<wst:KeySize>${String(bits)}</wst:KeySize>`;
  if (rst.entropy) {
    const issuerEntropy = randomBytes(bits / 8);
    const key = await pSha1(rst.entropy, issuerEntropy, bits);
    return {
      confirmation: { method: "symmetric", key },
      rstr: xml`<wst:RequestedProofToken><wst:ComputedKey>${t.psha1}</wst:ComputedKey></wst:RequestedProofToken><wst:Entropy><wst:BinarySecret Type="${t.nonceType}">${toBase64(issuerEntropy)}</wst:BinarySecret></wst:Entropy>${size}`,
      keyType: t.symmetricKeyType,
    };
  }
  const key = randomBytes(bits / 8);
  return {
    confirmation: { method: "symmetric", key },
    rstr: xml`<wst:RequestedProofToken><wst:BinarySecret Type="${t.symmetricSecretType}">${toBase64(key)}</wst:BinarySecret></wst:RequestedProofToken>${size}`,
    keyType: t.symmetricKeyType,
  };
}

/**
 * The size of the symmetric key we make: wst:KeySize (whole bytes, 128–512 bits) or the default.
 * Only here does KeySize bind: WS-Trust 1.3 §11.2 makes it a request for the size of the proof
 * key, so with PublicKey it names the requestor's own key (2048 for an RSA key, say), which is
 * judged on its own (readUseKey), and a bearer token has no key for it to size.
 */
function symmetricKeyBits(rst: Rst): number {
  const ks = rst.keySize;
  if (!ks) return DEFAULT_KEY_SIZE;
  if (!(ks.bits >= MIN_KEY_SIZE && ks.bits <= MAX_KEY_SIZE && ks.bits % 8 === 0)) {
    throw invalidRequest(`${ks.where} must be a whole number of bytes in bits, from ${MIN_KEY_SIZE} to ${MAX_KEY_SIZE}, for a SymmetricKey proof key; got '${ks.bits}'.`);
  }
  return ks.bits;
}
