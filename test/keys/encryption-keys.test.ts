import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.ts";
import { loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { KeyRingError } from "../../src/keys/keyring.ts";
import { derToPem, pemToDer } from "../../src/keys/pem.ts";
import p256Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/p256-key.crt.pem?raw";
import rsa1024Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/rsa-key.crt.pem?raw";
import { SECURE_RP_CERT, SECURE_RP_KEY, generatedPair } from "../xmlenc/helpers.ts";

describe("loadEncryptionCertificate", () => {
  it("keeps the DER, its base64 and its SHA-1 thumbprint (openssl x509 -fingerprint -sha1)", async () => {
    const c = await loadEncryptionCertificate(SECURE_RP_CERT);
    expect(toHex(c.thumbprintSha1)).toBe("929b4318aff5791e1ce90a827f83468ef4a30de3");
    expect(c.certificateDer).toEqual(pemToDer(SECURE_RP_CERT, "CERTIFICATE"));
    expect(c.modulusBits).toBe(2048);
  });

  it("imports each OAEP hash once and keeps it", async () => {
    const c = await loadEncryptionCertificate(SECURE_RP_CERT);
    const a = c.publicKeyFor("SHA-1");
    expect(c.publicKeyFor("SHA-1")).toBe(a);
    expect(c.publicKeyFor("SHA-256")).not.toBe(a);
    expect((await a).algorithm).toMatchObject({ name: "RSA-OAEP", hash: { name: "SHA-1" } });
    expect((await c.publicKeyFor("SHA-256")).usages).toEqual(["encrypt"]);
  });

  it("refuses EC keys, RSA keys under 2048 bits and text that is not a certificate, naming the label", async () => {
    await expect(loadEncryptionCertificate(p256Crt, "rp x")).rejects.toThrow(new KeyRingError("rp x: key transport needs an RSA certificate"));
    await expect(loadEncryptionCertificate(rsa1024Crt, "rp y")).rejects.toThrow(new KeyRingError("rp y: an RSA key of 1024 bits; at least 2048 are needed"));
    await expect(loadEncryptionCertificate(SECURE_RP_KEY, "rp z")).rejects.toThrow(/^rp z: bad certificate: PEM label is "PRIVATE KEY"/);
  });
});

describe("loadDecryptionKey", () => {
  it("refuses a private key that is not its certificate's", async () => {
    const other = await generatedPair();
    await expect(loadDecryptionKey(other.keyPem, SECURE_RP_CERT, "ours")).rejects.toThrow(new KeyRingError("ours: the private key does not match its certificate"));
    await expect(loadDecryptionKey(SECURE_RP_KEY, other.certPem, "ours")).rejects.toThrow(new KeyRingError("ours: the private key does not match its certificate"));
    expect((await loadDecryptionKey(other.keyPem, other.certPem)).modulusBits).toBe(2048);
  });

  it("refuses a key that is not PKCS#8 and one that is not RSA", async () => {
    await expect(loadDecryptionKey(SECURE_RP_CERT, SECURE_RP_CERT, "k")).rejects.toThrow(/^k: bad private key: PEM label is "CERTIFICATE"/);
    const ec = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", ec.privateKey)) as ArrayBuffer);
    await expect(loadDecryptionKey(derToPem(pkcs8, "PRIVATE KEY"), SECURE_RP_CERT, "k")).rejects.toThrow(/^k: the private key is not an RSA PKCS#8 key/);
  });
});
