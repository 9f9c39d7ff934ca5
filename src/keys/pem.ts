/**
 * PEM ⇄ DER and base64 helpers (RFC 7468 textual encodings; RFC 4648 §4 base64, §5 base64url).
 * Pure: web APIs only (atob/btoa exist in workerd and Node).
 */

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

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  // Chunked so large inputs do not overflow the argument list of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * Decodes standard base64. XML Schema base64Binary allows whitespace between characters
 * (XML-DSig §4.5 values are often wrapped), so whitespace is removed first; anything else that
 * is not base64 is an error.
 */
export function fromBase64(b64: string): Uint8Array {
  const clean = b64.replace(/[\t\n\r ]+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new PemError("invalid base64");
  }
  let bin: string;
  try {
    bin = atob(clean);
  } catch {
    throw new PemError("invalid base64");
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url with or without padding. */
export function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) throw new PemError("invalid base64url");
  let b64 = s.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  if (b64.length % 4 === 1) throw new PemError("invalid base64url");
  while (b64.length % 4 !== 0) b64 += "=";
  return fromBase64(b64);
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
