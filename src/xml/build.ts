import { DOMImplementation } from "@xmldom/xmldom";
import type { Document, Element } from "@xmldom/xmldom";

import { XMLNS_NS } from "./dom.ts";

const impl = new DOMImplementation();

/**
 * Creates a document whose root element declares its own namespace, so that the element's
 * serialization is self-contained (SAML tokens are cut out of responses and verified alone).
 */
export function createRoot(ns: string, qname: string, extraNs: Record<string, string> = {}): Element {
  const doc = impl.createDocument(ns, qname, null);
  const root = doc.documentElement!;
  const colon = qname.indexOf(":");
  root.setAttributeNS(XMLNS_NS, colon < 0 ? "xmlns" : `xmlns:${qname.slice(0, colon)}`, ns);
  for (const [prefix, uri] of Object.entries(extraNs)) root.setAttributeNS(XMLNS_NS, `xmlns:${prefix}`, uri);
  return root;
}

/** Appends a child element with attributes and optional text; returns the child. */
export function addChild(
  parent: Element,
  ns: string,
  qname: string,
  attrs?: Record<string, string | undefined> | null,
  text?: string,
): Element {
  const doc = parent.ownerDocument as Document;
  const el = doc.createElementNS(ns, qname);
  parent.appendChild(el);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined) continue;
      const colon = k.indexOf(":");
      if (colon < 0) {
        el.setAttribute(k, v);
        continue;
      }
      // A prefixed attribute (xsi:type, ...) must carry its namespace in the DOM, or exclusive
      // c14n of the tree we sign differs from the c14n of the same bytes re-parsed.
      const uri = el.lookupNamespaceURI(k.slice(0, colon));
      if (!uri) throw new Error(`addChild: prefix of attribute '${k}' is not declared`);
      el.setAttributeNS(uri, k, v);
    }
  }
  if (text !== undefined) el.appendChild(doc.createTextNode(text));
  return el;
}
