import type { Element } from "@xmldom/xmldom";
import type { XmlSignatureAlg } from "../config/types.ts";
import type { KeyRing } from "../keys/keyring.ts";
import { signEnveloped } from "../xmldsig/sign.ts";

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
 * Signs a token element in place (enveloped signature, exclusive c14n) with the current key
 * of the type the algorithm needs; the digest uses the signature's hash size.
 */
export async function signToken(
  element: Element,
  id: string,
  alg: XmlSignatureAlg,
  keys: KeyRing,
  insertAfter: Element | null,
): Promise<void> {
  const key = keys.current(alg.startsWith("rsa") ? "RSA" : "EC");
  await signEnveloped(element, {
    key,
    signatureAlgorithm: SIG_URI[alg],
    digestAlgorithm: DIGEST_URI[alg.slice(-3)]!,
    referenceId: id,
    insertAfter,
  });
}
