/**
 * ECDSA signature encodings. WebCrypto and XML-DSig 1.1 §6.4.3 / JWS (RFC 7518 §3.4) use the
 * raw fixed-width r||s form; X.509 (RFC 5758 §3.2, RFC 3279 §2.2.3) uses DER ECDSA-Sig-Value.
 */
import { Asn1Error, children, expectTag, integer, parseDer, readUnsignedInteger, seq, TAG } from "./asn1.ts";

/** Field size in bytes of each supported curve (SEC 1 §2.3.5). */
export const CURVE_FIELD_BYTES = { "P-256": 32, "P-384": 48, "P-521": 66 } as const;
export type NamedCurve = keyof typeof CURVE_FIELD_BYTES;

/** raw r||s (as WebCrypto produces) → DER SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new Asn1Error("bad raw ECDSA signature length");
  const half = raw.length / 2;
  return seq(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
}

/** DER ECDSA-Sig-Value → raw r||s, each left-padded to `fieldBytes`. */
export function ecdsaDerToRaw(der: Uint8Array, fieldBytes: number): Uint8Array {
  const parts = children(expectTag(parseDer(der), TAG.SEQUENCE, "ECDSA-Sig-Value"));
  if (parts.length !== 2) throw new Asn1Error("ECDSA-Sig-Value must have two INTEGERs");
  const out = new Uint8Array(fieldBytes * 2);
  parts.forEach((p, i) => {
    const v = readUnsignedInteger(p);
    if (v.length > fieldBytes) throw new Asn1Error("ECDSA integer longer than the field");
    out.set(v, fieldBytes * (i + 1) - v.length);
  });
  return out;
}
