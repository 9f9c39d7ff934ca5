import type { Element } from "@xmldom/xmldom";
import { strictUtf8 } from "../../src/bytes.ts";
import { type DecryptionKey, type EncryptionCertificate, loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
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

export { generatedPair } from "../helpers/keys.ts";

/** The document element of an XML text, parsed with the production parser. */
export function rootOf(xml: string): Element {
  return parseXml(xml).documentElement!;
}

export const text = (b: Uint8Array) => strictUtf8.decode(b);
