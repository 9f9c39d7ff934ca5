/**
 * XML Schema simple types as a schema-validating peer reads them. A value typed xs:boolean or
 * xs:anyURI has the whiteSpace facet "collapse" (XML Schema Part 2 §4.3.6): what a proxy or a
 * WS-* stack reads as `true` must read as `true` here too, and what is no boolean at all is
 * refused rather than guessed.
 */

/**
 * XML Schema Part 2 §4.3.6 collapse: tab, LF and CR become spaces, runs of spaces one, ends
 * trimmed. Only those four characters: String.prototype.trim would also strip a no-break space,
 * which XML Schema keeps.
 */
export function collapse(s: string): string {
  return s.replace(/[\t\n\r ]+/g, " ").replace(/^ | $/g, "");
}

/**
 * A text value with the XML white space at its ends removed: space, tab, LF and CR (XML 1.0 §2.3
 * S), which pretty-printing puts around a value and XML Schema's collapse removes. Not
 * String.prototype.trim, which also strips a no-break space, U+3000, U+FEFF, U+2028 and the
 * other Unicode spaces: characters of the value that make it another one (`\u00a0carol` is
 * not `carol`).
 */
export function trimXmlSpace(s: string): string {
  // Indexes, not a /^[ \t\r\n]+|[ \t\r\n]+$/ regex: tried at every start of a run of white
  // space that is not the end, it is quadratic, and an assertion's Issuer is read before its
  // signature is checked (to choose the keys).
  let start = 0;
  let end = s.length;
  while (start < end && isXmlSpace(s.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** XML 1.0 §2.3 S: space, tab, LF or CR, as a UTF-16 code unit. */
export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * An xs:boolean (XML Schema Part 2 §3.2.2: `true`, `false`, `1`, `0`, case-sensitive, after
 * collapse). Undefined for anything else, the empty string included.
 */
export function parseXsBoolean(s: string): boolean | undefined {
  switch (collapse(s)) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return undefined;
  }
}

/**
 * XML 1.0 (5th ed.) §2.3 NameStartChar and NameChar, without ':' (as in an NCName): character
 * classes for a RegExp, astral characters written as surrogate pairs beside them.
 */
export const NAME_START_CHARS = "A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD";
export const NAME_CHARS = NAME_START_CHARS + "\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040";
/** A surrogate pair: the astral NameStartChars and NameChars are #x10000-#xEFFFF. */
export const ASTRAL_PAIR = "[\\uD800-\\uDB7F][\\uDC00-\\uDFFF]";

const XS_NAME = new RegExp(`^(?:[:${NAME_START_CHARS}]|${ASTRAL_PAIR})(?:[:${NAME_CHARS}]|${ASTRAL_PAIR})*$`);

/** An xs:Name (XML Schema Part 2 §3.3.6: an XML Name, colons allowed), as it is: no whitespace. */
export function isXsName(s: string): boolean {
  return XS_NAME.test(s);
}
