/** `relyingParties[].encryption`: refused at start when it cannot work; the development RP's pair. */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { loadDecryptionKey } from "../../src/keys/encryption-keys.ts";
import { EC, base, issuesOf } from "./helpers.ts";
import { SECURE_RP_CERT, SECURE_RP_KEY, generatedPair } from "../xmlenc/helpers.ts";

const P = "STS_CONFIG.relyingParties[0].encryption";

function withEncryption(encryption: unknown, env: Record<string, unknown> = {}) {
  const b = base();
  b.cfg.relyingParties[0].encryption = encryption;
  return issuesOf(b.cfg, { ...b.env, ...env });
}

describe("relyingParties[].encryption", () => {
  it("accepts a current certificate, inline or from a secret, and fills the defaults", () => {
    expect(withEncryption({ certificates: [{ certificate: SECURE_RP_CERT, status: "current" }] })).toEqual([]);
    expect(withEncryption({ certificates: [{ certificateSecret: "RP_ENC", status: "current" }], dataAlgorithm: "aes256-cbc", keyTransport: "rsa-oaep" }, { RP_ENC: SECURE_RP_CERT })).toEqual([]);
    const b = base();
    b.cfg.relyingParties[0].encryption = { certificates: [{ certificate: SECURE_RP_CERT, status: "current" }] };
    const rp = validateConfig(b.cfg, b.env).relyingParties[0]!;
    expect(rp.encryption).toMatchObject({ dataAlgorithm: "aes256-gcm", keyTransport: "rsa-oaep-mgf1p", currentCertificatePem: SECURE_RP_CERT.trim() });
    expect(validateConfig(base().cfg, base().env).relyingParties[0]!.encryption).toBeUndefined();
  });

  it("refuses an RSA key below 2048 bits", async () => {
    const { certPem } = await generatedPair(1024);
    expect(withEncryption({ certificates: [{ certificate: certPem, status: "current" }] })).toEqual([
      `${P}.certificates[0].certificate: the certificate has an RSA key of 1024 bits; at least 2048 are needed`,
    ]);
  });

  it("refuses a certificate that does not parse, an EC certificate, a missing current and two currents", async () => {
    const garbled = SECURE_RP_CERT.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAAAAAAAAAAAAAAAAAA");
    const [bad] = withEncryption({ certificates: [{ certificate: garbled, status: "current" }] });
    expect(bad).toMatch(new RegExp(`^${P.replace(/[.[\]]/g, "\\$&")}\\.certificates\\[0\\]\\.certificate: `));
    expect(withEncryption({ certificates: [{ certificate: EC.certificatePem, status: "current" }] })).toEqual([
      `${P}.certificates[0].certificate: key transport (RSA-OAEP) needs an RSA certificate`,
    ]);
    expect(withEncryption({ certificates: [{ certificate: SECURE_RP_CERT, status: "next" }] })).toEqual([
      `${P}.certificates: one certificate must be current (tokens are encrypted to it)`,
    ]);
    const { certPem: other } = await generatedPair(2048);
    expect(withEncryption({ certificates: [{ certificate: SECURE_RP_CERT, status: "current" }, { certificate: other, status: "current" }] })).toEqual([
      `${P}.certificates[1].status: certificates[0] is already current; tokens are encrypted to one certificate`,
    ]);
  });

  it("refuses the same certificate listed twice, inline or from a secret, whatever the statuses: a rotation that rotates nothing", async () => {
    // Another PEM text of the same certificate (line breaks and all) is still the same certificate.
    const rewrapped = SECURE_RP_CERT.replace(/\n/g, "\r\n");
    expect(withEncryption({ certificates: [{ certificate: SECURE_RP_CERT, status: "current" }, { certificate: rewrapped, status: "next" }] })).toEqual([
      `${P}.certificates[1].certificate: the same certificate as certificates[0]`,
    ]);
    expect(
      withEncryption(
        { certificates: [{ certificate: SECURE_RP_CERT, status: "previous" }, { certificateSecret: "RP_ENC", status: "current" }, { certificate: SECURE_RP_CERT, status: "next" }] },
        { RP_ENC: SECURE_RP_CERT },
      ),
    ).toEqual([
      `${P}.certificates[1].certificateSecret: the same certificate as certificates[0]`,
      `${P}.certificates[2].certificate: the same certificate as certificates[0]`,
    ]);
    // A new certificate is the rotation meant, and allowed.
    const { certPem: next } = await generatedPair(2048);
    expect(withEncryption({ certificates: [{ certificate: SECURE_RP_CERT, status: "current" }, { certificate: next, status: "next" }] })).toEqual([]);
  });

  it("refuses unknown algorithms, unknown fields and an empty list", () => {
    const cert = [{ certificate: SECURE_RP_CERT, status: "current" }];
    expect(withEncryption({ certificates: cert, dataAlgorithm: "aes128-cbc" })[0]).toMatch(/^STS_CONFIG\.relyingParties\[0\]\.encryption\.dataAlgorithm: /);
    expect(withEncryption({ certificates: cert, keyTransport: "rsa-1_5" })[0]).toMatch(/^STS_CONFIG\.relyingParties\[0\]\.encryption\.keyTransport: /);
    expect(withEncryption({ certificates: cert, cipher: "x" })[0]).toMatch(/^STS_CONFIG\.relyingParties\[0\]\.encryption/);
    expect(withEncryption({ certificates: [] })[0]).toMatch(/^STS_CONFIG\.relyingParties\[0\]\.encryption\.certificates: /);
  });
});

describe("development relying party urn:example:secure-rp", () => {
  it("encrypts to the published certificate, and the published private key matches it", async () => {
    const cfg = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    const rp = cfg.relyingParties.find((r) => r.identifier === "urn:example:secure-rp")!;
    expect(rp.defaultTokenType).toBe("saml2");
    expect(rp.encryption).toMatchObject({ dataAlgorithm: "aes256-gcm", keyTransport: "rsa-oaep-mgf1p" });
    expect(rp.encryption!.currentCertificatePem).toBe(SECURE_RP_CERT.trim());
    await expect(loadDecryptionKey(SECURE_RP_KEY, rp.encryption!.currentCertificatePem)).resolves.toBeDefined();
    expect(cfg.oauthClients.get("demo-client")!.allowedAudiences).toContain("urn:example:secure-rp");
    expect(cfg.serviceAccounts.get("rp-validator")!.allowedRelyingParties).toContain("urn:example:secure-rp");
  });
});
