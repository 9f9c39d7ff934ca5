/**
 * The published development credentials (test/fixtures/dev-credentials/, CONTRACT.md): each
 * private key belongs to its certificate, and the certificate is what the README says.
 */
import { describe, expect, it } from "vitest";
import { DEV_CA_CERT_PEM, DEV_PARTNER_IDP_CERT_PEM, DEV_SECURE_RP_CERT_PEM } from "../../src/config/dev-keys.ts";
import { utf8 } from "../../src/bytes.ts";
import { loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import { pemToDer } from "../../src/keys/pem.ts";
import { parseCertificate } from "../../src/keys/x509.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { encryptElement } from "../../src/xmlenc/encrypt.ts";
import { SECURE_RP_CERT, SECURE_RP_KEY, rootOf } from "../xmlenc/helpers.ts";

describe("secure-rp.key.pem / secure-rp.cert.pem", () => {
  it("is an RSA-2048 certificate for urn:example:secure-rp, valid for ten years", () => {
    const c = parseCertificate(pemToDer(SECURE_RP_CERT, "CERTIFICATE"));
    expect(c.subjectCommonName).toBe("urn:example:secure-rp");
    expect(c.kty).toBe("RSA");
    expect(c.modulusBits).toBe(2048);
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(3650 * 86400_000);
    expect(SECURE_RP_KEY.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true); // PKCS#8
  });

  it("the pair matches: the key loads for the certificate, and what is encrypted for one decrypts with the other", async () => {
    const key = await loadDecryptionKey(SECURE_RP_KEY, SECURE_RP_CERT, "secure-rp");
    const cert = await loadEncryptionCertificate(SECURE_RP_CERT, "secure-rp");
    const element = '<x:Probe xmlns:x="urn:example:probe">secure-rp</x:Probe>';
    const { plaintext } = await decryptElement(rootOf(await encryptElement(element, cert)), key);
    expect(plaintext).toEqual(utf8(element));
  });
});

const SIGNING_PAIRS = import.meta.glob("../fixtures/dev-credentials/{dev-ca,alice-client,partner-idp}.{key,cert}.pem", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe.each(["dev-ca", "alice-client", "partner-idp"])("%s.key.pem / %s.cert.pem", (name) => {
  const keyPem = SIGNING_PAIRS[`../fixtures/dev-credentials/${name}.key.pem`]!;
  const certPem = SIGNING_PAIRS[`../fixtures/dev-credentials/${name}.cert.pem`]!;

  it("is an RSA-2048 PKCS#8 key whose signatures the certificate's key verifies", async () => {
    expect(keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    const cert = parseCertificate(pemToDer(certPem, "CERTIFICATE"));
    expect(cert).toMatchObject({ kty: "RSA", modulusBits: 2048 });
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const priv = await crypto.subtle.importKey("pkcs8", pemToDer(keyPem, "PRIVATE KEY") as Uint8Array<ArrayBuffer>, alg, false, ["sign"]);
    const pub = await crypto.subtle.importKey("spki", cert.spki as Uint8Array<ArrayBuffer>, alg, false, ["verify"]);
    const data = utf8(`${name} signs this`);
    const sig = await crypto.subtle.sign(alg, priv, data);
    expect(await crypto.subtle.verify(alg, pub, sig, data)).toBe(true);
    expect(await crypto.subtle.verify(alg, pub, sig, utf8(`${name} signs that`))).toBe(false);
  });
});

describe("the development configuration's copies", () => {
  it("embeds the published certificates byte for byte", () => {
    expect(DEV_SECURE_RP_CERT_PEM.trim()).toBe(SECURE_RP_CERT.trim());
    expect(DEV_CA_CERT_PEM.trim()).toBe(SIGNING_PAIRS["../fixtures/dev-credentials/dev-ca.cert.pem"]!.trim());
    expect(DEV_PARTNER_IDP_CERT_PEM.trim()).toBe(SIGNING_PAIRS["../fixtures/dev-credentials/partner-idp.cert.pem"]!.trim());
  });
});
