/**
 * How the parser (tree.ts) makes and links the xmldom nodes of a document it is reading.
 *
 * `viaDomApi` goes through xmldom's public DOM methods, which check again what the parser has
 * just checked: every name against the XML Name grammar (one regular expression per element and
 * attribute), the hierarchy rules of every insertion, an attribute's owner. On a 6 KB SOAP request
 * that re-checking is a third of the document's build time. `direct` sets the very same fields
 * those methods set, in one step each: the nodes are xmldom nodes (same prototypes, same own
 * fields, same document change counter), so everything downstream reads them as before.
 *
 * `direct` depends on xmldom's internals (@xmldom/xmldom 0.9, pinned by the lock file): the
 * test in test/xml/dom-build.test.ts builds every shipped vector both ways and compares every
 * own field of every node, so an xmldom update that changes them fails there, not in
 * production. Only the parser may use `direct`, and only for names it has validated and an
 * append-only build of a fresh document.
 */
import { Attr, Element, NamedNodeMap, NodeList, Text } from "@xmldom/xmldom";
import type { Document, Node } from "@xmldom/xmldom";
import { XMLNS_NS } from "./dom.ts";

export interface DomBuilder {
  /** A new element `qname` (prefix and local name already split) in namespace `ns`. */
  element(doc: Document, ns: string | null, qname: string, prefix: string | null, localName: string): Element;
  /** Adds an attribute to `el`, whose attributes so far have other expanded names. */
  attribute(doc: Document, el: Element, ns: string | null, qname: string, prefix: string | null, localName: string, value: string): void;
  text(doc: Document, data: string): Node;
  /** Appends `child` (new, parentless) as the last child of `parent`, an element of `doc`. */
  append(doc: Document, parent: Element, child: Node): void;
}

/** xmldom's public DOM API: the reference `direct` must match. */
export const viaDomApi: DomBuilder = {
  element: (doc, ns, qname) => doc.createElementNS(ns, qname),
  attribute(doc, el, ns, qname, _prefix, _localName, value) {
    // createAttributeNS + setAttributeNodeNS is setAttributeNS without its lookup for an
    // attribute of the same name (the parser has refused duplicates).
    const attr = doc.createAttributeNS(ns, qname);
    attr.value = attr.nodeValue = value;
    el.setAttributeNodeNS(attr);
  },
  text: (doc, data) => doc.createTextNode(data),
  append: (_doc, parent, child) => void parent.appendChild(child),
};

// xmldom's node constructors refuse to be called from outside; its prototypes are exported.
// The `any` views below are the fields xmldom keeps on its nodes (not in its typings).
const ELEMENT = Element.prototype as object;
const ATTR = Attr.prototype as object;
const TEXT = Text.prototype as object;
const newNodeList = () => new (NodeList as any)();

/** The same nodes as {@link viaDomApi}, without checking again what the parser checked. */
export const direct: DomBuilder = {
  // Document.createElementNS: Element's constructor, then its fields.
  element(doc, ns, qname, prefix, localName) {
    const el = Object.create(ELEMENT);
    el._nsMap = Object.create(null);
    const attrs = (el.attributes = new (NamedNodeMap as any)());
    el.childNodes = newNodeList();
    el.ownerDocument = doc;
    el.nodeName = qname;
    el.tagName = qname;
    el.namespaceURI = ns;
    el.prefix = prefix;
    el.localName = localName;
    attrs._ownerElement = el;
    return el;
  },
  // Document.createAttributeNS, then NamedNodeMap.setNamedItem's append for a new name
  // (_addNamedNode: the ordered list, the name index, the owner, the document's change
  // counter, and the element's namespace map for a declaration).
  attribute(doc, el, ns, qname, prefix, localName, value) {
    const a = Object.create(ATTR);
    a.namespaceURI = ns;
    a.prefix = prefix;
    a.ownerElement = el;
    a.ownerDocument = doc;
    a.childNodes = newNodeList();
    a.nodeName = qname;
    a.name = qname;
    a.specified = true;
    a.localName = localName;
    a.value = a.nodeValue = value;
    const list = el.attributes as any;
    list[list.length] = a;
    list.length++;
    const bucket = ns ? (list._nsIndex[ns] ??= Object.create(null)) : list._noNsIndex;
    bucket[localName] = a;
    (doc as any)._inc++;
    if (ns === XMLNS_NS) (el as any)._nsMap[prefix ? localName : ""] = value;
  },
  // Document.createTextNode: the constructor, then appendData on an empty node (whose `data`
  // setter keeps the text and its length).
  text(doc, data) {
    const t = Object.create(TEXT);
    t.ownerDocument = doc;
    t.childNodes = newNodeList();
    t.data = data;
    return t;
  },
  // Node.appendChild into an element (_insertBefore with no reference child, _onUpdateChild).
  append(doc, parent, child) {
    const c = child as any;
    const p = parent as any;
    const last = p.lastChild;
    c.previousSibling = last;
    c.nextSibling = null;
    if (last) last.nextSibling = child;
    else p.firstChild = child;
    p.lastChild = child;
    c.parentNode = parent;
    (doc as any)._inc++;
    const kids = p.childNodes;
    kids[kids.length++] = child;
  },
};
