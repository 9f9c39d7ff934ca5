/**
 * Canonical XML 1.0 (W3C REC xml-c14n-20010315) and Exclusive XML Canonicalization 1.0
 * (W3C REC xml-exc-c14n-20020718), with and without comments, over an xmldom tree.
 *
 * Works on parsed trees and on trees we build with createElementNS, where a namespace may be
 * known only from a node's namespaceURI/prefix and have no xmlns attribute: every element's
 * "effective declarations" are its xmlns attributes plus the bindings its own name and its
 * attributes' names imply (what a namespace-fixup serializer would declare).
 */
import type { Attr, Document, Element, Node, ProcessingInstruction, Text } from "@xmldom/xmldom";
import { escapeC14nAttr, escapeC14nText } from "./escape.ts";
import { XMLNS_NS } from "./dom.ts";
import { utf8 } from "../bytes.ts";

export const C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
export const C14N_10_COMMENTS = C14N_10 + "#WithComments";
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
export const EXC_C14N_COMMENTS = EXC_C14N + "WithComments";


/**
 * A document that cannot be canonicalized. C14N 1.0 §2.1 (and so Exc-C14N, built on its data
 * model): "implementations of XML canonicalization MUST report an operation failure on documents
 * containing relative namespace URIs" — their meaning is undefined, so no two implementations
 * would agree on the octets. libxml2 (xmlsec1) and Santuario refuse them; so do we. The message is
 * fixed and safe to show.
 */
export class C14nError extends Error {
  constructor() {
    super("a namespace declaration with a relative URI cannot be canonicalized");
    this.name = "C14nError";
  }
}

/** An absolute URI begins with a scheme and ':' (RFC 3986 §3.1, §4.3); "" (no namespace) is no URI. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export interface C14nOptions {
  /** One of C14N_10, C14N_10_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS. */
  algorithm: string;
  /** Exclusive only: the InclusiveNamespaces PrefixList; "#default" names the default namespace. */
  inclusivePrefixes?: readonly string[];
  /** Nodes (with their subtrees) to leave out, e.g. the enveloped ds:Signature element. */
  exclude?: (node: Node) => boolean;
  /**
   * Document-subset (node-set) mode: which element, attribute, text, comment and PI nodes are in
   * the node-set. Namespace nodes follow their element. Omitted elements still have their
   * children visited (C14N 1.0 §2.3). Without it, the whole subtree of the apex is the node-set.
   */
  include?: (node: Node) => boolean;
}

/** Returns true for the four canonicalization algorithm URIs implemented here. */
export function isSupportedC14n(uri: string): boolean {
  return uri === C14N_10 || uri === C14N_10_COMMENTS || uri === EXC_C14N || uri === EXC_C14N_COMMENTS;
}

/**
 * prefix ("" = default) -> namespace URI. One mutable map per walk, changed on the way into an
 * element and put back on the way out (see `Undo`): lookups cost the same at any depth, and an
 * element costs only the bindings it changes, never the whole scope's.
 */
type Scope = Map<string, string>;

/** What an element changed in a Scope: prefix, then the value before (undefined: unbound). */
type Undo = (string | undefined)[] | null;

interface Ctx {
  out: string;
  readonly exclusive: boolean;
  readonly comments: boolean;
  readonly prefixList: ReadonlySet<string>;
  readonly exclude: ((n: Node) => boolean) | undefined;
  readonly include: ((n: Node) => boolean) | undefined;
  /** The bindings in scope at the element being written. */
  readonly scope: Scope;
  /** The bindings the nearest output ancestors rendered (C14N 1.0 §2.3, Exc-C14N §3). */
  readonly rendered: Scope;
}

/** An inherited xml:* attribute (C14N 1.0 §2.4), by qualified name. */
type XmlAttrs = Record<string, Attr>;

/**
 * Canonicalizes a Document, or the subtree whose apex is an Element (a document subset in the
 * sense of C14N 1.0 §2.4: inclusive c14n pulls in ancestors' namespaces and xml:* attributes;
 * exclusive c14n renders only visibly utilized namespaces, Exc-C14N §3).
 * @throws TypeError for an unknown algorithm or an unsupported apex node type.
 * @throws C14nError when an element of the subtree declares a relative namespace URI.
 */
export function canonicalize(node: Node, opts: C14nOptions): string {
  const a = opts.algorithm;
  if (!isSupportedC14n(a)) throw new TypeError("unsupported canonicalization algorithm");
  const exclusive = a === EXC_C14N || a === EXC_C14N_COMMENTS;
  const ctx: Ctx = {
    out: "",
    exclusive,
    comments: a === C14N_10_COMMENTS || a === EXC_C14N_COMMENTS,
    prefixList: new Set(exclusive && opts.inclusivePrefixes ? opts.inclusivePrefixes.map((p) => (p === "#default" ? "" : p)) : []),
    exclude: opts.exclude,
    include: opts.include,
    scope: new Map(),
    rendered: new Map(),
  };
  if (node.nodeType === 9) {
    documentNode(ctx, node as Document);
  } else if (node.nodeType === 1) {
    const el = node as Element;
    // Ancestors of the apex are outside the node-set, but their declarations are in scope and
    // (inclusive only) their xml:* attributes are inherited by the apex.
    const chain: Element[] = [];
    for (let p = el.parentNode; p && p.nodeType === 1; p = p.parentNode) chain.push(p as Element);
    let xmlAttrs: XmlAttrs | null = null;
    for (let i = chain.length - 1; i >= 0; i--) {
      const anc = chain[i]!;
      declare(anc, ctx.scope, false);
      if (!exclusive) xmlAttrs = collectXmlAttrs(anc, xmlAttrs);
    }
    if (!isExcluded(ctx, el)) element(ctx, el, false, xmlAttrs);
  } else {
    throw new TypeError("canonicalize: apex must be a Document or an Element");
  }
  return ctx.out;
}

/** canonicalize() encoded as UTF-8 (the octet stream that digests and signatures cover). */
export function canonicalizeToBytes(node: Node, opts: C14nOptions): Uint8Array<ArrayBuffer> {
  return utf8(canonicalize(node, opts));
}

function isExcluded(ctx: Ctx, n: Node): boolean {
  return ctx.exclude !== undefined && ctx.exclude(n);
}

function inSet(ctx: Ctx, n: Node): boolean {
  return ctx.include === undefined || ctx.include(n);
}

/** C14N 1.0 §2.1: document-level comments/PIs are separated from the root element by #xA. */
function documentNode(ctx: Ctx, doc: Document): void {
  let afterRoot = false;
  for (let c = doc.firstChild; c; c = c.nextSibling) {
    if (isExcluded(ctx, c)) continue;
    const t = c.nodeType;
    if (t === 1) {
      element(ctx, c as Element, false, null);
      afterRoot = true;
    } else if ((t === 8 && ctx.comments) || (t === 7 && (c as ProcessingInstruction).target !== "xml")) {
      // xmldom keeps the XML declaration as a PI node; it is not part of the data model.
      if (!inSet(ctx, c)) continue;
      if (afterRoot) ctx.out += "\n";
      leaf(ctx, c);
      if (!afterRoot) ctx.out += "\n";
    }
    // Text (whitespace) and the document type declaration at document level are not output.
  }
}

function leaf(ctx: Ctx, c: Node): void {
  if (c.nodeType === 8) {
    ctx.out += "<!--" + (c as unknown as Text).data + "-->";
  } else {
    const pi = c as ProcessingInstruction;
    ctx.out += pi.data ? "<?" + pi.target + " " + pi.data + "?>" : "<?" + pi.target + "?>";
  }
}

/** Sets `prefix` to `uri` in `scope`, noting the first change of each prefix in `undo`. */
function rebind(scope: Scope, prefix: string, uri: string, undo: Undo): Undo {
  const prev = scope.get(prefix);
  if (prev === uri || (prev === undefined && prefix === "" && uri === "")) return undo;
  if (undo === null) undo = [];
  let seen = false;
  for (let i = 0; i < undo.length; i += 2) if (undo[i] === prefix) seen = true;
  if (!seen) undo.push(prefix, prev);
  scope.set(prefix, uri);
  return undo;
}

/** Puts back what an element changed, last change first. */
function restore(scope: Scope, undo: Undo): void {
  if (undo === null) return;
  for (let i = undo.length - 2; i >= 0; i -= 2) {
    const prev = undo[i + 1];
    if (prev === undefined) scope.delete(undo[i]!);
    else scope.set(undo[i]!, prev);
  }
}

/**
 * Applies an element's effective namespace declarations (explicit and implied) to the scope;
 * the answer lists the prefixes it changed (at even indices) with their earlier values.
 * `inSubtree`: the element is in what is being canonicalized, so its own declarations must have
 * absolute URIs (as libxml2 and Santuario check them: on the elements of the subtree, not on the
 * ancestors whose scope it inherits).
 */
function declare(el: Element, scope: Scope, inSubtree: boolean): Undo {
  let undo: Undo = null;
  const attrs = el.attributes;
  const n = attrs.length;
  for (let i = 0; i < n; i++) {
    const a = attrs.item(i)!;
    const name = a.name;
    if (isNsDecl(a)) {
      const uri = a.value;
      if (inSubtree && uri !== "" && !ABSOLUTE_URI.test(uri)) throw new C14nError();
      undo = rebind(scope, name.length === 5 ? "" : name.slice(6), uri, undo);
    }
  }
  // The element's and its attributes' own names say what the prefixes must mean here.
  undo = rebind(scope, el.prefix ?? "", el.namespaceURI ?? "", undo);
  for (let i = 0; i < n; i++) {
    const a = attrs.item(i)!;
    const p = a.prefix;
    if (p && p !== "xml" && p !== "xmlns" && a.namespaceURI) undo = rebind(scope, p, a.namespaceURI, undo);
  }
  return undo;
}

function isNsDecl(a: Attr): boolean {
  const name = a.name;
  return a.namespaceURI === XMLNS_NS || name === "xmlns" || name.startsWith("xmlns:");
}

function collectXmlAttrs(el: Element, base: XmlAttrs | null): XmlAttrs | null {
  let out = base;
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (a.prefix === "xml") {
      if (out === base) out = Object.assign(Object.create(null) as XmlAttrs, base);
      out![a.name] = a;
    }
  }
  return out;
}

function element(ctx: Ctx, el: Element, parentOutput: boolean, xmlInherit: XmlAttrs | null): void {
  const changed = declare(el, ctx.scope, true);
  if (inSet(ctx, el)) {
    const tag = el.nodeName;
    ctx.out += "<" + tag;
    const rendered = namespaces(ctx, el, parentOutput ? changed : null, parentOutput);
    attributes(ctx, el, parentOutput ? null : xmlInherit);
    ctx.out += ">";
    children(ctx, el, true, null);
    ctx.out += "</" + tag + ">";
    restore(ctx.rendered, rendered);
  } else {
    children(ctx, el, false, ctx.exclusive ? null : collectXmlAttrs(el, xmlInherit));
  }
  restore(ctx.scope, changed);
}

function children(ctx: Ctx, el: Element, output: boolean, xmlInherit: XmlAttrs | null): void {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    const t = c.nodeType;
    if (isExcluded(ctx, c)) continue;
    if (t === 1) element(ctx, c as Element, output, xmlInherit);
    else if (t === 3 || t === 4) {
      if (inSet(ctx, c)) ctx.out += escapeC14nText((c as Text).data);
    } else if ((t === 8 && ctx.comments) || t === 7) {
      if (inSet(ctx, c)) leaf(ctx, c);
    }
  }
}

/**
 * Emits the namespace declarations of an output element, sorted by prefix (default first), and
 * records them in the rendered scope for its descendants (the answer undoes that). When the
 * parent was output (`parentOutput`), only the prefixes this element rebinds (`changed`) can
 * differ from what that parent rendered, so an element costs its own declarations, never the
 * whole scope's; otherwise (the apex, or below an element left out) every in-scope prefix counts.
 */
function namespaces(ctx: Ctx, el: Element, changed: Undo, parentOutput: boolean): Undo {
  const scope = ctx.scope;
  const rendered = ctx.rendered;
  const prefixes: string[] = [];
  if (ctx.exclusive) {
    // Exc-C14N §3: visibly utilized prefixes, plus the PrefixList ones under inclusive rules.
    prefixes.push(el.prefix ?? "");
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      const p = a.prefix;
      if (p && p !== "xmlns" && !isNsDecl(a) && !prefixes.includes(p)) prefixes.push(p);
    }
    // The PrefixList is the signer's text and may be long: read whole only where every in-scope
    // prefix counts, else only the prefixes this element rebinds (the rest its parent rendered).
    if (!parentOutput) {
      for (const p of ctx.prefixList) if ((p === "" || scope.has(p)) && !prefixes.includes(p)) prefixes.push(p);
    } else if (changed !== null && ctx.prefixList.size > 0) {
      for (let i = 0; i < changed.length; i += 2) {
        const p = changed[i]!;
        if (ctx.prefixList.has(p) && !prefixes.includes(p)) prefixes.push(p);
      }
    }
  } else if (!parentOutput) {
    for (const p of scope.keys()) prefixes.push(p);
  } else if (changed !== null) {
    for (let i = 0; i < changed.length; i += 2) prefixes.push(changed[i]!);
  }
  let emit: string[] | null = null;
  for (const p of prefixes) {
    if (p === "xml") continue;
    const uri = scope.get(p);
    if (p === "") {
      // xmlns="" only undoes a non-empty default rendered by an output ancestor (§2.3).
      if ((uri ?? "") === (rendered.get("") ?? "")) continue;
    } else if (uri === undefined || uri === "" || rendered.get(p) === uri) {
      continue;
    }
    (emit ??= []).push(p);
  }
  if (emit === null) return null;
  if (emit.length > 1) emit.sort(codePointOrder);
  let undo: Undo = null;
  for (const p of emit) {
    const uri = scope.get(p) ?? "";
    undo = rebind(rendered, p, uri, undo);
    ctx.out += (p === "" ? ' xmlns="' : " xmlns:" + p + '="') + escapeC14nAttr(uri) + '"';
  }
  return undo;
}

/** Emits attributes sorted by namespace URI, then local name (C14N 1.0 §2.2). */
function attributes(ctx: Ctx, el: Element, xmlInherit: XmlAttrs | null): void {
  const attrs = el.attributes;
  const list: Attr[] = [];
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (!isNsDecl(a) && inSet(ctx, a)) list.push(a);
  }
  if (xmlInherit !== null) {
    for (const name in xmlInherit) if (!el.hasAttribute(name)) list.push(xmlInherit[name]!);
  }
  if (list.length > 1) list.sort(compareAttrs);
  for (const a of list) ctx.out += " " + a.name + '="' + escapeC14nAttr(a.value) + '"';
}

function compareAttrs(a: Attr, b: Attr): number {
  const na = a.namespaceURI ?? "";
  const nb = b.namespaceURI ?? "";
  if (na !== nb) return codePointOrder(na, nb);
  return codePointOrder(a.localName ?? a.name, b.localName ?? b.name);
}

/**
 * C14N 1.0 §2.2 orders names by code point. JS compares strings by UTF-16 code unit, which
 * agrees except where a character above U+FFFF (a surrogate pair, D800–DFFF) meets one of
 * U+E000–U+FFFF: untrusted documents may name attributes and prefixes so, and other
 * implementations then digest another order. At the first unit that differs, surrogates are
 * moved above E000–FFFF.
 */
export function codePointOrder(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

const unitRank = (u: number) => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
