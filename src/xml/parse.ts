/**
 * Safe XML parsing for untrusted input (SOAP requests, tokens presented to us).
 *
 * Layers: byte size, strict UTF-8, a linear pre-scan (no DTD, limits, no PIs), then xmldom with
 * every warning and error fatal, then checks xmldom does not make itself (duplicate expanded
 * attribute names, empty prefixed namespace declarations, any document type node).
 */
import { DOMParser } from "@xmldom/xmldom";
import type { Document, Element, Node } from "@xmldom/xmldom";
import { XmlSecurityError } from "./errors.ts";
import type { XmlSecurityErrorCode } from "./errors.ts";
import { prescanXml } from "./prescan.ts";

export { XmlSecurityError };
export type { XmlSecurityErrorCode };

export interface XmlLimits {
  /** Largest accepted input, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest element nesting (the root element is depth 1). */
  maxDepth: number;
  maxElements: number;
  /** Counts namespace declarations too: they are attributes syntactically. */
  maxAttributesPerElement: number;
  maxTotalAttributes?: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 20000,
  maxAttributesPerElement: 64,
});

export interface ParseXmlOptions extends Partial<XmlLimits> {
  /**
   * Processing instructions are refused by default: SOAP 1.2 Part 1 §5 forbids them in an
   * envelope, SOAP 1.1 and SAML have no use for them, and they are a parser-differential
   * surface. Enable only for trusted inputs (e.g. the C14N spec examples).
   */
  allowProcessingInstructions?: boolean;
}

const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * Parses untrusted XML into an xmldom Document, or throws XmlSecurityError.
 *
 * Bytes must be UTF-8 (a BOM is removed; a declared encoding other than UTF-8 is refused);
 * a string is taken as already decoded and its declared encoding ignored. Line ends are
 * normalized as XML 1.0 §2.11 says (CRLF and CR to LF; unlike xmldom's default, NEL and
 * U+2028 are left alone, as XML 1.0 requires).
 */
export function parseXml(input: string | Uint8Array, options?: ParseXmlOptions): Document {
  const limits: XmlLimits = { ...DEFAULT_XML_LIMITS, ...stripUndefined(options) };
  let text: string;
  if (typeof input === "string") {
    // A JS string's UTF-8 size is at least its length and at most 3x it.
    if (input.length > limits.maxBytes || (input.length * 3 > limits.maxBytes && utf8Length(input) > limits.maxBytes)) {
      throw new XmlSecurityError("TOO_LARGE");
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > limits.maxBytes) throw new XmlSecurityError("TOO_LARGE");
    try {
      // ignoreBOM: false removes a leading UTF-8 BOM.
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(input);
    } catch {
      throw new XmlSecurityError("INVALID_UTF8");
    }
  }
  const scan = prescanXml(text, limits, options?.allowProcessingInstructions === true);
  if (typeof input !== "string" && scan.encoding !== undefined && !/^utf-?8$/i.test(scan.encoding)) {
    throw new XmlSecurityError("UNSUPPORTED_ENCODING");
  }

  let failure: XmlSecurityError | undefined;
  const parser = new DOMParser({
    locator: false,
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, "\n"),
    onError: (level, msg) => {
      failure ??= new XmlSecurityError(classify(msg), `${level}: ${msg}`);
      throw failure;
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, "application/xml");
  } catch (e) {
    // xmldom wraps what onError throws in a ParseError; report our classification.
    throw failure ?? new XmlSecurityError("MALFORMED", e instanceof Error ? e.message : undefined);
  }
  if (doc.doctype !== null) throw new XmlSecurityError("DOCTYPE");
  const root = doc.documentElement;
  if (root === null) throw new XmlSecurityError("MALFORMED", "no root element");
  checkElements(root, scan.attributeCounts);
  return doc;
}

function classify(msg: string): XmlSecurityErrorCode {
  if (msg.includes("redefined")) return "DUPLICATE_ATTRIBUTE";
  if (msg.includes("HierarchyRequestError")) return "MULTIPLE_ROOTS";
  return "MALFORMED";
}

/**
 * Namespaces in XML 1.0 §6.3: no two attributes with the same expanded name. xmldom only
 * compares qualified names and, for p:a and q:a with p and q bound to one URI, silently keeps
 * the last one, so we compare each element's attribute count with what the pre-scan saw in its
 * start tag (same document order). Also §3: a prefixed declaration must not be empty
 * (undeclaring a prefix is XML 1.1 only). Iterative pre-order walk: no recursion needed.
 */
function checkElements(root: Element, attributeCounts: readonly number[]): void {
  let index = 0;
  let node: Node | null = root;
  while (node !== null) {
    if (node.nodeType === 1) {
      const attrs = (node as Element).attributes;
      if (attrs.length !== attributeCounts[index++]) throw new XmlSecurityError("DUPLICATE_ATTRIBUTE");
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (a.namespaceURI === XMLNS_NS && a.prefix === "xmlns" && a.value === "") {
          throw new XmlSecurityError("MALFORMED", "empty prefixed namespace declaration");
        }
      }
    }
    // Next node in pre-order, never leaving the root's subtree.
    if (node.firstChild !== null) {
      node = node.firstChild;
      continue;
    }
    while (node !== null && node !== root && node.nextSibling === null) node = node.parentNode;
    node = node === null || node === root ? null : node.nextSibling;
  }
  if (index !== attributeCounts.length) throw new XmlSecurityError("MALFORMED", "element count mismatch");
}

function utf8Length(s: string): number {
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is 2 units and 4 bytes: 2 per unit.
    len += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xe000 ? 2 : 3;
  }
  return len;
}

function stripUndefined(o: ParseXmlOptions | undefined): Partial<XmlLimits> {
  const out: Partial<XmlLimits> = {};
  if (!o) return out;
  if (o.maxBytes !== undefined) out.maxBytes = o.maxBytes;
  if (o.maxDepth !== undefined) out.maxDepth = o.maxDepth;
  if (o.maxElements !== undefined) out.maxElements = o.maxElements;
  if (o.maxAttributesPerElement !== undefined) out.maxAttributesPerElement = o.maxAttributesPerElement;
  if (o.maxTotalAttributes !== undefined) out.maxTotalAttributes = o.maxTotalAttributes;
  return out;
}
