/**
 * Safe XML parsing for untrusted input (SOAP requests, tokens presented to us).
 *
 * Layers: byte size, strict UTF-8, a linear pre-scan (no DTD, limits, no PIs), then our strict
 * single-pass parser (src/xml/tree.ts) building an xmldom Document, then a cross-check of the
 * two readings (attribute counts per element).
 */
import type { Document, Element, Node } from "@xmldom/xmldom";
import { nextInSubtree } from "./dom.ts";
import { XmlSecurityError } from "./errors.ts";
import type { XmlSecurityErrorCode } from "./errors.ts";
import { type XmlLimits, prescanXml } from "./prescan.ts";
import { type KeepSource, buildDocument } from "./tree.ts";
import { strictUtf8 } from "../bytes.ts";

export { XmlSecurityError };
export type { XmlSecurityErrorCode };

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
  /** Elements whose source text `elementSource` (src/xml/tree.ts) should answer for. */
  keepSource?: KeepSource;
}

/**
 * Parses untrusted XML into an xmldom Document, or throws XmlSecurityError.
 *
 * Bytes must be UTF-8 (a BOM is removed; a declared encoding other than UTF-8, or bytes that
 * begin as UTF-16 or UTF-32 do, are refused as UNSUPPORTED_ENCODING);
 * a string is taken as already decoded and its declared encoding ignored. Line ends are
 * normalized as XML 1.0 §2.11 says (CRLF and CR to LF; unlike xmldom's default, NEL and
 * U+2028 are left alone, as XML 1.0 requires).
 */
export function parseXml(input: string | Uint8Array, options?: ParseXmlOptions): Document {
  const limits: XmlLimits = { ...DEFAULT_XML_LIMITS, ...stripUndefined(options) };
  // Attributes are the one kind of node no other limit counts: 1 MiB of ` aN=""` is 140,000 of
  // them, each an xmldom Attr (measured in workerd: 170–260 ms and most of it garbage collection,
  // against 12 ms for 1 MiB of text). As many as the document may have elements is far beyond
  // any message (a SAML assertion carries about one per element) and bounds that cost.
  limits.maxTotalAttributes ??= limits.maxElements;
  let text: string;
  if (typeof input === "string") {
    // A JS string's UTF-8 size is at least its length and at most 3x it.
    if (input.length > limits.maxBytes || (input.length * 3 > limits.maxBytes && utf8Length(input) > limits.maxBytes)) {
      throw new XmlSecurityError("TOO_LARGE");
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > limits.maxBytes) throw new XmlSecurityError("TOO_LARGE");
    // A UTF-16 or UTF-32 document is refused for its encoding, not for what its bytes would be
    // misread as in UTF-8 (a stray byte, or NULs that are no XML character).
    if (wideEncoding(input)) throw new XmlSecurityError("UNSUPPORTED_ENCODING");
    try {
      // ignoreBOM: false removes a leading UTF-8 BOM.
      text = strictUtf8.decode(input);
    } catch {
      throw new XmlSecurityError("INVALID_UTF8");
    }
  }
  const scan = prescanXml(text, limits, options?.allowProcessingInstructions === true);
  if (typeof input !== "string" && scan.encoding !== undefined && !/^utf-?8$/i.test(scan.encoding)) {
    throw new XmlSecurityError("UNSUPPORTED_ENCODING");
  }

  // Our own single-pass parser builds the xmldom Document (src/xml/tree.ts): xmldom's SAX
  // parser compiles a regular expression per end tag and dominated every request's cost.
  const doc = buildDocument(text, options?.allowProcessingInstructions === true, options?.keepSource);
  // Defence in depth: the two parsers must agree on what the pre-scan saw.
  checkAttributeCounts(doc.documentElement!, scan.attributeCounts);
  return doc;
}

/**
 * Each element has exactly the attributes the pre-scan counted in its start tag (same
 * document order): a cheap cross-check between two independent readings of the input.
 */
function checkAttributeCounts(root: Element, attributeCounts: readonly number[]): void {
  let index = 0;
  for (let node: Node | null = root; node !== null; node = nextInSubtree(node, root)) {
    if (node.nodeType === 1 && (node as Element).attributes.length !== attributeCounts[index++]) {
      throw new XmlSecurityError("MALFORMED", "attribute count mismatch");
    }
  }
  if (index !== attributeCounts.length) throw new XmlSecurityError("MALFORMED", "element count mismatch");
}

/**
 * Whether the bytes begin as a UTF-16 or UTF-32 document does (XML 1.0 Appendix F.1): a UTF-16
 * byte order mark (FE FF, FF FE — also how UTF-32LE's begins), UTF-32BE's (00 00 FE FF), or, with
 * no mark, a '<' with a zero byte beside it (3C 00, 00 3C). A UTF-8 document never begins with a
 * zero byte or with 3C 00: U+0000 is no XML character.
 */
function wideEncoding(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const [b0, b1] = [b[0]!, b[1]!];
  return (b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe) || b0 === 0 || (b0 === 0x3c && b1 === 0);
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
