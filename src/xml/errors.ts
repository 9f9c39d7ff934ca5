/** Why parseXml refused a document. Stable codes for `switch`; messages are safe for clients. */
export type XmlSecurityErrorCode =
  | "TOO_LARGE"
  | "INVALID_UTF8"
  | "UNSUPPORTED_ENCODING"
  | "INVALID_CHARACTER"
  | "DOCTYPE"
  | "TOO_DEEP"
  | "TOO_MANY_ELEMENTS"
  | "TOO_MANY_ATTRIBUTES"
  | "MALFORMED"
  | "MULTIPLE_ROOTS"
  | "DUPLICATE_ATTRIBUTE"
  | "PROCESSING_INSTRUCTION";

const MESSAGES: Readonly<Record<XmlSecurityErrorCode, string>> = {
  TOO_LARGE: "XML document is too large",
  INVALID_UTF8: "XML document is not valid UTF-8",
  UNSUPPORTED_ENCODING: "XML document must be encoded in UTF-8",
  INVALID_CHARACTER: "XML document contains a character not allowed in XML 1.0",
  DOCTYPE: "XML document type declarations are not allowed",
  TOO_DEEP: "XML document is nested too deeply",
  TOO_MANY_ELEMENTS: "XML document has too many elements",
  TOO_MANY_ATTRIBUTES: "XML document has too many attributes",
  MALFORMED: "XML document is not well-formed",
  MULTIPLE_ROOTS: "XML document must have exactly one root element",
  DUPLICATE_ATTRIBUTE: "XML element has a duplicate attribute",
  PROCESSING_INSTRUCTION: "XML processing instructions are not allowed",
};

/**
 * A refused XML input. The message is fixed per code (never echoes input or parser internals),
 * so it is safe to put in a SOAP fault; `detail` may carry the parser's own words for logs only.
 */
export class XmlSecurityError extends Error {
  readonly code: XmlSecurityErrorCode;
  readonly detail: string | undefined;

  constructor(code: XmlSecurityErrorCode, detail?: string) {
    super(MESSAGES[code]);
    this.name = "XmlSecurityError";
    this.code = code;
    this.detail = detail;
  }
}
