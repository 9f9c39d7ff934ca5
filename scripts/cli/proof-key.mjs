// Proof-of-possession keys for the CLI client (WS-Trust 1.3 §4.4): the request side (entropy,
// KeySize, UseKey) and the requestor's view of the proof key from the RSTR.
import { createHmac, createPublicKey, randomBytes, X509Certificate } from "node:crypto";
import { UsageError } from "./input.mjs";
import { readPublicKeyFile } from "./pem.mjs";
import { NS, X509V3, esc } from "./xml.mjs";

const { ds: DS, dsig11: DSIG11 } = NS;
const CURVE_OID = { "P-256": "1.2.840.10045.3.1.7", "P-384": "1.3.132.0.34", "P-521": "1.3.132.0.35" };

/**
 * P_SHA1(secret, seed) cut to `bytes` (RFC 2246 §5 P_hash with HMAC-SHA1): the WS-Trust computed
 * key, secret = requestor entropy, seed = issuer entropy.
 */
export function pSha1(secret, seed, bytes) {
  const out = [];
  let a = seed;
  let n = 0;
  while (n < bytes) {
    a = createHmac("sha1", secret).update(a).digest();
    const block = createHmac("sha1", secret).update(Buffer.concat([a, seed])).digest();
    out.push(block);
    n += block.length;
  }
  return Buffer.concat(out).subarray(0, bytes);
}

/** The requestor's entropy: "random" (32 bytes), "none", or base64. */
export function entropyFrom(spec) {
  if (spec === undefined || spec === "random") return randomBytes(32);
  if (spec === "none") return undefined;
  const b = Buffer.from(spec, "base64");
  if (b.length === 0 || b.toString("base64").replace(/=+$/, "") !== spec.replace(/=+$/, "")) throw new UsageError(`--entropy must be random, none or base64, not "${spec}"`);
  return b;
}

/**
 * wst:UseKey content for a PEM file: a CERTIFICATE becomes an X.509 wsse:BinarySecurityToken,
 * a PUBLIC KEY (RSA or EC) a ds:KeyInfo/ds:KeyValue.
 */
export function useKeyFromPem(pem) {
  if (/-----BEGIN CERTIFICATE-----/.test(pem)) {
    const der = new X509Certificate(pem).raw;
    return `<o:BinarySecurityToken xmlns:o="${NS.wsse}" ValueType="${X509V3}">${der.toString("base64")}</o:BinarySecurityToken>`;
  }
  const jwk = createPublicKey(pem).export({ format: "jwk" });
  const b64 = (u) => Buffer.from(u, "base64url").toString("base64");
  if (jwk.kty === "RSA") {
    return `<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${b64(jwk.n)}</ds:Modulus><ds:Exponent>${b64(jwk.e)}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>`;
  }
  if (jwk.kty === "EC" && CURVE_OID[jwk.crv]) {
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
    return `<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="${DSIG11}"><dsig11:NamedCurve URI="urn:oid:${CURVE_OID[jwk.crv]}"/><dsig11:PublicKey>${point.toString("base64")}</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></ds:KeyInfo>`;
  }
  throw new Error("the public key must be RSA, or EC on P-256, P-384 or P-521");
}

/** wst:UseKey content for the PEM file --public-key names; every problem names the option and the file. */
export function useKeyFromFile(path) {
  const pem = readPublicKeyFile(path, "--public-key");
  try {
    return useKeyFromPem(pem);
  } catch (e) {
    throw new Error(`--public-key ${path}: ${e.message}`);
  }
}

/** The RST elements that ask for a proof key (inside wst:RequestSecurityToken, prefix `trust`). */
export function proofKeyRequestXml(trustNs, { entropy, keySize, useKey }) {
  let s = "";
  if (entropy) {
    s += `
      <trust:Entropy><trust:BinarySecret Type="${trustNs}/Nonce">${entropy.toString("base64")}</trust:BinarySecret></trust:Entropy>
      <trust:ComputedKeyAlgorithm>${trustNs}/CK/PSHA1</trust:ComputedKeyAlgorithm>`;
  }
  if (keySize !== undefined) s += `
      <trust:KeySize>${esc(String(keySize))}</trust:KeySize>`;
  if (useKey) s += `
      <trust:UseKey>${useKey}</trust:UseKey>`;
  return s;
}

/**
 * The proof key as the requestor knows it from the RSTR (`proof` from rstr.mjs): computed from
 * both entropies (wst:ComputedKey P_SHA1), or given (wst:BinarySecret). Undefined for bearer and
 * public-key tokens.
 */
export function proofKeyOf(proof, entropy) {
  if (!proof) return undefined;
  if (proof.binarySecret) return proof.binarySecret;
  if (proof.computedKey) {
    if (!/\/CK\/PSHA1$/.test(proof.computedKey)) throw new Error(`unsupported ComputedKey ${proof.computedKey}`);
    if (!entropy || !proof.issuerEntropy) throw new Error("a computed key needs both entropies");
    return pSha1(entropy, proof.issuerEntropy, (proof.keySize ?? 256) / 8);
  }
  return undefined;
}
