/**
 * Encrypts a signed SAML assertion for its relying party (signed first, then encrypted: the
 * relying party decrypts, then verifies our signature over the very bytes we signed).
 */
import type { RpEncryption, TokenKind } from "../config/types.ts";
import type { EncryptionCertificate } from "../keys/encryption-keys.ts";
import { AES256_CBC, AES256_GCM, RSA_OAEP, RSA_OAEP_MGF1P } from "../xmlenc/algorithms.ts";
import { encryptElement } from "../xmlenc/encrypt.ts";
import { SAML2_NS } from "./ns.ts";

const DATA_URI = { "aes256-gcm": AES256_GCM, "aes256-cbc": AES256_CBC } as const;
const TRANSPORT_URI = { "rsa-oaep-mgf1p": RSA_OAEP_MGF1P, "rsa-oaep": RSA_OAEP } as const;

/**
 * The encrypted form of a signed assertion: SAML 2.0 `saml:EncryptedAssertion` (SAML 2.0 core
 * §2.3.4); SAML 1.1 has no such element, so its assertion becomes a bare `xenc:EncryptedData`,
 * which is what AD FS and WCF put inside wst:RequestedSecurityToken.
 * @param signedAssertion the exact serialization that was signed
 */
export async function encryptSamlToken(
  kind: Extract<TokenKind, "saml2" | "saml1">,
  signedAssertion: string,
  recipient: EncryptionCertificate,
  settings: Pick<RpEncryption, "dataAlgorithm" | "keyTransport">,
): Promise<string> {
  const encryptedData = await encryptElement(signedAssertion, recipient, {
    dataAlgorithm: DATA_URI[settings.dataAlgorithm],
    keyTransport: TRANSPORT_URI[settings.keyTransport],
  });
  if (kind === "saml1") return encryptedData;
  // The EncryptedData is self-contained (it declares its namespaces), so it nests as text.
  return `<saml:EncryptedAssertion xmlns:saml="${SAML2_NS}">${encryptedData}</saml:EncryptedAssertion>`;
}
