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
/** A QName at the current position (sticky): the full grammar, for names with non-ASCII characters. */
const QNAME_AT = new RegExp(`${NCNAME}(?::${NCNAME})?`, "y");

/**
 * ASCII characters by what they may be in a name: 1 = NameChar only, 2 = NameStartChar too
 * (XML 1.0 §2.3, without ':'). Almost every name in a token or SOAP message is ASCII, and a
 * table lookup per character costs a fraction of a sticky regex's exec and its match array
 * (the regexes were a quarter of a 6 KB request's parse).
 */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) ASCII_NAME[c] = 1;
ASCII_NAME[0x2d] = ASCII_NAME[0x2e] = 1;
for (let c = 0x41; c <= 0x5a; c++) ASCII_NAME[c] = ASCII_NAME[c + 0x20] = 2;
ASCII_NAME[0x5f] = 2;

/** End of the ASCII NCName at `i` (i itself when there is none), or -1 at a non-ASCII character. */
function asciiNcNameEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0x80) return -1;
  if (ASCII_NAME[c] !== 2) return i;
  let k = i + 1;
  for (;;) {
    const d = s.charCodeAt(k);
    if (d < 0x80 && ASCII_NAME[d] !== 0) k++;
    else return d >= 0x80 ? -1 : k;
  }
}

/**
 * End of the QName at `i` (NCName, optionally ':' NCName), or `i` when no name starts there:
 * what QNAME_AT matches, with the regex only when a non-ASCII character is met.
 */
function qnameEnd(s: string, i: number): number {
  let end = asciiNcNameEnd(s, i);
  if (end > i && s.charCodeAt(end) === 0x3a /* : */) {
    const local = asciiNcNameEnd(s, end + 1);
    // As the regex: a ':' not followed by a name start is not part of the name.
    if (local > end + 1) end = local;
    else if (local < 0) end = -1;
  }
  if (end >= 0) return end;
  QNAME_AT.lastIndex = i;
  return QNAME_AT.test(s) ? QNAME_AT.lastIndex : i;
}

/** Index of the first character at or after `i` that is not XML whitespace (§2.3 S). */
function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) i++;
    else return i;
  }
}
const NOT_SPACE = /[^ \t\n\r]/;
const REF = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));/g;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/**
 * The body of an XML declaration after `<?xml`, in full (XML 1.0 §2.8 XMLDecl, §4.3.3 EncName,
 * §2.9 SDDecl): version, then optionally encoding, then optionally standalone, in that order, each
 * once, separated by S (line ends are already normalised to #xA). A declaration with anything else
 * is not well-formed, and libxml2, Xerces and .NET refuse the whole document for it.
 */
const XML_DECL = /^[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*$/;

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
  const tag: StartTag = { el: undefined, scope: undefined, empty: false, after: 0 };
  let rootSeen = false;
  let i = 0;

  if (s.startsWith("<?xml") && /[ \t\n?]/.test(s.charAt(5))) {
    const end = s.indexOf("?>", 5);
    if (end < 0) throw malformed("unterminated XML declaration");
    // §2.8 VersionInfo is required; only 1.0 (1.x is processed as 1.0 by 1.0 processors).
    if (!XML_DECL.test(s.slice(5, end))) throw malformed("invalid XML declaration");
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
      const targetEnd = qnameEnd(s, i + 2);
      const target = s.slice(i + 2, targetEnd);
      if (target === "" || target.includes(":")) throw malformed("invalid processing instruction target");
      if (target.toLowerCase() === "xml") throw malformed("XML declaration not at the start");
      if (!allowProcessingInstructions) throw new XmlSecurityError("PROCESSING_INSTRUCTION");
      const end = s.indexOf("?>", targetEnd);
      if (end < 0) throw malformed("unterminated processing instruction");
      const rest = s.slice(targetEnd, end);
      if (rest !== "" && !/^[ \t\n]/.test(rest)) throw malformed("invalid processing instruction");
      append(doc.createProcessingInstruction(target, rest.replace(/^[ \t\n]+/, "")));
      i = end + 2;
    } else if (c1 === 0x2f /* / */) {
      const top = open.pop();
      // The end tag must repeat the start tag's name exactly, and end there (§3 ETag).
      const nameEnd = i + 2 + (top ? top.qname.length : 0);
      if (!top || !s.startsWith(top.qname, i + 2) || qnameEnd(s, i + 2) !== nameEnd) throw malformed("end tag does not match its start tag");
      const gt = skipSpace(s, nameEnd);
      if (s.charCodeAt(gt) !== 0x3e) throw malformed("malformed end tag");
      i = gt + 1;
      scope = top.scope;
      parent = top.el.parentNode!;
      if (keepSource) keep(top.el, top.start, i, top.scope);
    } else {
      if (open.length === 0 && rootSeen) throw new XmlSecurityError("MULTIPLE_ROOTS");
      const start = i;
      startTag(s, i, doc, build, append, scope, tag);
      const el = tag.el!;
      i = tag.after;
      if (tag.empty) {
        if (keepSource) keep(el, start, i, scope);
      } else {
        open.push({ el, qname: el.tagName, scope, start });
        scope = tag.scope;
        parent = el;
      }
      rootSeen = true;
    }
  }
  if (open.length > 0) throw malformed("unclosed element");
  if (!rootSeen) throw malformed("no root element");
  return doc;
}

/** What {@link startTag} read: one object per parse, refilled for every start tag. */
interface StartTag {
  el: Element | undefined;
  /** The scope inside the element (its own declarations on top of the outer scope). */
  scope: Scope | undefined;
  /** Written `<name ... />`. */
  empty: boolean;
  /** The index after the tag's `>`. */
  after: number;
}

/** Parses one start tag at `lt`, appends the element, and says what it read in `out`. */
function startTag(
  s: string,
  lt: number,
  doc: Document,
  build: DomBuilder,
  append: (child: Node) => void,
  outer: Scope | undefined,
  out: StartTag,
): void {
  let i = qnameEnd(s, lt + 1);
  if (i === lt + 1) throw malformed("invalid element name");
  const qname = s.slice(lt + 1, i);
  const names: string[] = [];
  const values: string[] = [];
  let decls: Map<string, string> | undefined;
  for (;;) {
    const afterSpace = skipSpace(s, i);
    const spaced = afterSpace > i;
    i = afterSpace;
    const c = s.charCodeAt(i);
    if (c === 0x3e /* > */ || (c === 0x2f && s.charCodeAt(i + 1) === 0x3e)) break;
    if (!spaced) throw malformed("attributes must be separated by whitespace");
    const nameStart = i;
    i = qnameEnd(s, i);
    if (i === nameStart) throw malformed("invalid attribute name");
    const name = s.slice(nameStart, i);
    i = skipSpace(s, i);
    if (s.charCodeAt(i) !== 0x3d /* = */) throw malformed("attribute without a value");
    i = skipSpace(s, i + 1);
    const q = s.charAt(i);
    if (q !== '"' && q !== "'") throw malformed("attribute value must be quoted");
    const end = s.indexOf(q, i + 1);
    if (end < 0) throw malformed("unterminated attribute value");
    let raw = s.slice(i + 1, end);
    if (raw.indexOf("<") >= 0) throw malformed("'<' in an attribute value");
    // §3.3.3: literal whitespace characters become spaces; character references are kept.
    if (/[\t\n]/.test(raw)) raw = raw.replace(/[\t\n]/g, " ");
    const value = decodeRefs(raw);
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
  out.el = el;
  out.scope = scope;
  out.empty = empty;
  out.after = after;
}

/** Namespaces in XML 1.0 §3 reserved names and XML 1.0: no undeclaring a prefix. */
function checkDeclaration(prefix: string, uri: string): void {
  if (prefix === "xmlns") throw malformed("the xmlns prefix must not be declared");
  if (prefix === "xml" && uri !== XML_NS) throw malformed("the xml prefix is bound to its own namespace");
  if (prefix !== "xml" && uri === XML_NS) throw malformed("the XML namespace may only be bound to xml");
  if (uri === XMLNS_NS) throw malformed("the xmlns namespace must not be declared");
  if (prefix !== "" && uri === "") throw malformed("empty prefixed namespace declaration");
}
