/**
 * A linear pre-scan of XML text, run before the DOM parser sees it, that refuses what a token
 * service never needs and an attacker loves: DTDs (entity expansion, XXE), deep nesting, huge
 * element or attribute counts, processing instructions, and content outside the root element.
 *
 * It is not a parser: it only tracks markup boundaries. Every step either advances by at least
 * one character or jumps forward with indexOf, so the scan is O(n) with no regex backtracking,
 * and it stops at the first limit crossed (a 100,000-deep document is refused after 65 tags).
 * The DOM parser then does the real well-formedness checking.
 */
import { XmlSecurityError } from "./errors.ts";
import { isXmlSpace } from "./xs.ts";

/** Limits every parse of untrusted XML applies. */
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

/** What the pre-scan found out, for the caller's further checks. */
export interface PrescanResult {
  /** The XML declaration's encoding pseudo-attribute, if any (e.g. "UTF-8"). */
  encoding: string | undefined;
  /** Attributes counted in each start tag, in document order (= DOM pre-order). */
  attributeCounts: number[];
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, BANG = 0x21, QUESTION = 0x3f, DQUOTE = 0x22, SQUOTE = 0x27;

// XML 1.0 §2.2 Char: no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF; no lone surrogates.
// Character classes and a fixed-width lookaround: linear, no backtracking.
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every character of `s` is an XML 1.0 Char: what we parse and what we write. */
export function isXmlText(s: string): boolean {
  return !BAD_CHAR.test(s);
}


/**
 * Scans `s` (already decoded, BOM removed) against `limits`.
 * @throws XmlSecurityError with the code of the first problem found.
 */
export function prescanXml(s: string, limits: XmlLimits, allowProcessingInstructions: boolean): PrescanResult {
  if (!isXmlText(s)) throw new XmlSecurityError("INVALID_CHARACTER");
  const n = s.length;
  const maxTotal = limits.maxTotalAttributes ?? Infinity;
  let i = 0;
  let depth = 0;
  let elements = 0;
  let totalAttrs = 0;
  let rootDone = false;
  let encoding: string | undefined;
  const attributeCounts: number[] = [];

  // XML 1.0 §2.8: the XML declaration may only appear at the very start.
  if (s.startsWith("<?xml") && (isXmlSpace(s.charCodeAt(5)) || s.charCodeAt(5) === QUESTION)) {
    const end = s.indexOf("?>", 5);
    if (end < 0) throw new XmlSecurityError("MALFORMED", "unterminated XML declaration");
    encoding = declaredEncoding(s.slice(5, end));
    i = end + 2;
  }

  while (i < n) {
    const lt = s.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (depth === 0) {
      // Outside the root element only whitespace may appear (XML 1.0 §2.1 Misc).
      for (let k = i; k < textEnd; k++) {
        if (!isXmlSpace(s.charCodeAt(k))) throw new XmlSecurityError("MALFORMED", "text outside the root element");
      }
    }
    if (lt < 0) break;
    const c = s.charCodeAt(lt + 1);
    if (c === BANG) {
      if (s.startsWith("<!--", lt)) {
        const end = s.indexOf("-->", lt + 4);
        if (end < 0) throw new XmlSecurityError("MALFORMED", "unterminated comment");
        i = end + 3;
      } else if (s.startsWith("<![CDATA[", lt)) {
        if (depth === 0) throw new XmlSecurityError("MALFORMED", "CDATA outside the root element");
        const end = s.indexOf("]]>", lt + 9);
        if (end < 0) throw new XmlSecurityError("MALFORMED", "unterminated CDATA section");
        i = end + 3;
      } else {
        // <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST, ... in any case: no DTDs at all.
        throw new XmlSecurityError("DOCTYPE");
      }
    } else if (c === QUESTION) {
      const end = s.indexOf("?>", lt + 2);
      if (end < 0) throw new XmlSecurityError("MALFORMED", "unterminated processing instruction");
      const t = s.slice(lt + 2, Math.min(lt + 6, end)).toLowerCase();
      if (t === "xml" || (t.startsWith("xml") && isXmlSpace(t.charCodeAt(3)))) {
        throw new XmlSecurityError("MALFORMED", "misplaced XML declaration");
      }
      if (!allowProcessingInstructions) throw new XmlSecurityError("PROCESSING_INSTRUCTION");
      i = end + 2;
    } else if (c === SLASH) {
      const end = s.indexOf(">", lt + 2);
      if (end < 0) throw new XmlSecurityError("MALFORMED", "unterminated end tag");
      if (--depth < 0) throw new XmlSecurityError("MALFORMED", "unbalanced end tag");
      if (depth === 0) rootDone = true;
      i = end + 1;
    } else {
      if (rootDone) throw new XmlSecurityError("MULTIPLE_ROOTS");
      if (++elements > limits.maxElements) throw new XmlSecurityError("TOO_MANY_ELEMENTS");
      if (depth + 1 > limits.maxDepth) throw new XmlSecurityError("TOO_DEEP");
      // Walk the start tag; quoted attribute values are skipped whole, so a '>' or '<!DOCTYPE'
      // inside a value is never mistaken for markup. One quoted value = one attribute.
      let j = lt + 1;
      let attrs = 0;
      for (;;) {
        if (j >= n) throw new XmlSecurityError("MALFORMED", "unterminated start tag");
        const ch = s.charCodeAt(j);
        if (ch === GT) break;
        if (ch === DQUOTE || ch === SQUOTE) {
          const close = s.indexOf(ch === DQUOTE ? '"' : "'", j + 1);
          if (close < 0) throw new XmlSecurityError("MALFORMED", "unterminated attribute value");
          if (++attrs > limits.maxAttributesPerElement || ++totalAttrs > maxTotal) {
            throw new XmlSecurityError("TOO_MANY_ATTRIBUTES");
          }
          j = close + 1;
        } else if (ch === LT) {
          throw new XmlSecurityError("MALFORMED", "'<' in a start tag");
        } else {
          j++;
        }
      }
      attributeCounts.push(attrs);
      if (s.charCodeAt(j - 1) === SLASH) {
        if (depth === 0) rootDone = true;
      } else {
        depth++;
      }
      i = j + 1;
    }
  }
  if (depth !== 0) throw new XmlSecurityError("MALFORMED", "unclosed element");
  if (!rootDone) throw new XmlSecurityError("MALFORMED", "no root element");
  return { encoding, attributeCounts };
}

/** Reads encoding="..." from the XML declaration's body (short, bounded input). */
function declaredEncoding(decl: string): string | undefined {
  const k = decl.indexOf("encoding");
  if (k < 0) return undefined;
  let j = k + 8;
  while (isXmlSpace(decl.charCodeAt(j))) j++;
  if (decl.charCodeAt(j) !== 0x3d /* = */) return undefined;
  j++;
  while (isXmlSpace(decl.charCodeAt(j))) j++;
  const q = decl.charCodeAt(j);
  if (q !== DQUOTE && q !== SQUOTE) return undefined;
  const end = decl.indexOf(q === DQUOTE ? '"' : "'", j + 1);
  return end < 0 ? undefined : decl.slice(j + 1, end);
}
