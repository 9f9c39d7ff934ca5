/**
 * Builds X.509-signed WS-Security request envelopes for tests, the way WCF and WSS4J lay them
 * out: wsa:Action and wsa:To headers, a Security header with Timestamp, BinarySecurityToken and
 * ds:Signature (exclusive C14N, a direct SecurityTokenReference to the token), a Body with a
 * wsu:Id. Digests and the signature are computed here over our own canonical form; the interop
 * suite has WSS4J sign the same kind of message independently.
 */
import { fromBase64, toBase64 } from "../../src/bytes.ts";
import { canonicalizeToBytes, EXC_C14N } from "../../src/xml/c14n.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { NS } from "./soap.ts";

export const DS = "http://www.w3.org/2000/09/xmldsig#";
export const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const B64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

export interface SignedEnvelopeOptions {
  /** PKCS#8 PEM of the signing key and PEM of its certificate ("": no BinarySecurityToken, the key named by `keyInfo`). */
  keyPem: string;
  certPem: string;
  soap?: "1.1" | "1.2";
  /** The Body's content (an RST). */
  payload: string;
  action: string;
  to: string;
  /** Which wsu:Ids to sign (default: every part: Body, Timestamp, To, Action). */
  sign?: string[];
  /** rsa-sha1 + sha1 digests instead of rsa-sha256 + sha256. */
  sha1?: boolean;
  created?: Date;
  expires?: Date;
  /** Extra header blocks after wsa:To (wsa is bound to `a`, wsu to `u`). */
  extraHeaders?: string;
  /** Extra children of the Security header (after the signature), e.g. an intermediate BST. */
  extraSecurity?: string;
  /** Replaces the ds:KeyInfo content. */
  keyInfo?: string;
  /** Sign with RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) instead of PKCS#1 v1.5. */
  pss?: boolean;
  /** Sign with HMAC-SHA256 (or HMAC-SHA1 with `sha1`) under this shared key instead of the private key. */
  hmacKey?: Uint8Array;
  /** Sign with ECDSA-SHA256 (`keyPem` an EC P-256 key): the value is r || s (XML-DSig 1.1 §6.4.3). */
  ecdsa?: boolean;
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

/** The signed envelope as text. */
export async function signedEnvelope(o: SignedEnvelopeOptions): Promise<string> {
  const soapNs = o.soap === "1.1" ? NS.s11 : NS.s12;
  const created = o.created ?? new Date();
  const expires = o.expires ?? new Date(created.getTime() + 5 * 60_000);
  const ids = o.sign ?? ["_body", "_ts", "_to", "_action"];
  const hash = o.sha1 ? "SHA-1" : "SHA-256";
  const digestUri = o.sha1 ? "http://www.w3.org/2000/09/xmldsig#sha1" : "http://www.w3.org/2001/04/xmlenc#sha256";
  const sigUri = o.hmacKey
    ? o.sha1 ? "http://www.w3.org/2000/09/xmldsig#hmac-sha1" : "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
    : o.ecdsa ? "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    : o.pss ? "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
    : o.sha1 ? "http://www.w3.org/2000/09/xmldsig#rsa-sha1" : "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
  const keyInfo = o.keyInfo ?? `<wsse:SecurityTokenReference><wsse:Reference URI="#_x509" ValueType="${X509V3}"/></wsse:SecurityTokenReference>`;
  const refs = (digests: Record<string, string>) =>
    ids
      .map(
        (id) =>
          `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"/></ds:Transforms><ds:DigestMethod Algorithm="${digestUri}"/><ds:DigestValue>${digests[id] ?? ""}</ds:DigestValue></ds:Reference>`,
      )
      .join("");
  const build = (digests: Record<string, string>, signatureValue: string) =>
    `<s:Envelope xmlns:s="${soapNs}" xmlns:a="${NS.wsa}" xmlns:u="${NS.wsu}">` +
    `<s:Header><a:Action u:Id="_action">${o.action}</a:Action><a:To u:Id="_to">${o.to}</a:To>${o.extraHeaders ?? ""}` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" s:mustUnderstand="1">` +
    `<u:Timestamp u:Id="_ts"><u:Created>${created.toISOString()}</u:Created><u:Expires>${expires.toISOString()}</u:Expires></u:Timestamp>` +
    (o.certPem ? `<wsse:BinarySecurityToken u:Id="_x509" ValueType="${X509V3}" EncodingType="${B64}">${pemBody(o.certPem)}</wsse:BinarySecurityToken>` : "") +
    `<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/><ds:SignatureMethod Algorithm="${sigUri}"/>${refs(digests)}</ds:SignedInfo>` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue><ds:KeyInfo>${keyInfo}</ds:KeyInfo></ds:Signature>` +
    (o.extraSecurity ?? "") +
    `</wsse:Security></s:Header><s:Body u:Id="_body">${o.payload}</s:Body></s:Envelope>`;

  const draft = parseXml(build({}, ""));
  const digests: Record<string, string> = {};
  const all = draft.getElementsByTagName("*");
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i)!;
    const id = el.getAttributeNS(NS.wsu, "Id");
    if (id && ids.includes(id)) {
      digests[id] = toBase64(new Uint8Array(await crypto.subtle.digest(hash, canonicalizeToBytes(el, { algorithm: EXC_C14N }))));
    }
  }
  const withDigests = parseXml(build(digests, ""));
  const signedInfo = withDigests.getElementsByTagNameNS(DS, "SignedInfo").item(0)!;
  const signedOctets = canonicalizeToBytes(signedInfo, { algorithm: EXC_C14N });
  let sig: Uint8Array;
  if (o.hmacKey) {
    const key = await crypto.subtle.importKey("raw", o.hmacKey as Uint8Array<ArrayBuffer>, { name: "HMAC", hash }, false, ["sign"]);
    sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, signedOctets));
  } else if (o.ecdsa) {
    const key = await crypto.subtle.importKey("pkcs8", fromBase64(pemBody(o.keyPem))!, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    sig = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, signedOctets));
  } else {
    const alg = { name: o.pss ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", hash };
    const key = await crypto.subtle.importKey("pkcs8", fromBase64(pemBody(o.keyPem))!, alg, false, ["sign"]);
    sig = new Uint8Array(await crypto.subtle.sign({ ...alg, saltLength: 32 }, key, signedOctets));
  }
  return build(digests, toBase64(sig));
}
