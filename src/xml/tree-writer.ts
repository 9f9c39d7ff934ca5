/**
 * A light element tree for the documents we generate and sign (SAML assertions, ds:Signature),
 * written straight out in Exclusive XML Canonicalization form (xml-exc-c14n, no comments).
 *
 * Why: issuing a token used to build an xmldom tree through its validating DOM API, canonicalize
 * it twice (Reference and SignedInfo) and serialize it with XMLSerializer. Written canonically,
 * the token's serialization IS its canonical form, so the octets the Reference digests are the
 * same writer's output before the signature goes in: no DOM, no second walk, no serializer.
 *
 * What makes the output canonical (Exc-C14N §3, C14N 1.0 §2): a namespace declaration is
 * written on an element only when its own name uses the prefix and no written ancestor already
 * declared the same binding; attributes are unprefixed (no namespace) and sorted by name; empty
 * elements get an end tag; text and attribute values use the C14N escapes. A QName in content
 * (an xsi:type value) must use a prefix exclusive c14n renders anyway — the element's own, as
 * `saml:KeyInfoConfirmationDataType` on a `saml:` element does — since c14n does not see it.
 */
import type { Element as DomElement } from "@xmldom/xmldom";
import { XmlSecurityError } from "./errors.ts";
import { escapeC14nAttr, escapeC14nText } from "./escape.ts";
import { isXmlText } from "./prescan.ts";

export { isXmlText };

export interface TreeElement {
  readonly ns: string;
  /** Qualified name, e.g. "saml:Assertion". */
  readonly qname: string;
  readonly prefix: string;
  /** Unprefixed attributes, [name, value], kept sorted by name. */
  readonly attrs: [string, string][];
  readonly children: (TreeElement | string)[];
  /**
   * Namespaced attributes, [prefix, namespace, local name, value] (only `xsi:type` so far:
   * SAML 2.0 holder-of-key SubjectConfirmationData). Its value may be a QName whose prefix must
   * be in scope where the element stands; the writer does not check that.
   */
  qattrs?: [string, string, string, string][];
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * Element and attribute names that passed the checks below. Names come from our own builders (a
 * few dozen constants), so each is checked once per isolate instead of per token; bounded all
 * the same. Only valid names go in: an invalid one is refused every time.
 */
const checkedNames = new Set<string>();
function rememberName(name: string): void {
  if (checkedNames.size >= 1024) checkedNames.clear();
  checkedNames.add(name);
}

/**
 * Text and attribute values must be XML 1.0 Chars (no controls, U+FFFE/U+FFFF or lone
 * surrogates), or the document would be one no parser accepts. The refusal is the same typed
 * error the parser raises, so callers (SAML minting) can answer it as a protocol error.
 */
function checkText(s: string, where: string): string {
  if (!isXmlText(s)) throw new XmlSecurityError("INVALID_CHARACTER", `tree-writer: ${where}`);
  return s;
}

/** A new element; `attrs` entries whose value is undefined are left out. */
export function treeElement(
  ns: string,
  qname: string,
  attrs?: Record<string, string | undefined> | null,
  text?: string,
): TreeElement {
  const colon = qname.indexOf(":");
  const prefix = colon < 0 ? "" : qname.slice(0, colon);
  if (!checkedNames.has(qname)) {
    if (!NAME.test(colon < 0 ? qname : qname.slice(colon + 1)) || (prefix !== "" && !NAME.test(prefix))) {
      throw new TypeError(`tree-writer: invalid element name '${qname}'`);
    }
    rememberName(qname);
  }
  if (ns === "" && prefix !== "") throw new TypeError(`tree-writer: prefix '${prefix}' without a namespace`);
  const list: [string, string][] = [];
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v === undefined || !Object.hasOwn(attrs, k)) continue;
      // Prefixed attributes would need their own namespace handling; none of our tokens has one.
      if (!checkedNames.has(k)) {
        if (!NAME.test(k) || k === "xmlns") throw new TypeError(`tree-writer: attribute name '${k}' is not supported`);
        rememberName(k);
      }
      list.push([k, checkText(v, `attribute '${k}'`)]);
    }
    // C14N 1.0 §2.2: attributes without a namespace sort by local name (UTF-16 order equals
    // code-point order for these ASCII names).
    if (list.length > 1) list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  return { ns, qname, prefix, attrs: list, children: text === undefined ? [] : [checkText(text, `the text of '${qname}'`)] };
}

/** Appends a new child element (see {@link treeElement}) and returns it. */
export function addTreeChild(
  parent: TreeElement,
  ns: string,
  qname: string,
  attrs?: Record<string, string | undefined> | null,
  text?: string,
): TreeElement {
  const el = treeElement(ns, qname, attrs, text);
  parent.children.push(el);
  return el;
}

/**
 * The exclusive canonical form of `el`'s subtree as the apex of a document subset (nothing
 * rendered above it). Also a complete, self-contained serialization of the subtree.
 */
export function writeExclusive(el: TreeElement): string {
  return write(el, EMPTY);
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * The namespace context inside `el` when the context around it is `rendered`: the same object
 * unless `el` must declare its namespace. Exc-C14N §3: the element's own prefix is its only
 * visibly utilized one (attributes are unprefixed). The default namespace "" with no URI is
 * rendered only to undo a default.
 */
function scopeOf(el: TreeElement, rendered: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let inner: Record<string, string> | undefined;
  const bind = (prefix: string, ns: string) => {
    const current = (inner ?? rendered)[prefix];
    if (prefix === "" ? (current ?? "") === ns : current === ns) return;
    inner ??= Object.create(rendered) as Record<string, string>;
    inner[prefix] = ns;
  };
  bind(el.prefix, el.ns);
  // Exc-C14N §3: a namespaced attribute's prefix is visibly utilized too.
  if (el.qattrs) for (const [prefix, ns] of el.qattrs) bind(prefix, ns);
  return inner ?? rendered;
}

/**
 * The start tag of `el` in the `rendered` namespace context, `inner` being {@link scopeOf} it:
 * the declarations are the bindings `inner` adds (C14N 1.0 §2.2: sorted by prefix, the default
 * first), then unqualified attributes by name, then namespaced ones by namespace URI and name.
 */
function open(el: TreeElement, rendered: Readonly<Record<string, string>>, inner: Readonly<Record<string, string>>): string {
  let s = "<" + el.qname;
  if (inner !== rendered) {
    const added = Object.keys(inner).sort();
    for (const p of added) s += (p === "" ? ' xmlns="' : " xmlns:" + p + '="') + escapeC14nAttr(inner[p]!) + '"';
  }
  for (const [k, v] of el.attrs) s += " " + k + '="' + escapeC14nAttr(v) + '"';
  if (el.qattrs) {
    const q = el.qattrs.length > 1 ? [...el.qattrs].sort((a, b) => (a[1] + " " + a[2] < b[1] + " " + b[2] ? -1 : 1)) : el.qattrs;
    for (const [p, , local, v] of q) s += " " + p + ":" + local + '="' + escapeC14nAttr(v) + '"';
  }
  return s + ">";
}

/**
 * Sets a namespaced attribute on `el` (see {@link TreeElement.qattrs}).
 */
export function setTreeQualifiedAttribute(el: TreeElement, prefix: string, ns: string, local: string, value: string): void {
  if (!NAME.test(prefix) || !NAME.test(local) || prefix === "xmlns" || ns === "") {
    throw new TypeError(`tree-writer: attribute name '${prefix}:${local}' is not supported`);
  }
  (el.qattrs ??= []).push([prefix, ns, local, checkText(value, `attribute '${prefix}:${local}'`)]);
}

/** `el`'s children, written in `inner` (the context inside `el`), from index `from` to `to`. */
function writeChildren(el: TreeElement, inner: Readonly<Record<string, string>>, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) {
    const c = el.children[i]!;
    s += typeof c === "string" ? escapeC14nText(c) : write(c, inner);
  }
  return s;
}

function write(el: TreeElement, rendered: Readonly<Record<string, string>>): string {
  const inner = scopeOf(el, rendered);
  return open(el, rendered, inner) + writeChildren(el, inner, 0, el.children.length) + "</" + el.qname + ">";
}

/**
 * {@link writeExclusive} of `el` cut where a child inserted at `index` of its children would go
 * (`before + after` is el's exclusive canonical form now), and a writer for such a child in
 * el's namespace context: `before + child(c) + after` is writeExclusive of el once `c` is
 * inserted there — without writing the rest again (a signature inserted after signing).
 */
export function writeExclusiveAround(el: TreeElement, index: number): { before: string; after: string; child(c: TreeElement): string } {
  const inner = scopeOf(el, EMPTY);
  const cut = index >= 0 && index < el.children.length ? index : el.children.length;
  return {
    before: open(el, EMPTY, inner) + writeChildren(el, inner, 0, cut),
    after: writeChildren(el, inner, cut, el.children.length) + "</" + el.qname + ">",
    child: (c) => write(c, inner),
  };
}

/**
 * A parsed element as a tree-writer element, so that it can be written again inside a new
 * document in canonical form (a holder-of-key KeyInfo carried from a verified token into its
 * renewal). Namespace declarations follow from the names; comments and processing instructions
 * are dropped, as exclusive canonicalization without comments drops them from what is signed.
 */
export function treeFromElement(el: DomElement): TreeElement {
  const local = el.localName ?? el.nodeName;
  const out = treeElement(el.namespaceURI ?? "", el.prefix ? `${el.prefix}:${local}` : local);
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (a.name === "xmlns" || a.prefix === "xmlns") continue;
    if (a.namespaceURI) setTreeQualifiedAttribute(out, a.prefix ?? "", a.namespaceURI, a.localName ?? a.name, a.value);
    else {
      if (!NAME.test(a.name)) throw new TypeError(`tree-writer: attribute name '${a.name}' is not supported`);
      out.attrs.push([a.name, checkText(a.value, `attribute '${a.name}'`)]);
    }
  }
  out.attrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.children.push(treeFromElement(c as DomElement));
    else if (c.nodeType === 3 || c.nodeType === 4) out.children.push(checkText(c.nodeValue ?? "", `the text of '${out.qname}'`));
  }
  return out;
}
