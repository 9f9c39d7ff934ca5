/**
 * X.500 Names compared as RFC 5280 §7.1 asks, to the extent an STS needs to link a certificate
 * to its issuer: CAs re-issue with the same name in another string type (PrintableString for
 * UTF8String) or another case, and a path must still be found. Signatures, not names, decide
 * trust: a looser match only lets more candidate issuers be tried. The same comparison serves a
 * Name written as an RFC 4514 string, which XML-DSig's X509IssuerName and X509SubjectName hold.
 */
import { type Asn1Node, TAG, children, expectTag, parseDer, readOid } from "./asn1.ts";
import { concatBytes, fromHex, toHex, utf8 } from "../bytes.ts";

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
      return comparableText(strictText.decode(value.value));
    } catch {
      // Not text after all: compared by its bytes below.
    }
  }
  return "x:" + toHex(value.der);
}

const strictText = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function comparableText(text: string): string {
  return "t:" + text.replace(/ +/g, " ").replace(/^ | $/g, "").replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * RFC 4514 §3 attribute type keywords, and those .NET and OpenSSL also write (E, SERIALNUMBER,
 * T, SN, G), with their OIDs.
 */
const KEYWORDS: Readonly<Record<string, string>> = {
  CN: "2.5.4.3", L: "2.5.4.7", ST: "2.5.4.8", O: "2.5.4.10", OU: "2.5.4.11", C: "2.5.4.6", STREET: "2.5.4.9",
  DC: "0.9.2342.19200300.100.1.25", UID: "0.9.2342.19200300.100.1.1",
  SERIALNUMBER: "2.5.4.5", T: "2.5.4.12", TITLE: "2.5.4.12", SN: "2.5.4.4", G: "2.5.4.42", GIVENNAME: "2.5.4.42",
  E: "1.2.840.113549.1.9.1", EMAILADDRESS: "1.2.840.113549.1.9.1",
};

/**
 * Attribute values a string name may hold: a certificate's subject or issuer has a handful (CN,
 * O, OU, C, ...). The string is the sender's text, and each value costs a decoding (and each RDN
 * an unshift): a 160,000-value name took seconds, to compare with one certificate's name.
 */
const MAX_STRING_NAME_ATTRIBUTES = 64;

/**
 * A distinguished name written as a string (RFC 4514, as ds:X509IssuerName and
 * ds:X509SubjectName carry it — XML-DSig §4.5.4) in the form {@link comparableName} gives, so the
 * two compare equal exactly when the string names that Name. The string lists RDNs last first;
 * `#hex` values are BER, read as the certificate's own value would be; spaces around `,`, `+` and
 * `=` (as .NET writes them) are not part of a value. Undefined when the string is not a name this
 * reads (an unknown keyword, a bad escape, more than {@link MAX_STRING_NAME_ATTRIBUTES} values).
 */
export function comparableNameFromString(dn: string): string | undefined {
  const rdns: string[][] = [];
  if (dn.trim() === "") return JSON.stringify(rdns);
  let attributes = 0;
  for (const rdn of splitUnescaped(dn, ",")) {
    const atvs: string[] = [];
    for (const atv of splitUnescaped(rdn, "+")) {
      if (++attributes > MAX_STRING_NAME_ATTRIBUTES) return undefined;
      const eq = atv.indexOf("=");
      if (eq < 0) return undefined;
      const type = atv.slice(0, eq).trim().replace(/^oid\./i, "");
      const oid = /^\d+(\.\d+)+$/.test(type) ? type : KEYWORDS[type.toUpperCase()];
      const value = oid === undefined ? undefined : stringValue(atv.slice(eq + 1));
      if (value === undefined) return undefined;
      atvs.push(`${oid}=${value}`);
    }
    rdns.unshift(atvs.sort());
  }
  return JSON.stringify(rdns);
}

/** Splits at each `sep` that is neither escaped nor inside quotes (RFC 2253's quoted values). */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') quoted = !quoted;
    else if (s[i] === sep && !quoted) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** One attribute value of a string name, in comparable form. */
function stringValue(raw: string): string | undefined {
  const v = raw.trim();
  if (v.startsWith("#")) {
    const der = fromHex(v.slice(1));
    if (!der) return undefined;
    try {
      return comparableValue(parseDer(der));
    } catch {
      return undefined;
    }
  }
  const body = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : raw;
  // RFC 4514 §2.4: `\` before two hex digits is that byte of the UTF-8 value; before any other
  // character, that character. Unescaped spaces at either end are dropped by the comparison.
  const bytes: Uint8Array[] = [];
  for (const [, hex, escaped, plain, dangling] of body.matchAll(/\\([0-9A-Fa-f]{2})|\\([\s\S])|([^\\]+)|(\\)/g)) {
    if (dangling !== undefined) return undefined;
    bytes.push(hex !== undefined ? Uint8Array.of(parseInt(hex, 16)) : utf8(escaped ?? plain ?? ""));
  }
  try {
    return comparableText(strictText.decode(concatBytes(bytes)));
  } catch {
    return undefined;
  }
}
