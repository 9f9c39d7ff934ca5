/**
 * Whether a public JWK (RFC 7517) can verify signatures made with one of the allowed JWS
 * algorithms (RFC 7518 §3): synchronously, without importing it, so configuration can judge
 * the keys a partner or client is pinned with at start rather than at its first token.
 */
import { fromBase64Url } from "../bytes.ts";
import { bitLength, keyWeakness } from "./strength.ts";

/** RFC 7518 §6.2.1: the curves JWS uses, each coordinate's length, and y² = x³ − 3x + b (mod p). */
const CURVES: Readonly<Record<string, { bytes: number; p: bigint; b: bigint; alg: string }>> = {
  "P-256": { bytes: 32, alg: "ES256", p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n, b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn },
  "P-384": {
    bytes: 48, alg: "ES384", p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  "P-521": {
    bytes: 66, alg: "ES512", p: 2n ** 521n - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** RFC 7517 / RFC 7518 §6: members that only a private or symmetric key has. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** RFC 7518 §2 Base64urlUInt and RFC 7515 §2: base64url without padding. */
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Whether `alg` verifies with a key of this type and curve (RFC 7518 §3.1; RFC 8037 §3.1 for EdDSA). */
function fits(alg: string, kty: unknown, crv: unknown): boolean {
  if (alg.startsWith("RS") || alg.startsWith("PS")) return kty === "RSA";
  if (alg === "EdDSA") return kty === "OKP" && crv === "Ed25519";
  return kty === "EC" && typeof crv === "string" && CURVES[crv]?.alg === alg;
}

function bytesOf(v: unknown): Uint8Array | undefined {
  return typeof v === "string" && B64URL.test(v) ? fromBase64Url(v) : undefined;
}

function bigOf(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/**
 * Why this value is not a public JWK that verifies signatures with one of the allowed
 * `algorithms`, or undefined: not a JWK object, private or symmetric members (a JWKS or a DPoP
 * proof's `jwk` publishes public keys only), a key type or curve none of them uses, an `alg`,
 * `use` or `key_ops` that rules it out, members that are not base64url of the right length, an
 * EC point off its curve, an RSA modulus weaker than src/keys/strength.ts allows. One judgement
 * for every door that takes a JWK, so none accepts a key another refuses.
 */
export function publicJwkProblem(value: unknown, algorithms: readonly string[]): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || typeof (value as Record<string, unknown>).kty !== "string") {
    return "is not a JWK object with a kty member";
  }
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => jwk[m] !== undefined)) return "must be a public key (private or symmetric key members found)";
  const { kty, crv } = jwk;
  const what = typeof crv === "string" ? `an ${String(kty)} ${crv} key` : `an ${String(kty)} key`;
  if (jwk.use !== undefined && jwk.use !== "sig") return `has use ${JSON.stringify(jwk.use)}: only "sig" keys verify signatures`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) return 'has key_ops without "verify"';
  if (jwk.alg !== undefined && !(typeof jwk.alg === "string" && algorithms.includes(jwk.alg))) {
    return `has alg ${JSON.stringify(jwk.alg)}, which is not one of the allowed algorithms (${algorithms.join(", ")})`;
  }
  const usable = typeof jwk.alg === "string" ? [jwk.alg] : algorithms;
  if (!usable.some((a) => fits(a, kty, crv))) return `is ${what}, which ${typeof jwk.alg === "string" ? `its alg ${jwk.alg}` : `none of the allowed algorithms (${algorithms.join(", ")})`} verifies with`;
  if (kty === "RSA") {
    const n = bytesOf(jwk.n);
    const e = bytesOf(jwk.e);
    if (!n || n.length === 0 || !e || e.length === 0 || e.every((x) => x === 0)) return "needs n and e as base64url unsigned integers (RFC 7518 §6.3.1)";
    const weak = keyWeakness({ kty: "RSA", modulusBits: bitLength(n) });
    return weak && `is ${weak}`;
  }
  if (kty === "EC") {
    const curve = CURVES[crv as string]!;
    const x = bytesOf(jwk.x);
    const y = bytesOf(jwk.y);
    if (x?.length !== curve.bytes || y?.length !== curve.bytes) return `needs x and y as base64url of ${curve.bytes} bytes each (RFC 7518 §6.2.1)`;
    const [X, Y] = [bigOf(x), bigOf(y)];
    if (X >= curve.p || Y >= curve.p || (Y * Y - (X * X * X - 3n * X + curve.b)) % curve.p !== 0n) return `has a point (x, y) that is not on ${String(crv)}`;
    return undefined;
  }
  // OKP Ed25519 (RFC 8037 §2): a 32-byte public key.
  return bytesOf(jwk.x)?.length === 32 ? undefined : "needs x as base64url of 32 bytes (RFC 8037 §2)";
}
