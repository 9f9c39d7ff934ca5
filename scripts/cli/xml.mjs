// Strict XML helpers for the CLI and the interop harness (Node 22, plain ESM).
// Every parser warning is fatal and DOCTYPEs are refused: the client parses documents that come
// over the network (mex, RSTR) and must not be the weak end of an XXE.
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import xpath from "xpath";

/** Namespace prefixes usable in every XPath expression passed to {@link select}. */
export const NS = {
  s11: "http://schemas.xmlsoap.org/soap/envelope/",
  s12: "http://www.w3.org/2003/05/soap-envelope",
  wsa: "http://www.w3.org/2005/08/addressing",
  wsa04: "http://schemas.xmlsoap.org/ws/2004/08/addressing",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wst13: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  wst05: "http://schemas.xmlsoap.org/ws/2005/02/trust",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  wsp15: "http://www.w3.org/ns/ws-policy",
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  soap11b: "http://schemas.xmlsoap.org/wsdl/soap/",
  soap12b: "http://schemas.xmlsoap.org/wsdl/soap12/",
  saml2: "urn:oasis:names:tc:SAML:2.0:assertion",
  saml1: "urn:oasis:names:tc:SAML:1.0:assertion",
  md: "urn:oasis:names:tc:SAML:2.0:metadata",
  ds: "http://www.w3.org/2000/09/xmldsig#",
  dsig11: "http://www.w3.org/2009/xmldsig11#",
};

/** WS-Security token profile URIs (X.509 token profile 1.0, SOAP message security 1.0). */
export const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
export const BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/**
 * Parses XML text; throws on any parser warning/error and on a DOCTYPE.
 * @param {string} text
 * @returns {Document}
 */
export function parseXml(text) {
  if (/<!DOCTYPE/i.test(text)) throw new Error("XML with a DOCTYPE is refused");
  // xmldom wraps what onError throws in its own report ("Reporting fatalError … caused …"):
  // the parser's first complaint is kept and said plainly instead.
  let complaint;
  const parser = new DOMParser({
    onError: (level, msg) => {
      complaint ??= msg;
      throw new Error(msg);
    },
  });
  try {
    return parser.parseFromString(text, "text/xml");
  } catch (e) {
    throw new Error(`not well-formed XML (${complaint ?? e.message})`);
  }
}

const selectNs = xpath.useNamespaces(NS);

/**
 * XPath over a node with the {@link NS} prefixes.
 * @param {string} expr
 * @param {Node} node
 * @returns {Node[]}
 */
export function select(expr, node) {
  const r = selectNs(expr, node);
  return Array.isArray(r) ? r : [];
}

/** First match's text content (attribute value or element text), or undefined. */
export function selectText(expr, node) {
  const n = select(expr, node)[0];
  if (!n) return undefined;
  return n.nodeType === 2 ? n.value : n.textContent;
}

/** Serializes a node; xmldom adds the namespace declarations the subtree needs. */
export function serialize(node) {
  return new XMLSerializer().serializeToString(node);
}

/**
 * A token file's XML reduced to the token element's markup, and that element. What stands before
 * the root element goes: an XML declaration (xmlsec1 --decrypt writes one) is not well-formed
 * anywhere but at the start of a document, and a SOAP message holds no processing instructions
 * (SOAP 1.1 §3, SOAP 1.2 Part 1 §5), so pasted into a request as it is, the file would only get
 * a fault about the request. A decrypted saml:EncryptedAssertion, as xmlsec1 --decrypt leaves
 * one (the signed Assertion where its EncryptedData was), is the Assertion it holds: that is the
 * token, and the wrapper would read as a token still encrypted.
 * @param {string} text
 * @returns {{ xml: string, root: Element }}
 */
export function tokenElement(text) {
  const root = parseXml(text).documentElement;
  if (!root) throw new Error("not well-formed XML (no root element)");
  const inner = [...root.childNodes].filter((n) => n.nodeType === 1);
  const holds = inner.length === 1 && inner[0].namespaceURI === NS.saml2 && inner[0].localName === "Assertion";
  if (root.namespaceURI === NS.saml2 && root.localName === "EncryptedAssertion" && holds) return { xml: serialize(inner[0]), root: inner[0] };
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*/.exec(text)[0].length;
  return { xml: text.slice(prolog).trim(), root };
}

/** Escapes text for use in element content or a double-quoted attribute. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
}
