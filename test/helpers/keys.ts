/** Throwaway key material for tests. */
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";

/** A fresh RSA key pair with a self-signed certificate, as PEM (another relying party, an untrusted requestor, a device key). */
export async function generatedPair(bits = 2048, commonName = "test other-rp"): Promise<{ certPem: string; keyPem: string }> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = await buildSelfSignedCertificate({
    ...pair,
    commonName,
    notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2036, 0, 1)),
  });
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  return { certPem: derToPem(der, "CERTIFICATE"), keyPem: derToPem(pkcs8, "PRIVATE KEY") };
}
