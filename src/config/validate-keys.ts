/** Validation of `keys` and `limits` (see `validate.ts`). */
import { MAX_CLOCK_SKEW_SECONDS, MAX_LEASE_MS, MAX_RENEWAL_WINDOW_MS } from "../state/types.ts";
import type { LimitsConfig, ResolvedConfig, ResolvedKey } from "./types.ts";
import { type Issues, type Obj, arr, int, obj, oneOf, secretRef, show, str } from "./check.ts";
import { type KeyAlgorithm, certificateKeyAlgorithm, checkCertificatePem, privateKeyAlgorithm } from "./pem.ts";
import { keyWeakness } from "../keys/strength.ts";
import { bytesEqual } from "../keys/keyring.ts";
import type { ParsedCertificate } from "../keys/x509.ts";

const KEY_FIELDS = ["kid", "status", "privateKeySecret", "certificate", "certificateSecret"] as const;
const KEY_STATUSES = ["current", "next", "previous"] as const;

/** Keys plus what the relying-party checks need to know about the signing (current) keys. */
export interface ValidatedKeys {
  keys: ResolvedKey[];
  /** Algorithms of `current` keys with a private key; `undefined` if some could not be read. */
  currentAlgorithms: Set<KeyAlgorithm> | undefined;
}

/**
 * Validates `keys`: status, kid uniqueness, exactly one certificate source, PKCS#8 private key
 * for every current key, at most one current key per algorithm (so the key ring's choice is
 * deterministic) and at least one current RSA key (XML signatures on metadata and SAML tokens).
 * Whether a certificate matches its private key is checked by the key ring when it imports them.
 */
export function validateKeys(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>): ValidatedKeys {
  const path = `${root}.keys`;
  const list = arr(x, o, "keys", root, { required: true, nonEmpty: true }) ?? [];
  const keys: ResolvedKey[] = [];
  const current = new Map<KeyAlgorithm, number>();
  const kids = new Map<string, number>();
  const listed: (Uint8Array | undefined)[] = [];
  let unreadable = list.length === 0;
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const k = obj(x, raw, p, KEY_FIELDS);
    if (!k) {
      unreadable = true;
      return;
    }
    const kid = str(x, k, "kid", p, { max: 128 });
    if (kid !== undefined) {
      if (!/^[\x21-\x7e]+$/.test(kid)) x.add(`${p}.kid`, `expected printable ASCII without spaces, got ${show(kid)}`);
      const prev = kids.get(kid);
      if (prev !== undefined) x.add(`${p}.kid`, `duplicate kid ${show(kid)} (also keys[${prev}])`);
      else kids.set(kid, i);
    }
    const status = oneOf(x, k, "status", p, KEY_STATUSES);
    if (status === undefined) unreadable = true;
    const privateKeyPem = secretRef(x, k, "privateKeySecret", p, secrets, { required: status === "current" });
    let alg: KeyAlgorithm | undefined;
    if (privateKeyPem !== undefined) {
      const a = privateKeyAlgorithm(privateKeyPem);
      if (a === "RSA" || a.startsWith("EC ")) alg = a as KeyAlgorithm;
      else x.add(`${p}.privateKeySecret`, `secret binding "${String(k.privateKeySecret)}": ${a}`);
    }
    const read = certificate(x, k, p, secrets);
    if (read !== undefined && !firstListing(x, listed, i, read, k, p, "keys")) {
      unreadable = true;
      return;
    }
    const certificatePem = read?.pem;
    const certAlg = certificatePem === undefined ? undefined : certificateKeyAlgorithm(certificatePem);
    if (alg !== undefined && certAlg !== undefined && certAlg !== alg) {
      // Judged here, by type, so that the rules below are not judged by a key that is no pair.
      x.add(`${p}.privateKeySecret`, `holds an ${alg} private key, but the certificate's key is ${certAlg}: give the private key of the certificate's key pair`);
      alg = undefined;
    }
    if (status === "current") {
      if (alg === undefined) unreadable = true;
      else {
        const other = current.get(alg);
        if (other !== undefined) {
          x.add(`${p}.status`, `keys[${other}] is already the current ${alg} key; mark one of them next or previous`);
        } else current.set(alg, i);
      }
    }
    if (status !== undefined && certificatePem !== undefined) {
      keys.push({ kid, status, privateKeyPem, certificatePem });
    }
  });
  if (!unreadable && !current.has("RSA")) {
    x.add(path, "at least one current RSA key with privateKeySecret is required (XML signatures use RSA)");
  }
  return { keys, currentAlgorithms: unreadable ? undefined : new Set(current.keys()) };
}

/**
 * A rotation list (current, next, previous) names each certificate once: the same certificate
 * twice rotates nothing, and is almost surely the old one pasted where the new one belongs, found
 * only when the old key is retired. `listed` holds the list's certificates read so far, by index;
 * a repeat is reported on entry `p`'s certificate field, naming the first as `list[j]`.
 * @returns false for a repeat
 */
export function firstListing(x: Issues, listed: (Uint8Array | undefined)[], i: number, read: { cert: ParsedCertificate }, k: Obj, p: string, list: string): boolean {
  const first = listed.findIndex((der) => der !== undefined && bytesEqual(der, read.cert.der));
  if (first >= 0) {
    x.add(`${p}.${k.certificate !== undefined ? "certificate" : "certificateSecret"}`, `the same certificate as ${list}[${first}]`);
    return false;
  }
  listed[i] = read.cert.der;
  return true;
}

/**
 * Exactly one of `certificate` (inline PEM) or `certificateSecret` (binding name): a certificate
 * that parses, with a key no weaker than src/keys/strength.ts allows. Our own keys, our
 * decryption keys and the relying parties' encryption certificates all come through here.
 */
export function certificate(x: Issues, k: Obj, p: string, secrets: Record<string, unknown>): { pem: string; cert: ParsedCertificate } | undefined {
  if (k.certificate !== undefined && k.certificateSecret !== undefined) {
    x.add(p, "set either certificate or certificateSecret, not both");
    return undefined;
  }
  if (k.certificate === undefined && k.certificateSecret === undefined) {
    x.add(`${p}.certificate`, "is required (or certificateSecret)");
    return undefined;
  }
  const inline = k.certificate !== undefined;
  const field = inline ? "certificate" : "certificateSecret";
  const pem = inline ? str(x, k, "certificate", p, { max: 16_384, multiline: true }) : secretRef(x, k, field, p, secrets);
  if (pem === undefined) return undefined;
  const c = checkCertificatePem(pem);
  const weak = typeof c === "string" ? undefined : keyWeakness(c.cert);
  if (typeof c === "string" || weak !== undefined) {
    const problem = typeof c === "string" ? c : `the certificate has ${weak}`;
    x.add(`${p}.${field}`, inline ? problem : `secret binding "${String(k[field])}": ${problem}`);
    return undefined;
  }
  return c;
}

const LIMIT_FIELDS = [
  "maxBodyBytes",
  "maxXmlDepth",
  "maxXmlElements",
  "maxXmlAttributesPerElement",
  "clockSkewSeconds",
  "maxBatchItems",
  "maxFailedAuthPerWindow",
  "failedAuthWindowSeconds",
  "maxRenewalsPerWindow",
  "renewalWindowSeconds",
  "statusLeaseMilliseconds",
] as const;

/** Validates `limits`, filling every default. Ranges keep each limit meaningful and safe. */
export function validateLimits(x: Issues, o: Obj, root: string): LimitsConfig {
  const p = `${root}.limits`;
  const l = (o.limits === undefined ? {} : obj(x, o.limits, p, LIMIT_FIELDS)) ?? {};
  return {
    maxBodyBytes: int(x, l, "maxBodyBytes", p, 1024, 10 * 1024 * 1024, 1024 * 1024),
    maxXmlDepth: int(x, l, "maxXmlDepth", p, 16, 512, 64),
    maxXmlElements: int(x, l, "maxXmlElements", p, 100, 1_000_000, 20_000),
    maxXmlAttributesPerElement: int(x, l, "maxXmlAttributesPerElement", p, 8, 1024, 64),
    clockSkewSeconds: int(x, l, "clockSkewSeconds", p, 0, MAX_CLOCK_SKEW_SECONDS, 300),
    maxBatchItems: int(x, l, "maxBatchItems", p, 1, 1000, 32),
    maxFailedAuthPerWindow: int(x, l, "maxFailedAuthPerWindow", p, 1, 10_000, 10),
    failedAuthWindowSeconds: int(x, l, "failedAuthWindowSeconds", p, 1, 86_400, 300),
    maxRenewalsPerWindow: int(x, l, "maxRenewalsPerWindow", p, 1, 100_000, 60),
    renewalWindowSeconds: int(x, l, "renewalWindowSeconds", p, 1, MAX_RENEWAL_WINDOW_MS / 1000, 3600),
    statusLeaseMilliseconds: int(x, l, "statusLeaseMilliseconds", p, 0, MAX_LEASE_MS, 1000),
  };
}

const DECRYPTION_FIELDS = ["status", "privateKeySecret", "certificate", "certificateSecret"] as const;

/**
 * Validates `decryptionKeys`: RSA PKCS#8 private keys with their certificates, at most one
 * `current`, none whose public key is also a signing key's (one key pair, one purpose). The key
 * ring checks at load that each certificate matches its key.
 */
export function validateDecryptionKeys(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>, signing: ResolvedKey[]): ResolvedConfig["decryptionKeys"] {
  const path = `${root}.decryptionKeys`;
  const out: ResolvedConfig["decryptionKeys"] = [];
  let current = -1;
  const listed: (Uint8Array | undefined)[] = [];
  // Signing certificates were read by `validateKeys`; one that could not be is already reported.
  const signingKeys = signing.flatMap((s) => {
    const c = checkCertificatePem(s.certificatePem);
    return typeof c === "string" ? [] : [c.cert.spki];
  });
  (arr(x, o, "decryptionKeys", root) ?? []).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const k = obj(x, raw, p, DECRYPTION_FIELDS);
    if (!k) return;
    const status = oneOf(x, k, "status", p, KEY_STATUSES);
    if (status === "current") {
      if (current >= 0) x.add(`${p}.status`, `decryptionKeys[${current}] is already current; mark one of them next or previous`);
      else current = i;
    }
    const privateKeyPem = secretRef(x, k, "privateKeySecret", p, secrets, { required: true });
    if (privateKeyPem !== undefined) {
      const a = privateKeyAlgorithm(privateKeyPem);
      if (a !== "RSA") x.add(`${p}.privateKeySecret`, `secret binding "${String(k.privateKeySecret)}": ${a.startsWith("EC ") ? "key transport needs an RSA key" : a}`);
    }
    const read = certificate(x, k, p, secrets);
    if (read !== undefined && !firstListing(x, listed, i, read, k, p, "decryptionKeys")) return;
    const certificatePem = read?.pem;
    // One key pair, one purpose: the same public key under another certificate (re-issued,
    // renewed, signed by someone else) is the same key pair.
    if (read !== undefined && signingKeys.some((spki) => bytesEqual(spki, read.cert.spki))) {
      x.add(p, "is also a signing key (the same public key); use a separate key pair for decryption");
    }
    if (status !== undefined && privateKeyPem !== undefined && certificatePem !== undefined) out.push({ status, privateKeyPem, certificatePem });
  });
  return out.sort((a, b) => (a.status === "current" ? -1 : b.status === "current" ? 1 : 0));
}
