/**
 * A strict, single-pass XML 1.0 + Namespaces parser that builds an xmldom Document.
 *
 * Why our own: xmldom's SAX parser compiles a fresh regular expression for every end tag and
 * costs ~230 µs for a 5 KB SOAP request, more than the RSA verification it precedes. This
 * parser walks the text once with indexOf and sticky regexes and builds the same DOM xmldom's
 * DOM API would (dom-build.ts), so the rest of the code (c14n, signatures, SAML) sees xmldom
 * nodes as before. Only what a token service needs is supported; everything else is refused:
 * no DTD (the pre-scan refuses it first), no entities but the five predefined ones and
 * character references, processing instructions only when the caller allows them.
 *
 * Well-formedness checks (XML 1.0 §2–§4, Namespaces in XML 1.0 §3–§6): names, matching end
 * tags, one root, only whitespace / comments / PIs outside it, quoted attribute values without
 * `<`, no duplicate attributes (by qualified and by expanded name), declared prefixes, no
 * `]]>` in text, no `--` in comments, valid character references, reserved prefixes unbound.
 * Line ends are normalised (§2.11) and attribute values whitespace-normalised (§3.3.3).
 */
import { DOMImplementation } from "@xmldom/xmldom";
import type { Document, Element, Node } from "@xmldom/xmldom";
import { XmlSecurityError } from "./errors.ts";
import { XML_NS, XMLNS_NS } from "./dom.ts";
import { type DomBuilder, direct } from "./dom-build.ts";
import { ASTRAL_PAIR, NAME_CHARS, NAME_START_CHARS } from "./xs.ts";


const NCNAME = `(?:[${NAME_START_CHARS}]|${ASTRAL_PAIR})(?:[${NAME_CHARS}]|${ASTRAL_PAIR})*`;
/** A QName at the current position (sticky). */
const QNAME_AT = new RegExp(`${NCNAME}(?::${NCNAME})?`, "y");
const SPACE_AT = /[ \t\n\r]*/y;
const NOT_SPACE = /[^ \t\n\r]/;
const REF = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));/g;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

const impl = new DOMImplementation();

function malformed(detail: string): XmlSecurityError {
  return new XmlSecurityError("MALFORMED", detail);
}

/** XML 1.0 §2.2 Char, for character references. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Replaces entity and character references; `&` must start a valid reference (§4.1). */
function decodeRefs(s: string): string {
  if (s.indexOf("&") < 0) return s;
  let count = 0;
  const out = s.replace(REF, (_m, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    count++;
    if (name !== undefined) {
      const v = PREDEFINED[name];
      if (v === undefined) throw malformed(`undefined entity &${name};`);
      return v;
    }
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    if (!isXmlChar(cp)) throw malformed("character reference to an invalid character");
    return String.fromCodePoint(cp);
  });
  // Every '&' must have been part of a reference.
  let amps = 0;
  for (let i = s.indexOf("&"); i >= 0; i = s.indexOf("&", i + 1)) amps++;
  if (amps !== count) throw malformed("'&' that does not start a reference");
  return out;
}

interface Scope {
  parent: Scope | undefined;
  /** Prefix ("" = default) → namespace URI ("" = none). */
  map: Map<string, string> | undefined;
}

function lookup(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const v = s.map?.get(prefix);
    if (v !== undefined) return v;
  }
  if (prefix === "xml") return XML_NS;
  return prefix === "" ? "" : undefined;
}

/** Where an element came from: its text in the (normalised) input, and the scope around it. */
interface Source {
  input: string;
  start: number;
  end: number;
  outer: Scope | undefined;
}

const SOURCES = new WeakMap<Element, Source>();

/** Which elements to remember the source of (see {@link elementSource}). */
export type KeepSource = (namespaceURI: string | null, localName: string) => boolean;

/**
 * The exact text an element was parsed from (line ends normalised), and the namespace bindings
 * in scope around it, as one string — or undefined when the parser was not asked to keep it.
 * Two elements with equal strings are identical subtrees with identical in-scope namespaces:
 * the parser is deterministic, and nothing else from outside an element reaches its DOM (no
 * DTD, no external entities; xml:* attributes are not inherited by what reads tokens).
 */
export function elementSource(el: Element): string | undefined {
  const src = SOURCES.get(el);
  if (!src) return undefined;
  const bindings: [string, string][] = [];
  const seen = new Set<string>();
  for (let sc = src.outer; sc; sc = sc.parent) {
    if (!sc.map) continue;
    for (const [prefix, uri] of sc.map) {
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      bindings.push([prefix, uri]);
    }
  }
  bindings.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${JSON.stringify(bindings)}\n${src.input.slice(src.start, src.end)}`;
}

/**
 * Parses `s` (decoded, BOM removed, line ends not yet normalised) into an xmldom Document.
 * `keepSource` picks the elements whose source {@link elementSource} will answer for; `build`
 * makes the nodes (xmldom's DOM API as the reference, in tests).
 * @throws XmlSecurityError MALFORMED / MULTIPLE_ROOTS / DUPLICATE_ATTRIBUTE / PROCESSING_INSTRUCTION / DOCTYPE
 */
export function buildDocument(input: string, allowProcessingInstructions: boolean, keepSource?: KeepSource, build: DomBuilder = direct): Document {
  const s = input.indexOf("\r") >= 0 ? input.replace(/\r\n?/g, "\n") : input;
  const n = s.length;
  const doc = impl.createDocument(null, "", null);
  let parent: Node = doc;
  // Below the root every parent is an element; the root itself goes in through the Document.
  const append = (child: Node) => (parent === doc ? doc.appendChild(child) : build.append(doc, parent as Element, child));
  let scope: Scope | undefined;
  const open: { el: Element; qname: string; scope: Scope | undefined; start: number }[] = [];
  const keep = (el: Element, start: number, end: number, outer: Scope | undefined) => {
    if (keepSource?.(el.namespaceURI, el.localName!)) SOURCES.set(el, { input: s, start, end, outer });
  };
  let rootSeen = false;
  let i = 0;

  if (s.startsWith("<?xml") && /[ \t\n?]/.test(s.charAt(5))) {
    const end = s.indexOf("?>", 5);
    if (end < 0) throw malformed("unterminated XML declaration");
    // §2.8 VersionInfo is required; only 1.0 (1.x is processed as 1.0 by 1.0 processors).
    if (!/^\s+version\s*=\s*(["'])1\.[0-9]+\1/.test(s.slice(5, end))) throw malformed("invalid XML declaration");
    i = end + 2;
  }

  while (i < n) {
    const lt = s.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = s.slice(i, textEnd);
      if (open.length === 0) {
        if (NOT_SPACE.test(raw)) throw malformed("content outside the root element");
      } else {
        if (raw.indexOf("]]>") >= 0) throw malformed("']]>' in character data");
        append(build.text(doc, decodeRefs(raw)));
      }
    }
    if (lt < 0) break;
    i = lt;
    const c1 = s.charCodeAt(i + 1);
    if (c1 === 0x21 /* ! */) {
      if (s.startsWith("<!--", i)) {
        const end = s.indexOf("-->", i + 4);
        if (end < 0) throw malformed("unterminated comment");
        const body = s.slice(i + 4, end);
        // §2.5: no "--" inside, and the comment may not end with "-".
        if (body.indexOf("--") >= 0 || body.endsWith("-")) throw malformed("'--' in a comment");
        append(doc.createComment(body));
        i = end + 3;
      } else if (s.startsWith("<![CDATA[", i)) {
        if (open.length === 0) throw malformed("CDATA outside the root element");
        const end = s.indexOf("]]>", i + 9);
        if (end < 0) throw malformed("unterminated CDATA section");
        append(doc.createCDATASection(s.slice(i + 9, end)));
        i = end + 3;
      } else {
        throw new XmlSecurityError("DOCTYPE");
      }
    } else if (c1 === 0x3f /* ? */) {
      QNAME_AT.lastIndex = i + 2;
      const m = QNAME_AT.exec(s);
      if (!m || m[0].includes(":")) throw malformed("invalid processing instruction target");
      if (m[0].toLowerCase() === "xml") throw malformed("XML declaration not at the start");
      if (!allowProcessingInstructions) throw new XmlSecurityError("PROCESSING_INSTRUCTION");
      const end = s.indexOf("?>", i + 2 + m[0].length);
      if (end < 0) throw malformed("unterminated processing instruction");
      const rest = s.slice(i + 2 + m[0].length, end);
      if (rest !== "" && !/^[ \t\n]/.test(rest)) throw malformed("invalid processing instruction");
      append(doc.createProcessingInstruction(m[0], rest.replace(/^[ \t\n]+/, "")));
      i = end + 2;
    } else if (c1 === 0x2f /* / */) {
      QNAME_AT.lastIndex = i + 2;
      const m = QNAME_AT.exec(s);
      const top = open.pop();
      if (!m || !top || m[0] !== top.qname) throw malformed("end tag does not match its start tag");
      SPACE_AT.lastIndex = QNAME_AT.lastIndex;
      SPACE_AT.exec(s);
      if (s.charCodeAt(SPACE_AT.lastIndex) !== 0x3e) throw malformed("malformed end tag");
      i = SPACE_AT.lastIndex + 1;
      scope = top.scope;
      parent = top.el.parentNode!;
      if (keepSource) keep(top.el, top.start, i, top.scope);
    } else {
      if (open.length === 0 && rootSeen) throw new XmlSecurityError("MULTIPLE_ROOTS");
      const start = i;
      i = startTag(s, i, doc, build, append, scope, (el, qname, newScope, empty, after) => {
        if (empty) {
          if (keepSource) keep(el, start, after, scope);
          return;
        }
        open.push({ el, qname, scope, start });
        scope = newScope;
        parent = el;
      });
      rootSeen = true;
    }
  }
  if (open.length > 0) throw malformed("unclosed element");
  if (!rootSeen) throw malformed("no root element");
  return doc;
}

/** Parses one start tag at `lt`, appends the element, returns the index after `>`. */
function startTag(
  s: string,
  lt: number,
  doc: Document,
  build: DomBuilder,
  append: (child: Node) => void,
  outer: Scope | undefined,
  opened: (el: Element, qname: string, scope: Scope | undefined, empty: boolean, after: number) => void,
): number {
  QNAME_AT.lastIndex = lt + 1;
  const m = QNAME_AT.exec(s);
  if (!m) throw malformed("invalid element name");
  const qname = m[0];
  let i = QNAME_AT.lastIndex;
  const names: string[] = [];
  const values: string[] = [];
  let decls: Map<string, string> | undefined;
  for (;;) {
    SPACE_AT.lastIndex = i;
    SPACE_AT.exec(s);
    const spaced = SPACE_AT.lastIndex > i;
    i = SPACE_AT.lastIndex;
    const c = s.charCodeAt(i);
    if (c === 0x3e /* > */ || (c === 0x2f && s.charCodeAt(i + 1) === 0x3e)) break;
    if (!spaced) throw malformed("attributes must be separated by whitespace");
    QNAME_AT.lastIndex = i;
    const a = QNAME_AT.exec(s);
    if (!a) throw malformed("invalid attribute name");
    i = QNAME_AT.lastIndex;
    SPACE_AT.lastIndex = i;
    SPACE_AT.exec(s);
    i = SPACE_AT.lastIndex;
    if (s.charCodeAt(i) !== 0x3d /* = */) throw malformed("attribute without a value");
    SPACE_AT.lastIndex = i + 1;
    SPACE_AT.exec(s);
    i = SPACE_AT.lastIndex;
    const q = s.charAt(i);
    if (q !== '"' && q !== "'") throw malformed("attribute value must be quoted");
    const end = s.indexOf(q, i + 1);
    if (end < 0) throw malformed("unterminated attribute value");
    let raw = s.slice(i + 1, end);
    if (raw.indexOf("<") >= 0) throw malformed("'<' in an attribute value");
    // §3.3.3: literal whitespace characters become spaces; character references are kept.
    if (/[\t\n]/.test(raw)) raw = raw.replace(/[\t\n]/g, " ");
    const value = decodeRefs(raw);
    const name = a[0];
    if (names.includes(name)) throw new XmlSecurityError("DUPLICATE_ATTRIBUTE");
    names.push(name);
    values.push(value);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      const prefix = name === "xmlns" ? "" : name.slice(6);
      checkDeclaration(prefix, value);
      (decls ??= new Map()).set(prefix, value);
    }
    i = end + 1;
  }
  const empty = s.charCodeAt(i) === 0x2f;
  const after = i + (empty ? 2 : 1);
  const scope: Scope | undefined = decls ? { parent: outer, map: decls } : outer;

  const colon = qname.indexOf(":");
  const prefix = colon < 0 ? "" : qname.slice(0, colon);
  const ns = lookup(scope, prefix);
  if (ns === undefined) throw malformed(`undeclared prefix '${prefix}'`);
  if (prefix === "xmlns") throw malformed("element with the xmlns prefix");
  const el = build.element(doc, ns === "" ? null : ns, qname, colon < 0 ? null : prefix, colon < 0 ? qname : qname.slice(colon + 1));

  const expanded: string[] = [];
  for (let k = 0; k < names.length; k++) {
    const an = names[k]!;
    const ac = an.indexOf(":");
    let ans: string | null;
    if (an === "xmlns" || an.startsWith("xmlns:")) ans = XMLNS_NS;
    else if (ac < 0) ans = null;
    else {
      const p = an.slice(0, ac);
      const u = lookup(scope, p);
      if (u === undefined || u === "") throw malformed(`undeclared prefix '${p}'`);
      ans = u;
      // Namespaces in XML §6.3: no two attributes with the same expanded name.
      const key = `${u} ${an.slice(ac + 1)}`;
      if (expanded.includes(key)) throw new XmlSecurityError("DUPLICATE_ATTRIBUTE");
      expanded.push(key);
    }
    build.attribute(doc, el, ans, an, ac < 0 ? null : an.slice(0, ac), ac < 0 ? an : an.slice(ac + 1), values[k]!);
  }
  append(el);
  opened(el, qname, scope, empty, after);
  return after;
}

/** Namespaces in XML 1.0 §3 reserved names and XML 1.0: no undeclaring a prefix. */
function checkDeclaration(prefix: string, uri: string): void {
  if (prefix === "xmlns") throw malformed("the xmlns prefix must not be declared");
  if (prefix === "xml" && uri !== XML_NS) throw malformed("the xml prefix is bound to its own namespace");
  if (prefix !== "xml" && uri === XML_NS) throw malformed("the XML namespace may only be bound to xml");
  if (uri === XMLNS_NS) throw malformed("the xmlns namespace must not be declared");
  if (prefix !== "" && uri === "") throw malformed("empty prefixed namespace declaration");
}
