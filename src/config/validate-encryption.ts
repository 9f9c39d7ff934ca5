/** Validation of a relying party's `encryption` section (see `validate-parties.ts`). */
import type { RpDataAlgorithm, RpEncryption, RpKeyTransport } from "./types.ts";
import { type Issues, type Obj, arr, obj, oneOf, subObj } from "./check.ts";
import { certificate, firstListing } from "./validate-keys.ts";

const FIELDS = ["certificates", "dataAlgorithm", "keyTransport"] as const;
const CERT_FIELDS = ["certificate", "certificateSecret", "status"] as const;
const STATUSES = ["current", "next", "previous"] as const;
const DATA_ALGORITHMS: readonly RpDataAlgorithm[] = ["aes256-gcm", "aes256-cbc"];
const KEY_TRANSPORTS: readonly RpKeyTransport[] = ["rsa-oaep-mgf1p", "rsa-oaep"];

/**
 * Validates `relyingParties[i].encryption`: one or more certificates, exactly one `current`
 * (tokens are encrypted to it), each an RSA certificate of at least 2048 bits, none listed
 * twice; the algorithms default to AES-256-GCM and RSA-OAEP-MGF1P.
 */
export function validateEncryption(x: Issues, r: Obj, p: string, secrets: Record<string, unknown>): RpEncryption | undefined {
  const e = subObj(x, r, "encryption", p, FIELDS);
  if (!e) return undefined;
  const ep = `${p}.encryption`;
  const list = arr(x, e, "certificates", ep, { required: true, nonEmpty: true }) ?? [];
  const certificates: RpEncryption["certificates"] = [];
  let current: string | undefined;
  let currentAt: number | undefined;
  /** Each certificate read so far, by index (undefined: not read). */
  const listed: (Uint8Array | undefined)[] = [];
  list.forEach((raw, i) => {
    const cp = `${ep}.certificates[${i}]`;
    const c = obj(x, raw, cp, CERT_FIELDS);
    if (!c) return;
    const status = oneOf(x, c, "status", cp, STATUSES);
    const read = certificate(x, c, cp, secrets);
    if (read === undefined || status === undefined) return;
    const field = `${cp}.${c.certificate !== undefined ? "certificate" : "certificateSecret"}`;
    // Checked here, at start, so a relying party with a non-RSA key fails the configuration
    // rather than its first token (certificate() has judged its strength).
    if (read.cert.kty !== "RSA") {
      x.add(field, "key transport (RSA-OAEP) needs an RSA certificate");
      return;
    }
    if (!firstListing(x, listed, i, read, c, cp, "certificates")) return;
    const pem = read.pem;
    if (status === "current") {
      if (currentAt !== undefined) {
        x.add(`${cp}.status`, `certificates[${currentAt}] is already current; tokens are encrypted to one certificate`);
        return;
      }
      current = pem;
      currentAt = i;
    }
    certificates.push({ certificatePem: pem, status });
  });
  if (list.length > 0 && currentAt === undefined && !x.lines.some((l) => l.startsWith(`${ep}.certificates`))) {
    x.add(`${ep}.certificates`, "one certificate must be current (tokens are encrypted to it)");
  }
  const dataAlgorithm = oneOf(x, e, "dataAlgorithm", ep, DATA_ALGORITHMS, "aes256-gcm");
  const keyTransport = oneOf(x, e, "keyTransport", ep, KEY_TRANSPORTS, "rsa-oaep-mgf1p");
  if (current === undefined || dataAlgorithm === undefined || keyTransport === undefined) return undefined;
  return { currentCertificatePem: current, certificates, dataAlgorithm, keyTransport };
}
