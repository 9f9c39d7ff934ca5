/**
 * PEM ⇄ DER and base64 helpers (RFC 7468 textual encodings; RFC 4648 §4 base64, §5 base64url).
 * Pure: web APIs only (atob/btoa exist in workerd and Node).
 */

import { fromBase64 as decodeBase64, fromBase64Url as decodeBase64Url, toBase64 } from "../bytes.ts";

/** Labels we read and write (RFC 7468 §5 CERTIFICATE, §10 PRIVATE KEY = PKCS#8, §13 PUBLIC KEY = SPKI). */
export type PemLabel = "CERTIFICATE" | "PRIVATE KEY" | "PUBLIC KEY";

/** Raised for malformed PEM / base64 input. */
export class PemError extends Error {
  readonly code = "ERR_PEM";
  constructor(message: string) {
    super(message);
    this.name = "PemError";
  }
}

export { toBase64, toBase64Url } from "../bytes.ts";

/**
 * Decodes standard base64. XML Schema base64Binary allows whitespace between characters
 * (XML-DSig §4.5 values are often wrapped), so whitespace is removed first; anything else that
 * is not padded base64 is an error.
 */
export function fromBase64(b64: string): Uint8Array {
  const clean = b64.replace(/[\t\n\r ]+/g, "");
  const out = clean.length % 4 === 0 ? decodeBase64(clean) : undefined;
  if (!out) throw new PemError("invalid base64");
  return out;
}

/** Decodes base64url with or without padding (RFC 7515 §2: the URL-safe alphabet only). */
export function fromBase64Url(s: string): Uint8Array {
  const out = /^[A-Za-z0-9_-]*={0,2}$/.test(s) ? decodeBase64Url(s) : undefined;
  if (!out) throw new PemError("invalid base64url");
  return out;
}

/** Wraps DER in a PEM block with 64-character lines (RFC 7468 §2). */
export function derToPem(der: Uint8Array, label: PemLabel): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * Extracts the DER of the first PEM block with the given label. Refuses a block with a
 * different label (a PKCS#1 "RSA PRIVATE KEY" is not PKCS#8 and would import wrongly).
 */
export function pemToDer(pem: string, label: PemLabel): Uint8Array {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
  const m = re.exec(pem);
  if (!m) throw new PemError(`no PEM block found (expected ${label})`);
  if (m[1] !== label) throw new PemError(`PEM label is "${m[1]}", expected "${label}"`);
  // RFC 7468 §2 allows pre-encapsulation headers only in legacy formats; refuse them.
  if (m[2]!.includes(":")) throw new PemError("PEM headers are not supported");
  return fromBase64(m[2]!);
}

/** All PEM blocks with the given label, in order (e.g. a certificate chain). */
export function pemToDerAll(pem: string, label: PemLabel): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (m[1] === label) out.push(fromBase64(m[2]!));
  }
  return out;
}
