/**
 * A SAML assertion encrypted for this STS: a partner that reads our federation metadata finds
 * our decryption certificate there (KeyDescriptor use="encryption") and, like AD FS or a
 * Shibboleth IdP, encrypts what it issues to us — as saml:EncryptedAssertion (SAML 2.0) or a
 * bare xenc:EncryptedData (SAML 1.1 in WS-Trust). Opened with our `decryptionKeys` (never a key
 * named by the document), AES-GCM only (src/xmlenc/algorithms.ts says why not CBC), and the
 * plaintext parsed under the same limits as any request, to the one assertion it must be.
 * What it states is then verified like any presented assertion (presented-party.ts).
 */
import type { Element } from "@xmldom/xmldom";
import { invalidToken } from "../errors.ts";
import { decryptionKeyFor } from "../keys/encryption-keys.ts";
import { SAML1_NS, SAML2_NS, isSamlAssertion } from "../saml/ns.ts";
import { concatBytes, toBase64Url, utf8 } from "../bytes.ts";
import { isolateCaches } from "../cache.ts";
import { childElements } from "../xml/dom.ts";
import { escapeAttr } from "../xml/escape.ts";
import { XmlSecurityError } from "../xml/errors.ts";
import { parseXml } from "../xml/parse.ts";
import { XENC_NS } from "../xmlenc/algorithms.ts";
import { decryptParsed, readEncryptedData } from "../xmlenc/decrypt.ts";
import type { ParsedEncryptedData } from "../xmlenc/parse.ts";
import { XmlEncError } from "../xmlenc/errors.ts";
import type { StsContext } from "./types.ts";

/** EncryptedKeys beside one EncryptedData (one per recipient) tried at most: each may cost an RSA decryption. */
const MAX_RECIPIENTS = 4;

/**
 * The assertion inside an encrypted token, decrypted and parsed (not yet verified).
 * @param what the token's role, for messages ("issued token", "OnBehalfOf token", ...)
 * @param declared the SAML version the requestor declared the token to be, if it declared one
 * @throws StsError invalid_token, saying what is wrong without saying which cryptographic step failed
 */
export async function openEncryptedAssertion(ctx: StsContext, el: Element, what: string, declared?: "saml2" | "saml1"): Promise<Element> {
  const keys = ctx.config.decryptionKeys;
  if (keys.length === 0) {
    throw invalidToken(`The ${what} is encrypted, and this STS has no decryption key: present the signed token itself, or configure decryptionKeys.`);
  }
  const wrapped = el.namespaceURI === SAML2_NS;
  const kids = wrapped ? childElements(el) : [el];
  const data = kids[0];
  // SAML 2.0 §6.2: the content key inside the EncryptedData's KeyInfo, or beside it, one
  // EncryptedKey per recipient (OpenSAML's default placement).
  const peers = kids.slice(1);
  if (data?.namespaceURI !== XENC_NS || data.localName !== "EncryptedData" || peers.some((k) => k.namespaceURI !== XENC_NS || k.localName !== "EncryptedKey")) {
    throw invalidToken(`The ${what} must hold exactly one xenc:EncryptedData, and beside it only its xenc:EncryptedKeys.`);
  }
  if (peers.length > MAX_RECIPIENTS) throw invalidToken(`The ${what} carries more than ${MAX_RECIPIENTS} encrypted keys.`);
  const candidates: (Element | undefined)[] = peers.length > 0 ? peers : [undefined];
  let plaintext: Uint8Array | undefined;
  let refusal: string | undefined;
  let elsewhere = 0;
  for (const peer of candidates) {
    // What the document states in the clear (its structure, its algorithms, the certificate it
    // names) may be reported; which cryptographic step failed may not (decrypt.ts).
    let parsed: ParsedEncryptedData;
    try {
      parsed = readEncryptedData(data, peer ? { peerKey: peer } : {});
    } catch (e) {
      if (!(e instanceof XmlEncError)) throw e;
      refusal = e.message;
      continue;
    }
    const memoKey = await decryptionMemoKey(parsed);
    plaintext = opened.get(memoKey, (o) => keys.some((k) => k.privateKeyPem === o.privateKeyPem))?.plaintext;
    for (const k of plaintext ? [] : keys) {
      try {
        plaintext = (await decryptParsed(parsed, await decryptionKeyFor(k.privateKeyPem, k.certificatePem))).plaintext;
        if (plaintext.length <= MEMO_MAX_PLAINTEXT) opened.set(memoKey, { plaintext, privateKeyPem: k.privateKeyPem });
        break;
      } catch (e) {
        if (!(e instanceof XmlEncError)) throw e;
        if (e.code === "KEY_MISMATCH") elsewhere++;
      }
    }
    if (plaintext) break;
  }
  if (!plaintext) {
    if (refusal) throw invalidToken(`The ${what} is encrypted in a way this STS does not accept: ${refusal}.`);
    if (elsewhere === keys.length * candidates.length) {
      throw invalidToken(`The ${what} is encrypted for a certificate other than this STS's decryption keys, as a token encrypted for its relying party is: present the decrypted, signed token instead.`);
    }
    throw invalidToken(`The ${what} cannot be decrypted with this STS's decryption keys.`);
  }
  const l = ctx.config.limits;
  let content: Element[];
  try {
    // XML Encryption §4.3: the cleartext replaces the EncryptedData, so it is read in the context
    // of the EncryptedData's parent: a prefix the encryptor declared on an ancestor (xmlsec1
    // leaves saml: on the EncryptedAssertion) is bound, and the EncryptedData's own declarations
    // (xmlns:xenc) are not in scope. Under inclusive canonicalization every namespace in scope
    // is signed, so one the cleartext never had would break a valid signature.
    const parent = data.parentNode?.nodeType === 1 ? (data.parentNode as Element) : undefined;
    const [open, close] = scopeOf(parent);
    const wrapper = parseXml(concatBytes([utf8(open), plaintext, utf8(close)]), {
      maxBytes: l.maxBodyBytes,
      maxDepth: l.maxXmlDepth + 1,
      maxElements: l.maxXmlElements,
      maxAttributesPerElement: l.maxXmlAttributesPerElement,
      keepSource: isSamlAssertion,
    }).documentElement!;
    content = childElements(wrapper);
    if (!onlyElements(wrapper)) content = [];
  } catch (e) {
    if (e instanceof XmlSecurityError) throw invalidToken(`The ${what} decrypts to XML this STS does not accept: ${e.message}`);
    throw e;
  }
  const assertion = content.length === 1 ? content[0] : undefined;
  const kind = assertion?.localName === "Assertion" ? assertion.namespaceURI : undefined;
  if (!assertion || (wrapped ? kind !== SAML2_NS : kind !== SAML2_NS && kind !== SAML1_NS)) {
    throw invalidToken(`The ${what} decrypts to something other than ${wrapped ? "a SAML 2.0 assertion" : "a SAML assertion"}.`);
  }
  if (declared !== undefined && kind !== (declared === "saml2" ? SAML2_NS : SAML1_NS)) {
    throw invalidToken(`The ${what} was sent as ${declared === "saml2" ? "SAML 2.0" : "SAML 1.1"} and decrypts to a ${kind === SAML2_NS ? "SAML 2.0" : "SAML 1.1"} assertion.`);
  }
  return assertion;
}

/**
 * Opened tokens, remembered: a client presents the same encrypted token on every call while it
 * lasts (WCF keeps its issued token), and each opening costs an RSA private-key operation, as
 * dear as a signature. Decryption is a function of the algorithms, the two cipher values and our
 * key, so identical inputs opened before give the same octets; the entry also names the key that
 * opened it, and answers only while that key is still configured. The assertion inside is
 * verified every time all the same (its own remembered verification aside, presented-party.ts).
 */
const MEMO_MAX_PLAINTEXT = 12 * 1024;
const opened = isolateCaches.cache<{ plaintext: Uint8Array; privateKeyPem: string }>("xmlenc.opened", { maxEntries: 64, maxKeyChars: 64, entryBytes: MEMO_MAX_PLAINTEXT + 256 });

/** What decryption depends on besides our key (the algorithms and both cipher values), hashed. */
async function decryptionMemoKey(p: ParsedEncryptedData): Promise<string> {
  const ek = p.encryptedKey;
  const parts = [utf8(`${p.algorithm.uri}\n${ek.transportUri}\n${ek.hash}\n${ek.cipherValue.length}\n`), ek.cipherValue, p.cipherValue];
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", concatBytes(parts) as Uint8Array<ArrayBuffer>)));
}

/** The namespace bindings in scope at `el` (nearest first wins), as a wrapper's start and end tags; none without it. */
function scopeOf(el: Element | undefined): [string, string] {
  const seen = new Map<string, string>();
  for (let n: Element | null = el ?? null; n; n = n.parentNode?.nodeType === 1 ? (n.parentNode as Element) : null) {
    for (let i = 0; i < n.attributes.length; i++) {
      const a = n.attributes.item(i)!;
      const prefix = a.name === "xmlns" ? "" : a.name.startsWith("xmlns:") ? a.name.slice(6) : undefined;
      if (prefix !== undefined && !seen.has(prefix)) seen.set(prefix, a.value);
    }
  }
  const decls = [...seen].map(([p, uri]) => ` ${p === "" ? "xmlns" : `xmlns:${p}`}="${escapeAttr(uri)}"`).join("");
  return [`<decrypted${decls}>`, "</decrypted>"];
}

/** True when the wrapper holds nothing but elements and whitespace (no text beside the assertion). */
function onlyElements(wrapper: Element): boolean {
  for (let c = wrapper.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) continue;
    if ((c.nodeType === 3 || c.nodeType === 4) && /^[ \t\r\n]*$/.test(c.nodeValue ?? "")) continue;
    return false;
  }
  return true;
}
