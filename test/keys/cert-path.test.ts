/**
 * Certificate path checks against certificates OpenSSL made (test/fixtures/pki/make.sh and the
 * development CA in test/fixtures/dev-credentials/), so the parser and the path rules are held
 * to another implementation's encoding, not to our own writer's.
 */
import { describe, expect, it } from "vitest";
import { checkCertificatePath, type CertificateTrust } from "../../src/keys/cert-path.ts";
import { pemToDer } from "../../src/keys/pem.ts";
import { toHex } from "../../src/bytes.ts";
import { KEY_USAGE, parseCertificate, type ParsedCertificate } from "../../src/keys/x509.ts";

const PEMS = import.meta.glob("../fixtures/pki/*.pem", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const DEV = import.meta.glob("../fixtures/dev-credentials/*.cert.pem", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

function cert(name: string): ParsedCertificate {
  const pem = PEMS[`../fixtures/pki/${name}.pem`] ?? DEV[`../fixtures/dev-credentials/${name}.cert.pem`];
  if (!pem) throw new Error(`no fixture ${name}`);
  return parseCertificate(pemToDer(pem, "CERTIFICATE"));
}

/** Inside every fixture's validity window. */
const NOW = new Date(cert("root").notBefore.getTime() + 86400_000);

function trust(authorities: string[], pinned: string[] = []): CertificateTrust {
  return { authorities: authorities.map(cert), pinnedSha256: new Set(pinned) };
}

describe("x509 extensions", () => {
  it("reads basicConstraints, keyUsage and extendedKeyUsage as OpenSSL wrote them", () => {
    const root = cert("root");
    expect(root.extensions).toMatchObject({ ca: true, pathLength: 1 });
    expect(root.extensions.keyUsage! & KEY_USAGE.keyCertSign).toBeTruthy();
    const alice = cert("alice-client");
    expect(alice.extensions).toMatchObject({ ca: false, pathLength: undefined, extendedKeyUsage: ["1.3.6.1.5.5.7.3.2"], unknownCritical: [] });
    expect(alice.extensions.keyUsage).toBe(KEY_USAGE.digitalSignature);
    expect(cert("critical-leaf").extensions.unknownCritical).toEqual(["1.2.3.4.5"]);
    // openssl x509 -ext subjectKeyIdentifier
    expect(toHex(alice.extensions.subjectKeyIdentifier!)).toBe("ac45aa49dfbf559bdb47390168d99e29af6bfe8c");
  });
});

describe("checkCertificatePath", () => {
  it("trusts alice-client, issued by the development CA", async () => {
    const r = await checkCertificatePath(cert("alice-client"), [], trust(["dev-ca"]), NOW);
    expect(r).toMatchObject({ ok: true, trustedBy: "authority" });
    if (r.ok) expect(r.thumbprint).toBe("ee8adb230984e7d505714a610dba667f7013d1956a880473456d099338cb5374");
  });

  it("follows an offered EC intermediate to the root, whatever the order and extras offered", async () => {
    const offered = [cert("other-root"), cert("ec-leaf"), cert("intermediate")];
    expect(await checkCertificatePath(cert("leaf"), offered, trust(["root"]), NOW)).toMatchObject({ ok: true });
    expect(await checkCertificatePath(cert("leaf"), [], trust(["root"]), NOW)).toMatchObject({ ok: false });
  });

  it("verifies ECDSA and RSA-PSS certificate signatures", async () => {
    expect(await checkCertificatePath(cert("ec-leaf"), [], trust(["root"]), NOW)).toMatchObject({ ok: true });
    expect(await checkCertificatePath(cert("pss-leaf"), [], trust(["root"]), NOW)).toMatchObject({ ok: true });
  });

  it("trusts a pinned certificate that no authority issued, and nothing else", async () => {
    const partner = cert("partner-idp");
    expect(await checkCertificatePath(partner, [], trust(["dev-ca"]), NOW)).toMatchObject({ ok: false, reason: expect.stringMatching(/not pinned/) });
    const pin = "F0:42:B7:02:DB:E4:E3:6A:71:15:0B:C4:B1:8F:46:E4:54:93:3D:69:1A:93:E9:51:D9:25:7F:1B:72:32:C0:64".replaceAll(":", "").toLowerCase();
    expect(await checkCertificatePath(partner, [], trust([], [pin]), NOW)).toMatchObject({ ok: true, trustedBy: "pin" });
  });

  it("refuses a certificate whose issuer has the trusted CA's name but another key", async () => {
    // other-root is "CN=Test Root" too: names chain, signatures do not.
    expect(await checkCertificatePath(cert("ec-leaf"), [], trust(["other-root"]), NOW)).toMatchObject({ ok: false });
  });

  it.each([
    ["sha1-leaf", [], /not pinned/, "a SHA-1 signature"],
    ["encipher-leaf", [], /key usage/, "no digitalSignature"],
    ["critical-leaf", [], /critical extension/, "an unknown critical extension"],
    ["under-not-ca", ["not-ca"], /not a CA/, "an issuer that is not a CA"],
    ["too-deep", ["sub-intermediate", "intermediate"], /pathLenConstraint \(0\) allows fewer CA certificates below it/, "a path longer than pathlen allows"],
    ["leaf-is-ca", [], /CA certificate/, "a CA certificate as requestor"],
  ])("refuses %s (%s)", async (name, offered, reason) => {
    const r = await checkCertificatePath(cert(name as string), (offered as string[]).map(cert), trust(["root"]), NOW);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(reason as RegExp) });
  });

  it("refuses outside the validity window of the certificate or its issuer", async () => {
    const alice = cert("alice-client");
    const later = new Date(alice.notAfter.getTime() + 1000);
    const earlier = new Date(alice.notBefore.getTime() - 1000);
    expect(await checkCertificatePath(alice, [], trust(["dev-ca"]), later)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(await checkCertificatePath(alice, [], trust(["dev-ca"]), earlier)).toMatchObject({ ok: false, reason: expect.stringMatching(/not yet valid/) });
  });
});
