// A certificatemixed requestor for the CLI (and the bench): a WS-Trust Issue request signed
// with an X.509 certificate's key, as WS-Security X.509 Token Profile 1.1 clients send it — a
// wsse:BinarySecurityToken with the certificate, a wsu:Timestamp, and a ds:Signature (exclusive
// C14N, RSA-SHA256 or ECDSA-SHA256, SHA-256 digests) over the Body, the Timestamp, wsa:To and
// wsa:Action, its KeyInfo a direct reference to the token.
//
// No XML library canonicalizes here: every signed part is written already in its exclusive
// canonical form (W3C xml-exc-c14n), so the digest is over the very text that is sent. That
// holds because each part is built by `canon()` below: the part declares every namespace it
// uses, on the element that first uses it, and nothing else (exc-c14n renders exactly the
// visibly utilized declarations, and ancestors outside the part add none); attributes come in
// canonical order (declarations by prefix, then attributes by namespace URI and local name);
// no empty-element tags; text and attribute values escaped as c14n escapes them.
import { createHash, createPrivateKey, sign as cryptoSign } from "node:crypto";
import { SOAP_NS, TOKEN_TYPES, TRUST, soapHeaders } from "./envelope.mjs";
import { parseIssueResponse } from "./rstr.mjs";
import { BASE64_BINARY, NS, X509V3 } from "./xml.mjs";
import { send } from "./http.mjs";
import { checkCredentialTarget, stsUrl } from "./url.mjs";

const { wsa: WSA, wsse: WSSE, wsu: WSU, wsp: WSP, ds: DS } = NS;
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const SIGNATURE_METHODS = {
  rsa: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  ec: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
};

/** c14n text escaping (xml-c14n §2.3). */
const text = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
/** c14n attribute-value escaping. */
const attrValue = (s) =>
  String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\t/g, "&#x9;").replace(/\n/g, "&#xA;").replace(/\r/g, "&#xD;");

/**
 * One element in exclusive canonical form. `ns` maps the prefixes this element declares to
 * their URIs (the caller declares each prefix once, where the part first uses it); `attrs` are
 * [qualifiedName, namespaceUri | "", value]; `children` is canonical text already.
 */
function canon(qname, ns, attrs, children = "") {
  const decls = Object.entries(ns)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, uri]) => ` xmlns:${p}="${attrValue(uri)}"`)
    .join("");
  const local = (q) => q.slice(q.indexOf(":") + 1);
  const sorted = [...attrs].sort(([qa, na], [qb, nb]) => (na !== nb ? (na < nb ? -1 : 1) : local(qa) < local(qb) ? -1 : local(qa) > local(qb) ? 1 : 0));
  return `<${qname}${decls}${sorted.map(([q, , v]) => ` ${q}="${attrValue(v)}"`).join("")}>${children}</${qname}>`;
}

function pemBase64(pem, label) {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} in the PEM given`);
  return m[1].replace(/\s+/g, "");
}

const digest = (s) => createHash("sha256").update(s, "utf8").digest("base64");

/**
 * Builds the signed Issue request.
 * @param {{ to: string, keyPem: string, certPem: string, appliesTo: string,
 *   tokenType?: "saml2"|"saml1"|"jwt"|string, soap?: "1.1"|"1.2", trust?: "13"|"2005",
 *   now?: Date, ttlSeconds?: number, messageId?: string }} o
 *   `keyPem` is a PKCS#8 (or PKCS#1 / SEC 1) PEM private key, RSA or EC P-256; `certPem` its
 *   certificate. `now` sets the Timestamp's Created (each message must be signed afresh: the
 *   STS refuses a signature it has seen).
 * @returns {{ body: string, headers: Record<string,string>, action: string, messageId: string }}
 */
export function buildSignedRequest(o) {
  const soap = o.soap ?? "1.2";
  const trust = TRUST[o.trust ?? "13"];
  if (!SOAP_NS[soap]) throw new Error(`unsupported SOAP version ${soap}`);
  if (!trust) throw new Error(`unsupported WS-Trust version ${o.trust}`);
  const S = SOAP_NS[soap];
  const key = createPrivateKey(o.keyPem);
  const kind = key.asymmetricKeyType === "rsa" ? "rsa" : key.asymmetricKeyType === "ec" ? "ec" : undefined;
  if (!kind) throw new Error(`unsupported key type ${key.asymmetricKeyType} (RSA or EC P-256)`);
  if (kind === "ec" && key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error("an EC key must be on P-256 (ecdsa-sha256)");
  const certificate = pemBase64(o.certPem, "CERTIFICATE");
  const action = `${trust.ns}/RST/Issue`;
  const now = o.now ?? new Date();
  const expires = new Date(now.getTime() + (o.ttlSeconds ?? 300) * 1000);
  const messageId = o.messageId ?? `urn:uuid:${crypto.randomUUID()}`;
  const tokenType = o.tokenType ? (TOKEN_TYPES[o.tokenType] ?? o.tokenType) : undefined;
  const mu = ["s:mustUnderstand", S, "1"];

  // The signed parts, each in canonical form.
  const actionEl = canon("a:Action", { a: WSA, s: S, u: WSU }, [mu, ["u:Id", WSU, "_action"]], text(action));
  const toEl = canon("a:To", { a: WSA, s: S, u: WSU }, [mu, ["u:Id", WSU, "_to"]], text(o.to));
  const timestamp = canon("u:Timestamp", { u: WSU }, [["u:Id", WSU, "_ts"]],
    canon("u:Created", {}, [], now.toISOString()) + canon("u:Expires", {}, [], expires.toISOString()));
  const rst = canon("t:RequestSecurityToken", { t: trust.ns }, [],
    canon("wsp:AppliesTo", { wsp: WSP }, [], canon("a:EndpointReference", { a: WSA }, [], canon("a:Address", {}, [], text(o.appliesTo)))) +
    canon("t:KeyType", {}, [], text(trust.bearer)) +
    canon("t:RequestType", {}, [], text(`${trust.ns}/Issue`)) +
    (tokenType ? canon("t:TokenType", {}, [], text(tokenType)) : ""));
  const body = canon("s:Body", { s: S, u: WSU }, [["u:Id", WSU, "_body"]], rst);

  const reference = (id, part) =>
    canon("ds:Reference", {}, [["URI", "", `#${id}`]],
      canon("ds:Transforms", {}, [], canon("ds:Transform", {}, [["Algorithm", "", EXC_C14N]])) +
      canon("ds:DigestMethod", {}, [["Algorithm", "", SHA256]]) +
      canon("ds:DigestValue", {}, [], digest(part)));
  const signedInfo = canon("ds:SignedInfo", { ds: DS }, [],
    canon("ds:CanonicalizationMethod", {}, [["Algorithm", "", EXC_C14N]]) +
    canon("ds:SignatureMethod", {}, [["Algorithm", "", SIGNATURE_METHODS[kind]]]) +
    reference("_body", body) + reference("_ts", timestamp) + reference("_to", toEl) + reference("_action", actionEl));
  // XML-DSig 1.1 §6.4.3: an ECDSA SignatureValue is r || s, not DER.
  const signatureValue = cryptoSign("sha256", Buffer.from(signedInfo, "utf8"), kind === "ec" ? { key, dsaEncoding: "ieee-p1363" } : key).toString("base64");

  const envelope =
    `<s:Envelope xmlns:s="${S}" xmlns:a="${WSA}" xmlns:u="${WSU}">` +
    `<s:Header>${actionEl}<a:MessageID>${text(messageId)}</a:MessageID>` +
    `<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>${toEl}` +
    `<o:Security xmlns:o="${WSSE}" s:mustUnderstand="1">${timestamp}` +
    `<o:BinarySecurityToken u:Id="_x509" ValueType="${X509V3}" EncodingType="${BASE64_BINARY}">${certificate}</o:BinarySecurityToken>` +
    `<ds:Signature xmlns:ds="${DS}">${signedInfo}<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><o:SecurityTokenReference><o:Reference URI="#_x509" ValueType="${X509V3}"/></o:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
    `</o:Security></s:Header>${body}</s:Envelope>`;
  return { body: envelope, headers: soapHeaders(soap, action), action, messageId };
}

/** The certificatemixed endpoint of an STS for a WS-Trust version. */
export function certificateEndpoint(url, trust = "13") {
  return stsUrl(url, `/trust/${trust}/certificatemixed`);
}

/**
 * Requests a token over certificatemixed: the signed Issue request, posted, the answer parsed
 * (as `requestToken` in token.mjs answers for usernamemixed).
 * @param {{ url: string, keyPem: string, certPem: string, appliesTo: string, tokenType?: string,
 *   soap?: "1.1"|"1.2", trust?: "13"|"2005", endpoint?: string, timeout?: number }} o  `timeout` in seconds
 */
export async function requestTokenWithCertificate(o) {
  const trust = o.trust ?? "13";
  const endpoint = o.endpoint ?? certificateEndpoint(o.url, trust);
  // The signed message is a credential too: it gets this one token, for as long as it is fresh.
  checkCredentialTarget(endpoint, o.url ?? endpoint);
  const req = buildSignedRequest({ ...o, trust, to: endpoint });
  const answer = await send(endpoint, { method: "POST", headers: req.headers, body: req.body, timeout: o.timeout });
  const { status, headers, text } = answer;
  return { ...parseIssueResponse(text), answer, status, endpoint, contentType: headers.get("content-type"), responseText: text, requestText: req.body };
}
