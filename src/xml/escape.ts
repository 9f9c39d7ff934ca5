/**
 * The one escape module for everything the STS writes as XML: `escapeAttr` for the messages the
 * template writer builds (markup.ts: SOAP envelopes, faults, RSTRs, WSDL), and the canonical escapes
 * (C14N 1.0 §2.3, "Character Modifications and Character References") for what the tree writer
 * writes and signs. Any value a caller may have influenced goes through one of them; attribute
 * values always through an attribute escape, which also covers quotes and white space.
 */

/** Escapes text for a double-quoted attribute value (also correct in element content). */
export function escapeAttr(s: string): string {
  return ATTR_ESCAPED.test(s) ? s.replace(ATTR_ESCAPED_ALL, (c) => ATTR_ESCAPES[c]!) : s;
}
const ATTR_ESCAPED = /[&<>"\t\n\r]/;
const ATTR_ESCAPED_ALL = /[&<>"\t\n\r]/g;
const ATTR_ESCAPES: Record<string, string> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;",
};

// Canonical form: a single native regex scan decides whether any work is needed, so the common
// case (nothing to escape) costs no allocation.
const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_ALL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<"\t\n\r]/;
const ATTR_ALL = /[&<"\t\n\r]/g;

const TEXT_MAP: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTR_MAP: Readonly<Record<string, string>> = {
  "&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;",
};

/** Text node content: & < > and #xD are replaced by references. */
export function escapeC14nText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_ALL, (c) => TEXT_MAP[c]!) : s;
}

/** Attribute value in double quotes: & < " #x9 #xA #xD are replaced by references. */
export function escapeC14nAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_ALL, (c) => ATTR_MAP[c]!) : s;
}
