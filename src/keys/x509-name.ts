/**
 * X.500 Names compared as RFC 5280 §7.1 asks, to the extent an STS needs to link a certificate
 * to its issuer: CAs re-issue with the same name in another string type (PrintableString for
 * UTF8String) or another case, and a path must still be found. Signatures, not names, decide
 * trust: a looser match only lets more candidate issuers be tried.
 */
import { type Asn1Node, TAG, children, expectTag, readOid } from "./asn1.ts";
import { toHex } from "../bytes.ts";

/** The string types whose values are compared as text (RFC 5280 §7.1; IA5String as for domainComponent). */
const TEXT_TYPES = new Set<number>([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.IA5_STRING]);

/**
 * A Name (its DER already read) as a string that is equal for two Names exactly when they match:
 * the same RDNs in the same order, each the same set of attribute types, and values equal after
 * RFC 4518's basic preparation as implemented here — UTF8String, PrintableString and IA5String
 * values compared as text, ASCII letters without regard to case, leading and trailing spaces
 * dropped and inner runs of spaces taken as one. Other characters are compared as they are (no
 * Unicode case folding or NFKC), and values of other types (BMPString, TeletexString, …) only
 * by their exact encoding, type included.
 */
export function comparableName(name: Asn1Node): string {
  const rdns = children(name).map((rdn) =>
    children(expectTag(rdn, TAG.SET, "RDN"))
      .map((atv) => {
        const [type, value] = children(expectTag(atv, TAG.SEQUENCE, "AttributeTypeAndValue"));
        return `${readOid(expectTag(type, TAG.OID, "attribute type"))}=${comparableValue(value)}`;
      })
      .sort(),
  );
  return JSON.stringify(rdns);
}

function comparableValue(value: Asn1Node | undefined): string {
  if (!value) return "";
  if (TEXT_TYPES.has(value.tag)) {
    try {
      const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(value.value);
      return "t:" + text.replace(/ +/g, " ").replace(/^ | $/g, "").replace(/[A-Z]/g, (c) => c.toLowerCase());
    } catch {
      // Not text after all: compared by its bytes below.
    }
  }
  return "x:" + toHex(value.der);
}
