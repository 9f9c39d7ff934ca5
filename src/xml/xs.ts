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
