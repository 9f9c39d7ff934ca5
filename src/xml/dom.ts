/**
 * Small, namespace-aware DOM helpers shared by the SOAP, WS-Trust, SAML and XML-DSig code.
 * Lookups always match namespace URI + local name, never prefixes or tag names.
 */
import type { Document, Element, Node } from "@xmldom/xmldom";

export const XML_NS = "http://www.w3.org/XML/1998/namespace";
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const XS_NS = "http://www.w3.org/2001/XMLSchema";
export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
/** WS-Security utility (wsu:Id is one of the ID attributes signatures reference). */
export const WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/** WS-Security extensions (wsse:SecurityTokenReference names keys in XML-DSig and XML Encryption KeyInfo). */
export const WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/** WS-Security 1.1 §6.3: the EncodingType of base64 content (BinarySecurityToken, KeyIdentifier). */
export const BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/** Does `el` have this namespace URI (null/"" = no namespace) and local name? */
export function isElement(el: Element, ns: string | null, localName: string): boolean {
  return el.localName === localName && (el.namespaceURI ?? "") === (ns ?? "");
}

/**
 * The element children of `el`, optionally only those with namespace `ns` and `localName`
 * (pass `ns` alone to filter by namespace; `null` / "" means no namespace).
 */
export function childElements(el: Element | Document, ns?: string | null, localName?: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const e = c as Element;
    if (ns !== undefined && (e.namespaceURI ?? "") !== (ns ?? "")) continue;
    if (localName !== undefined && e.localName !== localName) continue;
    out.push(e);
  }
  return out;
}

/** The first child element with this namespace and local name, or null. */
export function firstChild(el: Element | Document, ns: string | null, localName: string): Element | null {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && isElement(c as Element, ns, localName)) return c as Element;
  }
  return null;
}

/**
 * The one child element named `localName` in any of the namespaces `ns` (several namespaces
 * when versions of one element are interchangeable, e.g. WS-Policy 2004 and 1.5 AppliesTo), or
 * null when there is none. A second one throws `repeated()`: taking the first of two copies is
 * how a message comes to mean one thing to a proxy that reads the last and another to us.
 */
export function uniqueChild(el: Element, ns: string | readonly string[], localName: string, repeated: () => Error): Element | null {
  const spaces = typeof ns === "string" ? [ns] : ns;
  let found: Element | null = null;
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const e = c as Element;
    if (e.localName !== localName || !spaces.includes(e.namespaceURI ?? "")) continue;
    if (found) throw repeated();
    found = e;
  }
  return found;
}

/**
 * The node after `node` in document order (pre-order: its first child, else the next sibling of
 * it or of its nearest ancestor that has one), never leaving `root`'s subtree: null once the walk
 * is done. An iterative walk, so no document depth can exhaust the stack.
 */
export function nextInSubtree(node: Node, root: Node): Node | null {
  if (node.firstChild !== null) return node.firstChild;
  let cur: Node | null = node;
  while (cur !== null && cur !== root && cur.nextSibling === null) cur = cur.parentNode;
  return cur === null || cur === root ? null : cur.nextSibling;
}

/**
 * All descendant text and CDATA content, concatenated in document order. Unlike reading the
 * first text child, a comment or nested markup can never truncate the value (the SAML
 * comment-injection attack, e.g. CVE-2017-11428, reads "admin<!---->@evil" as "admin").
 */
export function textContent(node: Node): string {
  const t = node.nodeType;
  if (t === 3 || t === 4) return (node as unknown as { data: string }).data;
  let out = "";
  for (let cur = node.firstChild; cur !== null; cur = nextInSubtree(cur, node)) {
    const ct = cur.nodeType;
    if (ct === 3 || ct === 4) out += (cur as unknown as { data: string }).data;
  }
  return out;
}

/**
 * The text of an element that holds one value (a digest, a key size, a password), or undefined
 * when it holds anything but text (and CDATA, when `cdata`): `al<!---->ice` or `<x>alice</x>`
 * would otherwise read as "alice" here and as something else to whoever looked at it first.
 */
export function valueText(el: Element, opts: { cdata?: boolean } = {}): string | undefined {
  let s = "";
  for (let c = el.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType !== 3 && !(opts.cdata && c.nodeType === 4)) return undefined;
    s += (c as unknown as { data: string }).data;
  }
  return s;
}

/**
 * The first text or CDATA child of a container element (one whose content is child elements)
 * that holds anything but XML white space (XML 1.0 §2.3 S), or undefined when it has none.
 * Such text belongs to no child: whoever reads only the elements and whoever reads the text
 * would take the message differently, so the callers refuse it rather than pass it over.
 */
export function strayText(el: Element): string | undefined {
  for (let c = el.firstChild; c !== null; c = c.nextSibling) {
    if ((c.nodeType === 3 || c.nodeType === 4) && /[^ \t\n\r]/.test((c as unknown as { data: string }).data)) return (c as unknown as { data: string }).data;
  }
  return undefined;
}

/** An attribute that carries an element's ID: namespace (null = none) and local name. */
export interface IdAttribute {
  ns: string | null;
  localName: string;
}

/** ID attributes of the formats we handle: SAML 2.0 `ID`, SAML 1.1 `AssertionID`, XML-DSig `Id`, `wsu:Id`. */
export const DEFAULT_ID_ATTRIBUTES: readonly IdAttribute[] = Object.freeze([
  { ns: null, localName: "ID" },
  { ns: null, localName: "AssertionID" },
  { ns: null, localName: "Id" },
  { ns: null, localName: "id" },
  { ns: WSU_NS, localName: "Id" },
]);

/**
 * Every element in `root`'s subtree (root included) whose ID attribute equals `id`. Returns all
 * matches so callers can refuse a duplicated ID (signature wrapping) instead of picking one.
 */
export function findElementsByIdAttr(
  root: Element | Document,
  id: string,
  idAttributes: readonly IdAttribute[] = DEFAULT_ID_ATTRIBUTES,
): Element[] {
  const out: Element[] = [];
  if (id === "") return out;
  const stack: Node[] = [root];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.nodeType === 1) {
      const el = n as Element;
      for (const a of idAttributes) {
        const v = a.ns === null ? (el.hasAttribute(a.localName) ? el.getAttribute(a.localName) : null) : el.getAttributeNS(a.ns, a.localName);
        if (v === id) {
          out.push(el);
          break;
        }
      }
    }
    // Push children in reverse so matches come out in document order.
    for (let c = n.lastChild; c; c = c.previousSibling) if (c.nodeType === 1) stack.push(c);
  }
  return out;
}
