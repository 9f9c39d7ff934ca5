/**
 * Nested JWT for a relying party that receives its tokens encrypted (RFC 7519 §5.2, §11.2):
 * our signed JWT is the plaintext of a JWE, `cty: "JWT"`, so the relying party decrypts and then
 * verifies our signature with our JWKS as for any other JWT.
 */
import { CompactEncrypt } from "jose";
import { toBase64Url, utf8 } from "../bytes.ts";
import type { EncryptionCertificate } from "../keys/encryption-keys.ts";

/**
 * RSA-OAEP-256 key transport (RFC 7518 §4.3; SHA-256 for OAEP and MGF1, unlike XML's
 * rsa-oaep-mgf1p default) and A256GCM content encryption. `x5t` (RFC 7516 §4.1.7) names the certificate so a
 * relying party in the middle of a key rotation knows which private key to use.
 */
export async function encryptJwt(signedJwt: string, recipient: EncryptionCertificate): Promise<string> {
  const key = await recipient.publicKeyFor("SHA-256");
  return new CompactEncrypt(utf8(signedJwt))
    .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT", x5t: toBase64Url(recipient.thumbprintSha1) })
    .encrypt(key);
}
