/**
 * A minimal, strict DER reader and writer (ITU-T X.690 §8 BER with the §10 DER restrictions):
 * single-byte tags, definite minimal lengths, bounds-checked. Enough for X.509 certificates,
 * SPKI and ECDSA-Sig-Value. Every failure is an Asn1Error; nothing else is thrown.
 */
import { concatBytes } from "../bytes.ts";

/** Raised for any malformed or unsupported DER. */
export class Asn1Error extends Error {
  readonly code = "ERR_ASN1";
  constructor(message: string) {
    super(message);
    this.name = "Asn1Error";
  }
}

/** Universal tags and common constructed tag bytes (X.680 §8.4). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One decoded TLV. `value` is the contents, `der` the whole encoding; both are views. */
export interface Asn1Node {
  /** The full identifier octet (class, constructed bit and tag number). */
  tag: number;
  value: Uint8Array;
  der: Uint8Array;
}

/** Reads one TLV at `offset`; returns it and the offset after it. */
export function readTlv(buf: Uint8Array, offset: number): { node: Asn1Node; next: number } {
  if (offset >= buf.length) throw new Asn1Error("unexpected end of data");
  const tag = buf[offset]!;
  // X.690 §8.1.2.4: tag number 31 means multi-byte tag numbers; nothing we read uses them.
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error("high tag numbers are not supported");
  let p = offset + 1;
  if (p >= buf.length) throw new Asn1Error("unexpected end of data");
  const first = buf[p++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    // 0x80 = indefinite length: BER only, forbidden in DER (X.690 §10.1).
    if (n === 0 || n > 4) throw new Asn1Error("unsupported length encoding");
    if (p + n > buf.length) throw new Asn1Error("unexpected end of data");
    if (buf[p] === 0) throw new Asn1Error("non-minimal length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80) throw new Asn1Error("non-minimal length");
  }
  const end = p + len;
  if (end > buf.length) throw new Asn1Error("length exceeds data");
  return { node: { tag, value: buf.subarray(p, end), der: buf.subarray(offset, end) }, next: end };
}

/** Decodes exactly one TLV spanning all of `buf` (trailing bytes are an error). */
export function parseDer(buf: Uint8Array): Asn1Node {
  const { node, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new Asn1Error("trailing data after DER value");
  return node;
}

/** The children of a constructed node. */
export function children(node: Asn1Node): Asn1Node[] {
  if ((node.tag & 0x20) === 0) throw new Asn1Error("not a constructed value");
  const out: Asn1Node[] = [];
  for (let p = 0; p < node.value.length; ) {
    const r = readTlv(node.value, p);
    out.push(r.node);
    p = r.next;
  }
  return out;
}

/** Asserts the tag, returning the node for chaining. */
export function expectTag(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node) throw new Asn1Error(`missing ${what}`);
  if (node.tag !== tag) throw new Asn1Error(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

/** INTEGER contents as unsigned big-endian magnitude (leading sign octet removed). Refuses negatives. */
export function readUnsignedInteger(node: Asn1Node): Uint8Array {
  expectTag(node, TAG.INTEGER, "INTEGER");
  const v = node.value;
  if (v.length === 0) throw new Asn1Error("empty INTEGER");
  if (v.length > 1 && ((v[0] === 0 && v[1]! < 0x80) || (v[0] === 0xff && v[1]! >= 0x80))) {
    throw new Asn1Error("non-minimal INTEGER");
  }
  if (v[0]! >= 0x80) throw new Asn1Error("negative INTEGER");
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
}

/** BOOLEAN: one content octet, zero for FALSE (X.690 §8.2). */
export function readBoolean(node: Asn1Node): boolean {
  expectTag(node, TAG.BOOLEAN, "BOOLEAN");
  if (node.value.length !== 1) throw new Asn1Error("a BOOLEAN has one octet");
  return node.value[0] !== 0;
}

/** Small INTEGER as a JS number (for versions and the like). */
export function readSmallInteger(node: Asn1Node): number {
  const v = readUnsignedInteger(node);
  if (v.length > 4) throw new Asn1Error("INTEGER too large");
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** OBJECT IDENTIFIER in dotted form (X.690 §8.19). */
export function readOid(node: Asn1Node): string {
  expectTag(node, TAG.OID, "OBJECT IDENTIFIER");
  const v = node.value;
  if (v.length === 0) throw new Asn1Error("empty OID");
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (acc === 0 && b === 0x80) throw new Asn1Error("non-minimal OID arc");
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new Asn1Error("OID arc too large");
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) {
      throw new Asn1Error("truncated OID");
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

/** BIT STRING contents; only whole-octet strings (unused bits = 0), as keys and signatures are. */
export function readBitString(node: Asn1Node): Uint8Array {
  expectTag(node, TAG.BIT_STRING, "BIT STRING");
  if (node.value.length === 0 || node.value[0] !== 0) throw new Asn1Error("BIT STRING with unused bits");
  return node.value.subarray(1);
}

/** UTCTime (RFC 5280 §4.1.2.5.1, YYMMDDHHMMSSZ) or GeneralizedTime (§4.1.2.5.2, YYYYMMDDHHMMSSZ). */
export function readTime(node: Asn1Node): Date {
  const s = new TextDecoder().decode(node.value);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new Asn1Error("bad UTCTime");
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1 pivot
  } else if (node.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new Asn1Error("bad GeneralizedTime");
    year = Number(m[1]);
  } else {
    throw new Asn1Error("expected a time value");
  }
  const [month, day, hour, minute, second] = m.slice(2).map(Number) as [number, number, number, number, number];
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls a month 13, a day 32 or an hour 24 over into the next; a time that does not
  // read back field for field names no instant (nor does a year below 100, which it maps to 19xx).
  if (
    d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day ||
    d.getUTCHours() !== hour || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second
  ) {
    throw new Asn1Error(`invalid date or time ${s}`);
  }
  return d;
}

/** String types certificates may use that readString does not decode, by tag, for naming them. */
const UNREAD_STRING_TYPES: Record<number, string> = {
  0x12: "a NumericString",
  0x14: "a TeletexString (T61String)",
  0x1a: "a VisibleString",
  0x1c: "a UniversalString",
  0x1e: "a BMPString",
};

/** A directory string (UTF8String, PrintableString, IA5String) as text. */
export function readString(node: Asn1Node): string {
  if (node.tag !== TAG.UTF8_STRING && node.tag !== TAG.PRINTABLE_STRING && node.tag !== TAG.IA5_STRING) {
    const type = UNREAD_STRING_TYPES[node.tag] ?? `a value of tag 0x${node.tag.toString(16)}`;
    throw new Asn1Error(`${type} is not a string type this STS reads (UTF8String, PrintableString and IA5String are)`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(node.value);
  } catch {
    throw new Asn1Error("invalid UTF-8 in string");
  }
}

// ---------------------------------------------------------------- writer

export { concatBytes };

/** Encodes one TLV with a minimal definite length. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else if (len < 0x100) header = [tag, 0x81, len];
  else if (len < 0x10000) header = [tag, 0x82, len >> 8, len & 0xff];
  else if (len < 0x1000000) header = [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  else throw new Asn1Error("value too long");
  return concatBytes([Uint8Array.from(header), content]);
}

/** SEQUENCE of the given encodings. The helpers below each return one complete DER TLV. */
export const seq = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concatBytes(items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SET, concatBytes(items));
export const nullValue = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);
export const octetString = (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b);
export const utf8String = (s: string): Uint8Array => tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
export const printableString = (s: string): Uint8Array => tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(s));
export const bitString = (b: Uint8Array): Uint8Array => tlv(TAG.BIT_STRING, concatBytes([Uint8Array.of(0), b]));
/** [n] EXPLICIT wrapper (context-specific, constructed). */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
export const boolean = (v: boolean): Uint8Array => Uint8Array.of(TAG.BOOLEAN, 1, v ? 0xff : 0);

/** INTEGER from an unsigned big-endian magnitude (or a small non-negative number). */
export function integer(v: Uint8Array | number): Uint8Array {
  let b: Uint8Array;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new Asn1Error("integer out of range");
    const bytes: number[] = [];
    do {
      bytes.unshift(v & 0xff);
      v = Math.floor(v / 256);
    } while (v > 0);
    b = Uint8Array.from(bytes);
  } else {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    b = v.length === 0 ? Uint8Array.of(0) : v.subarray(i);
  }
  // A set high bit would read as negative (X.690 §8.3.3): prefix a zero octet.
  if (b[0]! >= 0x80) b = concatBytes([Uint8Array.of(0), b]);
  return tlv(TAG.INTEGER, b);
}

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new Asn1Error(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (n: number): void => {
    const tmp = [n & 0x7f];
    n = Math.floor(n / 128);
    while (n > 0) {
      tmp.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(d: Date): Uint8Array {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const enc = new TextEncoder();
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, enc.encode(`${p(y % 100)}${rest}`));
  return tlv(TAG.GENERALIZED_TIME, enc.encode(`${p(y, 4)}${rest}`));
}
