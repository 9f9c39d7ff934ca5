import { describe, expect, it } from "vitest";
import * as A from "../../src/xmlenc/algorithms.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { XENC, rootOf, secureRp, text } from "./helpers.ts";
// Encrypted by xmlsec1 1.2.37 for the published secure-rp certificate (see the folder's README):
// its CBC padding is a random block ending in 16, not PKCS#7.
import cbcDoc from "../fixtures/xmlenc/xmlsec1-aes256-cbc-rsa-oaep-mgf1p.xml?raw";
import gcmDoc from "../fixtures/xmlenc/xmlsec1-aes256-gcm-rsa-oaep-mgf1p.xml?raw";
import plaintextDoc from "../fixtures/xmlenc/xmlsec1-plaintext-document.xml?raw";

const expected = plaintextDoc.slice(plaintextDoc.indexOf("<saml:Assertion"), plaintextDoc.indexOf("</saml:Assertion>") + "</saml:Assertion>".length);

function encryptedDataOf(doc: string) {
  return rootOf(doc).getElementsByTagNameNS(XENC, "EncryptedData").item(0)!;
}

describe("EncryptedData made by xmlsec1 decrypts here, byte for byte", () => {
  it("aes256-gcm + rsa-oaep-mgf1p", async () => {
    const r = await decryptElement(encryptedDataOf(gcmDoc), (await secureRp()).key);
    expect(r).toMatchObject({ dataAlgorithm: A.AES256_GCM, keyTransport: A.RSA_OAEP_MGF1P });
    expect(text(r.plaintext)).toBe(expected);
  });

  it("aes256-cbc + rsa-oaep-mgf1p with xmlsec1's random padding (when the caller allows CBC)", async () => {
    const { key } = await secureRp();
    await expect(decryptElement(encryptedDataOf(cbcDoc), key)).rejects.toMatchObject({ code: "UNSUPPORTED_ALGORITHM" });
    const r = await decryptElement(encryptedDataOf(cbcDoc), key, { allowedDataAlgorithms: [A.AES256_CBC] });
    expect(text(r.plaintext)).toBe(expected);
    expect(expected).toContain("<saml:NameID>zoë</saml:NameID>");
  });
});
