// Reads a WS-Trust response: the issued token out of wst:RequestedSecurityToken, or the SOAP
// fault (SOAP 1.1 faultcode/faultstring, SOAP 1.2 Code/Subcode/Reason).
import { excerpt, visible } from "./terminal.mjs";
import { NS, parseXml, select, selectText, serialize } from "./xml.mjs";

/**
 * @typedef {{ ok: true, token: string, kind: "xml"|"text", tokenType: string|undefined,
 *     action: string|undefined, document: Document, proof?: { binarySecret?: Buffer, computedKey?: string,
 *     issuerEntropy?: Buffer, keySize?: number } }
 *   | { ok: false, code: string, subcode: string|undefined, reason: string, document: Document|undefined }} IssueResult
 */

/**
 * Parses the HTTP body of an Issue response.
 * @param {string} text
 * @returns {IssueResult}
 */
export function parseIssueResponse(text) {
  let doc;
  let why;
  try {
    doc = parseXml(text);
    const root = doc.documentElement;
    if (root.localName !== "Envelope" || (root.namespaceURI !== NS.s11 && root.namespaceURI !== NS.s12)) why = `its root element is ${root.localName}`;
  } catch (e) {
    why = e.message;
  }
  // What came back, beside why it is no SOAP message: a 404 page or a proxy's error names the mistake.
  if (why !== undefined) return { ok: false, code: "client:unparseable", subcode: undefined, reason: `not a SOAP message (${why}): ${excerpt(text)}`, document: undefined };
  const fault = select("/s11:Envelope/s11:Body/s11:Fault | /s12:Envelope/s12:Body/s12:Fault", doc)[0];
  if (fault) return { ok: false, ...readFault(fault), document: doc };
  const rsts = select("//wst13:RequestedSecurityToken | //wst05:RequestedSecurityToken", doc);
  if (rsts.length !== 1) {
    return { ok: false, code: "client:no-token", subcode: undefined, reason: `expected 1 RequestedSecurityToken, got ${rsts.length}`, document: doc };
  }
  const rstr = rsts[0].parentNode;
  const tokenType = selectText("wst13:TokenType | wst05:TokenType", rstr)?.trim();
  const action = selectText("/*/*[local-name()='Header']/*[local-name()='Action']", doc)?.trim();
  const child = [...rsts[0].childNodes].find((n) => n.nodeType === 1);
  if (!child) return { ok: false, code: "client:no-token", subcode: undefined, reason: "empty RequestedSecurityToken", document: doc };
  // A JWT travels as the text of a wsse:BinarySecurityToken (base64 of the compact JWS, WS-Trust
  // JWT profile as AD FS does it) — return the compact JWS itself.
  if (child.localName === "BinarySecurityToken") {
    const raw = child.textContent.trim();
    const decoded = Buffer.from(raw, "base64").toString("utf8");
    const jws = /^[\w-]+\.[\w-]+\.[\w-]*$/.test(raw) ? raw : decoded;
    return { ok: true, token: jws, kind: "text", tokenType, action, document: doc, proof: readProof(rstr) };
  }
  return { ok: true, token: sourceOf(text, rsts[0], child) ?? serialize(child), kind: "xml", tokenType, action, document: doc, proof: readProof(rstr) };
}

/**
 * The token's own text, exactly as the STS sent it. Parsing and serializing it again would
 * change what its signature covers: xmldom reads `&#xD;`, U+0085 and U+2028 as line feeds and
 * writes a carriage return unescaped, so a claim holding one would no longer verify. Undefined
 * when the text cannot be cut out cleanly (a token that leans on namespace declarations of the
 * envelope, say): the caller serializes it then, with the declarations it needs.
 */
function sourceOf(text, rst, child) {
  const opens = [...text.matchAll(new RegExp(`<${rst.tagName.replace(/[.]/g, "\\.")}(?=[\\s/>])`, "g"))];
  const close = text.lastIndexOf(`</${rst.tagName}`);
  if (opens.length !== 1 || close < 0) return undefined;
  const inner = text.slice(text.indexOf(">", opens[0].index) + 1, close).trim();
  try {
    const root = parseXml(inner).documentElement;
    return root.localName === child.localName && root.namespaceURI === child.namespaceURI ? inner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the RSTR says about the proof key (WS-Trust 1.3 §4.4): wst:RequestedProofToken holding
 * a wst:BinarySecret (the key) or a wst:ComputedKey (with the issuer's wst:Entropy), and
 * wst:KeySize. Undefined when there is no proof token (bearer, public key).
 */
function readProof(rstr) {
  const rpt = select("wst13:RequestedProofToken | wst05:RequestedProofToken", rstr)[0];
  if (!rpt) return undefined;
  const b64 = (x) => (x === undefined ? undefined : Buffer.from(x.replace(/\s/g, ""), "base64"));
  const size = selectText("wst13:KeySize | wst05:KeySize", rstr)?.trim();
  return {
    binarySecret: b64(selectText("wst13:BinarySecret | wst05:BinarySecret", rpt)),
    computedKey: selectText("wst13:ComputedKey | wst05:ComputedKey", rpt)?.trim(),
    issuerEntropy: b64(selectText("wst13:Entropy/wst13:BinarySecret | wst05:Entropy/wst05:BinarySecret", rstr)),
    keySize: size ? Number(size) : undefined,
  };
}

function readFault(fault) {
  const s11 = fault.namespaceURI === "http://schemas.xmlsoap.org/soap/envelope/";
  const codeEl = select(s11 ? "faultcode" : "s12:Code/s12:Value", fault)[0];
  const subEl = s11 ? undefined : select("s12:Code/s12:Subcode/s12:Value", fault)[0];
  return {
    code: qname(codeEl) ?? "",
    subcode: qname(subEl),
    reason: (s11 ? selectText("faultstring", fault) : selectText("s12:Reason/s12:Text", fault))?.trim() ?? "",
  };
}

/**
 * Resolves the QName text of a fault code element to Clark notation "{namespace}local", using
 * the namespace declarations in scope on that element (SOAP 1.1 §4.4.1, SOAP 1.2 §5.4.6).
 */
function qname(el) {
  if (!el) return undefined;
  const text = el.textContent.trim();
  const i = text.indexOf(":");
  const prefix = i < 0 ? null : text.slice(0, i);
  const ns = el.lookupNamespaceURI(prefix);
  return ns ? `{${ns}}${text.slice(i + 1)}` : text;
}

/**
 * A SOAP fault in one line: its HTTP status, code, subcode and reason (shown as `visible` does:
 * the reason is the server's text).
 */
export function faultLine(status, code, subcode, reason) {
  return `SOAP fault (HTTP ${status}) ${visible(code)}${subcode ? ` / ${visible(subcode)}` : ""}: ${visible(reason)}`;
}

/** True when the fault's code or subcode is wst:<local> in either WS-Trust namespace. */
export function isTrustFault(result, local) {
  if (result.ok) return false;
  const want = [
    `{http://docs.oasis-open.org/ws-sx/ws-trust/200512}${local}`,
    `{http://schemas.xmlsoap.org/ws/2005/02/trust}${local}`,
  ];
  return want.includes(result.code) || want.includes(result.subcode ?? "");
}
