import type { Element } from "@xmldom/xmldom";
import { strictUtf8 } from "../../src/bytes.ts";
import { type DecryptionKey, type EncryptionCertificate, loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { parseXml } from "../../src/xml/parse.ts";
import SECURE_RP_CERT from "../fixtures/dev-credentials/secure-rp.cert.pem?raw";
import SECURE_RP_KEY from "../fixtures/dev-credentials/secure-rp.key.pem?raw";

export { SECURE_RP_CERT, SECURE_RP_KEY };

export const XENC = "http://www.w3.org/2001/04/xmlenc#";

let rp: Promise<{ cert: EncryptionCertificate; key: DecryptionKey }> | undefined;

/** The published secure-rp pair: its certificate to encrypt for, its key to decrypt with. */
export function secureRp(): Promise<{ cert: EncryptionCertificate; key: DecryptionKey }> {
  rp ??= (async () => ({ cert: await loadEncryptionCertificate(SECURE_RP_CERT), key: await loadDecryptionKey(SECURE_RP_KEY, SECURE_RP_CERT) }))();
  return rp;
}

/** A fresh RSA key pair with a self-signed certificate, as PEM (another relying party). */
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

/** The document element of an XML text, parsed with the production parser. */
export function rootOf(xml: string): Element {
  return parseXml(xml).documentElement!;
}

export const text = (b: Uint8Array) => strictUtf8.decode(b);
