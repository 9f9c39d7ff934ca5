/**
 * Core validation (XML-DSig 1.1 §3.2) of a parsed signature against pinned keys: reference
 * digest, then SignatureValue over the canonicalized SignedInfo. Keys come only from the anchor;
 * a certificate in ds:KeyInfo can only select among the anchor's certificates (exact DER).
 */
import type { Element } from "@xmldom/xmldom";
import type { SigningKey } from "../keys/keyring.ts";
import { C14nError, canonicalizeToBytes } from "../xml/c14n.ts";
import { DEFAULT_DIGEST_ALGORITHMS, DEFAULT_SIGNATURE_ALGORITHMS, ECDSA_SIGNATURE_BYTES, digest } from "./algorithms.ts";
import { Refusal } from "./parse-signature.ts";
import type { AlgorithmPolicy, ParsedReference, ParsedSignature } from "./parse-signature.ts";
import { referenceOctets } from "./references.ts";

/** What a verifier needs of a trusted key: its certificate and a way to get a verify key. */
export type AnchorKey = Pick<SigningKey, "certificateDer" | "publicKeyFor">;

/** The keys a signature may be made with, and the algorithms accepted (default: SHA-2 only). */
export interface TrustAnchor<K extends AnchorKey = AnchorKey> {
  keys: readonly K[];
  allowedSignatureAlgorithms?: readonly string[];
  allowedDigestAlgorithms?: readonly string[];
}

export function policyOf(anchor: TrustAnchor<AnchorKey>): AlgorithmPolicy {
  return {
    signatureAlgorithms: anchor.allowedSignatureAlgorithms ?? DEFAULT_SIGNATURE_ALGORITHMS,
    digestAlgorithms: anchor.allowedDigestAlgorithms ?? DEFAULT_DIGEST_ALGORITHMS,
  };
}

/** Constant-time equality for equal-length inputs (the length itself is public). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Refuses unless the reference's digest over `target` matches. */
export async function checkReference(ref: ParsedReference, target: Element, signature: Element): Promise<void> {
  const actual = await digest(ref.hash, referenceOctets(target, ref.transforms, signature));
  if (!timingSafeEqual(actual, ref.digestValue)) throw new Refusal("digest mismatch");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const canonicalSignedInfo = new WeakMap<ParsedSignature, Uint8Array>();

/**
 * The octets a signature signs: its SignedInfo in the canonical form it names (computed once per
 * parsed signature). Also what identifies a signed message whatever spelling its SignatureValue
 * takes: an ECDSA (r, s) verifies as (r, n − s) too.
 */
export function signedInfoOctets(parsed: ParsedSignature): Uint8Array {
  let octets = canonicalSignedInfo.get(parsed);
  if (!octets) {
    octets = canonicalizeToBytes(parsed.signedInfo, {
      algorithm: parsed.c14n,
      ...(parsed.c14nPrefixes ? { inclusivePrefixes: parsed.c14nPrefixes } : {}),
    });
    canonicalSignedInfo.set(parsed, octets);
  }
  return octets;
}

/**
 * Verifies SignatureValue with the anchor's keys and returns the key that verified.
 * Refuses when KeyInfo names certificates none of which is pinned.
 */
export async function checkSignatureValue<K extends AnchorKey>(parsed: ParsedSignature, anchor: TrustAnchor<K>): Promise<K> {
  let candidates: readonly K[] = anchor.keys;
  if (parsed.certificates.length > 0) {
    candidates = anchor.keys.filter((k) => parsed.certificates.some((c) => sameBytes(c, k.certificateDer)));
    if (candidates.length === 0) throw new Refusal("the certificate in KeyInfo is not trusted");
  }
  const alg = parsed.algorithm;
  if (alg.kty === "HMAC") throw new Refusal("an HMAC signature verifies only with a shared key");
  const signedOctets = signedInfoOctets(parsed);
  const sig = parsed.signatureValue as Uint8Array<ArrayBuffer>;
  let usable = 0;
  let badLength = false;
  for (const k of candidates) {
    let key: CryptoKey;
    try {
      key = await k.publicKeyFor(alg.keyAlg);
    } catch {
      continue; // wrong key type for this algorithm
    }
    if (key.algorithm.name !== alg.params.name) continue;
    if (alg.kty === "EC") {
      // XML-DSig 1.1 §6.4.3: exactly r||s, each the field size. Padded (xmlsec #941) or
      // DER-encoded values are refused rather than repaired.
      const curve = (key.algorithm as { namedCurve?: string }).namedCurve ?? "";
      if (sig.length !== ECDSA_SIGNATURE_BYTES[curve]) {
        badLength = true;
        continue;
      }
    }
    usable++;
    if (await crypto.subtle.verify(alg.params, key, sig, signedOctets)) return k;
  }
  if (usable === 0) throw new Refusal(badLength ? "ECDSA signature value has the wrong length" : "no trusted key for the signature algorithm");
  throw new Refusal("signature value mismatch");
}

/**
 * Verifies an HMAC SignatureValue (XML-DSig 1.1 §6.3) with a shared secret — a proof key the
 * caller already trusts; no public key is ever used here. The value must be the full MAC length
 * (no truncation), compared in constant time.
 */
export async function checkHmacSignatureValue(parsed: ParsedSignature, secret: Uint8Array): Promise<void> {
  const alg = parsed.algorithm;
  if (alg.kty !== "HMAC") throw new Refusal("not an HMAC signature");
  const signedOctets = signedInfoOctets(parsed);
  const key = await crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: alg.hash }, false, ["sign"]);
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, signedOctets));
  if (!timingSafeEqual(expected, parsed.signatureValue)) throw new Refusal("signature value mismatch");
}

/** Maps anything thrown during verification to a safe reason. */
export function refusalReason(e: unknown): string {
  return e instanceof Refusal ? e.reason : e instanceof C14nError ? e.message : "signature could not be processed";
}
