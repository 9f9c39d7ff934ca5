import type { XmlSignatureAlg } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";
import type { TreeElement } from "../xml/tree-writer.ts";
import { signTree } from "../xmldsig/sign.ts";

const SIG_URI: Record<XmlSignatureAlg, string> = {
  "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  "rsa-sha384": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
  "rsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  "ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
  "ecdsa-sha384": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
  "ecdsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
};
const DIGEST_URI: Record<string, string> = {
  "256": "http://www.w3.org/2001/04/xmlenc#sha256",
  "384": "http://www.w3.org/2001/04/xmldsig-more#sha384",
  "512": "http://www.w3.org/2001/04/xmlenc#sha512",
};

/**
 * Signs a token (enveloped signature, exclusive c14n) with the current key of the type the
 * algorithm needs; the digest uses the signature's hash size. Returns the signed token's
 * serialization (its exclusive canonical form).
 */
export async function signToken(
  element: TreeElement,
  id: string,
  alg: XmlSignatureAlg,
  keys: KeyRing,
  insertAfter: TreeElement | null,
): Promise<string> {
  const key = keys.current(alg.startsWith("rsa") ? "RSA" : "EC");
  return signTree(element, {
    key,
    signatureAlgorithm: SIG_URI[alg],
    digestAlgorithm: DIGEST_URI[alg.slice(-3)]!,
    referenceId: id,
    insertAfter,
  });
}
